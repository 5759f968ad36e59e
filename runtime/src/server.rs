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

use crate::manifest::Transport;
use crate::pipeline::{Call, Pipeline, RequestParts, Unresolved, select, unknown_tool};
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
    principal: Option<Arc<str>>,
    listing: Vec<Tool>,
    /// Each listed tool without descriptions and `_meta`, by name.
    lookups: HashMap<String, Tool>,
}

impl McpServer {
    /// A server for `registry` that runs calls through `pipeline`. `tenant`
    /// is the tenant every caller belongs to (from the runtime config).
    pub fn new(registry: Registry, pipeline: Pipeline, tenant: Option<String>) -> Self {
        Self::with_caller(
            registry,
            pipeline,
            Caller {
                tenant,
                principal: None,
            },
        )
    }

    /// A server whose every caller is `caller` (from the runtime config;
    /// the seam where authenticated transports will set it per request).
    pub fn with_caller(registry: Registry, pipeline: Pipeline, caller: Caller) -> Self {
        let Caller { tenant, principal } = caller;
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
                principal: principal.map(Into::into),
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

    /// The tools as `tools/list` shows them to the configured caller.
    pub fn tools(&self) -> Vec<Tool> {
        self.shared
            .listing
            .iter()
            .filter(|tool| self.visible(&tool.name))
            .cloned()
            .collect()
    }

    /// Whether the configured caller may see the tool (or alias) `name`.
    /// Every tool is visible when the spec has no access rules.
    fn visible(&self, name: &str) -> bool {
        let registry = &self.shared.registry;
        let Some(guard) = registry.access() else {
            return true;
        };
        registry.route(name).is_some_and(|route| {
            guard.tool_visible(
                self.shared.principal.as_deref(),
                self.shared.tenant.as_deref(),
                &route.tool,
                route.major.as_ref(),
                jiff::Timestamp::now(),
            )
        })
    }
}

/// Who calls: the tenant and the principal, both from the runtime config.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The tenant.
    pub tenant: Option<String>,
    /// The principal the access rules judge.
    pub principal: Option<String>,
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        self.shared.info.clone()
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        // rmcp asks for the tool on every stateless HTTP call, only to check
        // `Mcp-Param-*` headers against its input schema: hand it the lean
        // copy rather than deep-copying the listing's `_meta`.
        self.shared
            .lookups
            .get(name)
            .filter(|_| self.visible(name))
            .cloned()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        if self.shared.registry.access().is_none() {
            return Ok(ListToolsResult::with_all_items(self.shared.listing.clone()));
        }
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(route) = self.shared.registry.route(&request.name) else {
            return Err(unknown_tool(&request.name));
        };
        let parts = RequestParts {
            progress_token: context.meta.get_progress_token(),
            meta: context.meta.0.0,
            id: context.id,
            cancellation: context.ct,
            peer: Some(context.peer),
            tenant: self.shared.tenant.clone(),
            principal: self.shared.principal.clone(),
        };
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let call = Call::new(Arc::clone(&self.shared.registry), route, arguments, parts);
        self.shared.pipeline.run(call).await.map(Into::into)
    }
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
