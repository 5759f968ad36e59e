//! The `serde` tool.

use super::App;
use crate::generated::serde as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Serde for App {
    async fn serde(
        &self,
        _context: ToolContext,
        _input: tool::SerdeInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("serde is not implemented yet"))
    }
}
