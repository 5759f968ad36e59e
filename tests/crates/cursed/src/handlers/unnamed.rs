//! The `-` tool.

use super::App;
use crate::generated::unnamed as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Unnamed for App {
    async fn unnamed(
        &self,
        _context: ToolContext,
        _input: tool::UnnamedInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("- is not implemented yet"))
    }
}
