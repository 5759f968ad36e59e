//! Moves the arguments from the caller's version to the handler's.

use crate::handler::BoxFuture;
use crate::migrate::apply_all;

use super::{Call, CallOutcome, Next, Stage};

/// Applies the resolved version's upgrade chain to the arguments.
pub struct MigrateForward;

impl Stage for MigrateForward {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        let tool = call.tool.clone();
        apply_all(&tool.versions[call.version].upgrade, &mut call.arguments);
        next.run(call)
    }
}
