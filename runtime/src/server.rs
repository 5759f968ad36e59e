//! The MCP protocol surface: an rmcp `ServerHandler` that lists tools from the
//! registry and routes `tools/call` through the pipeline.

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};
use serde_json::Value;

use crate::auth::Principal;
use crate::manifest::Transport;
use crate::pipeline::{Call, Pipeline, RequestParts, Unresolved, select};
use crate::registry::Registry;

/// A generated server's protocol handler. Cloning is cheap: the HTTP
/// transport makes one per session.
#[derive(Clone)]
pub struct McpServer {
    shared: Arc<Shared>,
}

struct Shared {
    transports: Vec<Transport>,
    registry: Arc<Registry>,
    pipeline: Pipeline,
    info: ServerConfig,
    tenant: Option<Arc<str>>,
    listing: Vec<Tool>,
    /// Each listed tool without descriptions and `_meta`, by name.
    lookups: HashMap<String, Tool>,
}

impl McpServer {
    /// A server for `registry` that runs calls through `pipeline`. `tenant`
    /// is the tenant every caller belongs to (from the runtime config).
    pub fn new(registry: Registry, pipeline: Pipeline, tenant: Option<String>) -> Self {
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
        let tenant: Option<Arc<str>> = tenant.map(Into::into);
        let listing = listing(&registry, tenant.as_deref());
        let lookups = listing
            .iter()
            .map(|tool| {
                let mut lean = Tool::new(tool.name.clone(), "", tool.input_schema.clone());
                lean.output_schema = tool.output_schema.clone();
                (tool.name.to_string(), lean)
            })
            .collect();
        Self {
            shared: Arc::new(Shared {
                transports: server.transports.clone(),
                registry: Arc::new(registry),
                pipeline,
                info,
                tenant,
                listing,
                lookups,
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
        self.shared.lookups.get(name).cloned()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = match principal(&context).and_then(|p| p.tenant) {
            // A caller of another tenant than the configured one sees its
            // own tenant's pins; tools/list is rare enough to build it anew.
            Some(tenant) if Some(&tenant) != self.shared.tenant.as_ref() => {
                listing(&self.shared.registry, Some(&tenant))
            }
            _ => self.shared.listing.clone(),
        };
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(route) = self.shared.registry.route(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!("Unknown tool: {}", request.name),
                None,
            ));
        };
        let principal = principal(&context);
        let tenant = principal
            .as_ref()
            .and_then(|p| p.tenant.clone())
            .or_else(|| self.shared.tenant.clone());
        let parts = RequestParts {
            principal,
            progress_token: context.meta.get_progress_token(),
            meta: context.meta.0.0,
            id: context.id,
            cancellation: context.ct,
            peer: Some(context.peer),
            tenant,
        };
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let call = Call::new(Arc::clone(&self.shared.registry), route, arguments, parts);
        self.shared.pipeline.run(call).await.map(Into::into)
    }
}

/// The principal the HTTP layer verified, if the request came that way.
fn principal(context: &RequestContext<RoleServer>) -> Option<Principal> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>())
        .cloned()
}

/// What `tools/list` shows a caller of `tenant`: each tool at its pinned
/// version (unless that version is past its sunset), else at its newest;
/// then the major aliases.
fn listing(registry: &Registry, tenant: Option<&str>) -> Vec<Tool> {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let mut tools: Vec<Tool> = registry
        .tools()
        .iter()
        .map(|tool| {
            // The same choice a call without `_meta` gets; a pin to a version
            // past its sunset still shows that version, whose calls explain.
            let shown = match registry.pins().lookup(tenant, &tool.name) {
                None => tool.newest(),
                Some((selector, _)) => {
                    match select(tool, selector, None, today, selector.to_string()) {
                        Ok(index) => index,
                        Err(Unresolved::Sunset { version, .. }) => tool
                            .versions
                            .iter()
                            .position(|v| v.version == version)
                            .unwrap_or(tool.newest()),
                        Err(Unresolved::NoMatch { .. }) => tool.newest(),
                    }
                }
            };
            tool.versions[shown].listing.clone()
        })
        .collect();
    tools.extend(
        registry
            .aliases()
            .iter()
            .filter_map(|a| a.alias_listing.clone()),
    );
    tools
}
