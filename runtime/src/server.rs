//! The MCP protocol surface: an rmcp `ServerHandler` that lists tools from the
//! registry and routes `tools/call` through the pipeline.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};
use serde_json::Value;

use crate::manifest::Transport;
use crate::pipeline::{Call, Pipeline};
use crate::registry::Registry;

/// A generated server's protocol handler. Cloning is cheap: the HTTP
/// transport makes one per session.
#[derive(Clone)]
pub struct McpServer {
    shared: Arc<Shared>,
}

struct Shared {
    transports: Vec<Transport>,
    registry: Registry,
    pipeline: Pipeline,
    info: ServerConfig,
    listing: Vec<Tool>,
}

impl McpServer {
    /// A server for `registry` that runs calls through `pipeline`.
    pub fn new(registry: Registry, pipeline: Pipeline) -> Self {
        let server = registry.server();
        let mut implementation = Implementation::new(server.name.clone(), server.version.clone());
        if let Some(title) = &server.title {
            implementation = implementation.with_title(title.clone());
        }
        if let Some(description) = &server.description {
            implementation = implementation.with_description(description.clone());
        }
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(implementation);
        if let Some(instructions) = &server.instructions {
            info = info.with_instructions(instructions.clone());
        }
        let listing = registry.tools().iter().map(|t| t.listing.clone()).collect();
        Self {
            shared: Arc::new(Shared {
                transports: server.transports.clone(),
                registry,
                pipeline,
                info,
                listing,
            }),
        }
    }

    /// The name and version the server reports.
    pub fn identity(&self) -> &Implementation {
        &self.shared.info.server_info
    }

    /// The transports the spec offers.
    pub fn transports(&self) -> &[Transport] {
        &self.shared.transports
    }

    /// The tools as `tools/list` shows them.
    pub fn tools(&self) -> &[Tool] {
        &self.shared.listing
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        self.shared.info.clone()
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        // rmcp asks for the tool on every stateless HTTP call, only to check
        // `Mcp-Param-*` headers against its input schema: hand it the lean
        // copy rather than deep-copying the listing's `_meta`.
        self.shared.registry.get(name).map(|t| t.lookup.clone())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.shared.listing.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(tool) = self.shared.registry.get(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: {}", request.name),
                None,
            ));
        };
        let call = Call {
            tool: tool.clone(),
            version: tool.newest(),
            arguments: Value::Object(request.arguments.unwrap_or_default()),
            progress_token: context.meta.get_progress_token(),
            request_meta: context.meta.0.0,
            request_id: context.id,
            cancellation: context.ct,
            peer: Some(context.peer),
        };
        self.shared.pipeline.run(call).await.map(Into::into)
    }
}
