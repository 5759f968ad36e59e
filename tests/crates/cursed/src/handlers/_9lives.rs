//! The `9lives` tool.

use super::App;
use crate::generated::_9lives as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::_9lives for App {
    async fn _9lives(
        &self,
        _context: ToolContext,
        _input: tool::_9livesInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("9lives is not implemented yet"))
    }
}
