//! The `mod` tool.

use super::App;
use crate::generated::mod_ as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Mod for App {
    async fn r#mod(
        &self,
        _context: ToolContext,
        _input: tool::ModInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("mod is not implemented yet"))
    }
}
