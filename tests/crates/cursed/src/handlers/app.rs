//! The `App` tool.

use super::App;
use crate::generated::app as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::App for App {
    async fn app(
        &self,
        _context: ToolContext,
        _input: tool::AppInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("App is not implemented yet"))
    }
}
