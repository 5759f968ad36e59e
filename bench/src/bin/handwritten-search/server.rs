//! The rmcp `ServerHandler`: a hand-written `tools/list` and `tools/call` for
//! the one `search` tool.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};
use serde_json::{Value, json};

use crate::corpus::Corpus;
use crate::search::{self, Args};

/// The server; clones share the corpus (the HTTP transport makes one per
/// request or per client).
#[derive(Clone)]
pub struct HandWritten {
    shared: Arc<Shared>,
}

struct Shared {
    corpus: Corpus,
    tool: Tool,
}

impl HandWritten {
    /// Loads the corpus and builds the tool listing once.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                corpus: Corpus::embedded(),
                tool: search_tool(),
            }),
        }
    }
}

impl ServerHandler for HandWritten {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("handwritten-search", "3.0.0"))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        (name == "search").then(|| self.shared.tool.clone())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(vec![
            self.shared.tool.clone(),
        ]))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if request.name != "search" {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: {}", request.name),
                None,
            ));
        }
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let args: Args = match serde_json::from_value(arguments) {
            Ok(args) => args,
            Err(error) => return Ok(tool_error(format!("Invalid arguments: {error}")).into()),
        };
        if let Err(message) = args.check() {
            return Ok(tool_error(format!("Invalid arguments: {message}")).into());
        }
        let result = match search::search(&self.shared.corpus, args) {
            Ok(output) => match serde_json::to_value(output) {
                Ok(value) => CallToolResult::structured(value),
                Err(error) => tool_error(format!("the result could not be serialised: {error}")),
            },
            Err(message) => tool_error(message),
        };
        Ok(result.into())
    }
}

fn tool_error(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

/// The listing: the same schemas `examples/search` advertises for 3.0.0.
fn search_tool() -> Tool {
    let date_range = json!({
        "type": "object",
        "description": "Only articles published in this range (inclusive).",
        "additionalProperties": false,
        "properties": {
            "from": { "type": "string", "format": "date" },
            "to": { "type": "string", "format": "date" }
        }
    });
    let input = json!({
        "type": "object",
        "required": ["query"],
        "additionalProperties": false,
        "properties": {
            "query": { "type": "string", "minLength": 1, "description": "Words to look for." },
            "limit": { "type": "integer", "minimum": 1, "maximum": 100,
                       "description": "Most results to return (default 10)." },
            "sortBy": { "type": "string", "enum": ["relevance", "date"],
                        "description": "Order of the results (default relevance)." },
            "filters": {
                "type": "object",
                "description": "Narrow the search.",
                "additionalProperties": false,
                "properties": {
                    "category": { "type": "string", "description": "Only articles in this category." },
                    "dateRange": date_range
                }
            }
        }
    });
    let output = json!({
        "type": "object",
        "required": ["totalCount", "results"],
        "properties": {
            "totalCount": { "type": "integer", "minimum": 0, "description": "Number of matching articles." },
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "link", "category", "date", "score"],
                    "properties": {
                        "id": { "type": "string" },
                        "title": { "type": "string" },
                        "link": { "type": "string" },
                        "category": { "type": "string" },
                        "date": { "type": "string", "format": "date" },
                        "score": { "type": "number" }
                    }
                }
            }
        }
    });
    Tool::new(
        "search",
        "Search the article archive. Returns matching articles, best first (or newest first \
         with sortBy: date), with the total number of matches.",
        Arc::new(object(input)),
    )
    .with_title("Search articles")
    .with_raw_output_schema(Arc::new(object(output)))
    .with_annotations(
        ToolAnnotations::new()
            .read_only(true)
            .idempotent(true)
            .open_world(false),
    )
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("the schemas above are objects"),
    }
}
