//! The `manifest` tool.

use super::App;
use crate::generated::manifest_2 as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Manifest for App {
    async fn manifest(
        &self,
        _context: ToolContext,
        _input: tool::ManifestInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("manifest is not implemented yet"))
    }
}
