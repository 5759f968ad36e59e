//! The `match` tool.

use super::App;
use crate::generated::match_ as tool;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Match for App {
    async fn r#match(
        &self,
        _context: ToolContext,
        _input: tool::MatchInput,
    ) -> Result<tool::MatchOutput, ToolError> {
        Err(ToolError::new("match is not implemented yet"))
    }
}
