//! The `std` tool.

use super::App;
use crate::generated::std as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Std for App {
    async fn std(
        &self,
        _context: ToolContext,
        _input: tool::StdInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("std is not implemented yet"))
    }
}
