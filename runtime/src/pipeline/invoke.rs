//! The last stage: runs the tool body.

use crate::handler::BoxFuture;

use super::{Call, CallOutcome, Next, Stage};

/// Calls the handler with the migrated arguments.
pub struct InvokeHandler;

impl Stage for InvokeHandler {
    fn run<'a>(&'a self, call: &'a mut Call, _next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        let context = call.tool_context();
        let arguments = std::mem::take(&mut call.arguments);
        let future = call.tool.handler.call(context, arguments);
        Box::pin(async move { Ok(future.await.unwrap_or_else(|e| e.into_result())) })
    }
}
