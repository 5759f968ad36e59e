//! The `GET_DATA` tool.

use super::App;
use crate::generated::get_data_4 as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::GetData for App {
    async fn get_data(
        &self,
        _context: ToolContext,
        _input: tool::GetDataInput,
    ) -> Result<mcpgen_runtime::CallToolResult, ToolError> {
        Err(ToolError::new("GET_DATA is not implemented yet"))
    }
}
