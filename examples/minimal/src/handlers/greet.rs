//! The `greet` tool.

use mcpgen_runtime::{ToolContext, ToolError};

use super::App;
use crate::generated::greet as tool;

impl tool::Greet for App {
    async fn greet(
        &self,
        _context: ToolContext,
        input: tool::GreetInput,
    ) -> Result<tool::GreetOutput, ToolError> {
        Ok(tool::GreetOutput {
            greeting: format!("Hello, {}!", input.name),
        })
    }
}
