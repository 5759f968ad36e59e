//! The `evolve` tool.

use super::App;
use crate::generated::evolve as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Evolve for App {
    async fn evolve(
        &self,
        _context: ToolContext,
        _input: tool::EvolveInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("evolve is not implemented yet"))
    }
}
