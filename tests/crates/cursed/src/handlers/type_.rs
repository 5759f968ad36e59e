//! The `type` tool.

use super::App;
use crate::generated::type_ as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Type for App {
    async fn r#type(
        &self,
        _context: ToolContext,
        _input: tool::TypeInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("type is not implemented yet"))
    }
}
