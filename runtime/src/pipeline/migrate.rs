//! Moves the arguments from the caller's version to the handler's.

use rmcp::ErrorData;

use crate::handler::BoxFuture;
use crate::migrate::apply_all;

use super::{Call, CallOutcome, Next, Stage};

/// Applies the resolved version's upgrade chain to the arguments.
pub struct MigrateForward;

impl Stage for MigrateForward {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        let tool = call.tool.clone();
        let upgrade = &tool.versions[call.version].upgrade;
        if let Err(error) = apply_all(upgrade, &mut call.arguments, call.registry.custom_ops()) {
            tracing::error!(tool = %tool.name, %error, "argument migration failed");
            return Box::pin(std::future::ready(Err(ErrorData::internal_error(
                error.to_string(),
                None,
            ))));
        }
        next.run(call)
    }
}
