//! The `self` tool.

use super::App;
use crate::generated::self_ as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Self_ for App {
    async fn self_(
        &self,
        _context: ToolContext,
        _input: tool::SelfInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("self is not implemented yet"))
    }
}
