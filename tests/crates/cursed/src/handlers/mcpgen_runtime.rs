//! The `mcpgen_runtime` tool.

use super::App;
use crate::generated::mcpgen_runtime as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::McpgenRuntime for App {
    async fn mcpgen_runtime(
        &self,
        _context: ToolContext,
        _input: tool::McpgenRuntimeInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("mcpgen_runtime is not implemented yet"))
    }
}
