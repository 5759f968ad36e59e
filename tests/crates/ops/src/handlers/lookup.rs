//! The `lookup` tool: one record per query term (or per tag without terms),
//! numbered from `id`, so tests can see what the arguments became and how
//! results reach callers of every version.

use super::App;
use crate::generated::lookup as tool;
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{ToolContext, ToolError};

impl tool::Lookup for App {
    async fn lookup(
        &self,
        _context: ToolContext,
        input: tool::LookupInput,
    ) -> Result<tool::LookupOutput, ToolError> {
        let matched = match &input.terms {
            Some(terms) if !terms.is_empty() => terms.len(),
            _ => input.tags.len(),
        };
        let records: Vec<tool::LookupOutputRecordsItem> = (0..matched)
            .map(|i| tool::LookupOutputRecordsItem {
                id: input.id.unwrap_or(0) + i as i64,
                score: "0.5".to_owned(),
                status: tool::LookupOutputRecordsItemStatus::Active,
            })
            .collect();
        Ok(tool::LookupOutput {
            count: records.len() as i64,
            records,
            schema: json!("3"),
        })
    }
}
