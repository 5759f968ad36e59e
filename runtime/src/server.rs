//! The MCP protocol surface: an rmcp `ServerHandler` that lists tools from the
//! registry, routes `tools/call` through the pipeline, and records both in
//! the audit log when there is one.

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, DiscoverResult, Implementation,
    InitializeRequestParams, InitializeResult, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};
use serde_json::Value;
use tracing::Instrument as _;

use crate::audit::{Audit, CallRecord, Received, Recorded};
use crate::auth::Principal;
use crate::manifest::Transport;
use crate::pipeline::span;
use crate::pipeline::{
    Call, CallOutcome, Pipeline, RequestParts, Unresolved, select, unknown_tool,
};
use crate::registry::Registry;
use crate::tenancy::{TenantScope, Tenants};

/// A generated server's protocol handler. Cloning is cheap: the HTTP
/// transport makes one per session.
#[derive(Clone)]
pub struct McpServer {
    shared: Arc<Shared>,
    /// Outside `shared` so that it can be added after construction; `None`
    /// keeps calls free of any audit work.
    audit: Option<Arc<Audit>>,
    /// The tenants served, with their config and storage.
    tenants: Arc<Tenants>,
}

struct Shared {
    transports: Vec<Transport>,
    registry: Arc<Registry>,
    pipeline: Pipeline,
    info: ServerConfig,
    tenant: Option<Arc<str>>,
    principal: Option<Arc<str>>,
    listing: Vec<Tool>,
    /// Each listed tool whose input schema binds arguments to
    /// `Mcp-Param-*` headers (`x-mcp-header`), without descriptions and
    /// `_meta`, by name.
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

    /// A server whose callers are `caller` (from the runtime config), except
    /// requests whose credentials the HTTP layer verified: those are their
    /// principal.
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
            .filter(|tool| binds_headers(&Value::Object((*tool.input_schema).clone())))
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
            audit: None,
            tenants: Arc::new(Tenants::none()),
        }
    }

    /// The server, serving `tenants` (and refusing callers of any other
    /// tenant when some are declared).
    pub fn with_tenants(mut self, tenants: Tenants) -> Self {
        self.tenants = Arc::new(tenants);
        self
    }

    /// The server, recording every request in `audit`.
    pub fn with_audit(mut self, audit: Arc<Audit>) -> Self {
        self.audit = Some(audit);
        self
    }

    /// The audit log, when requests are recorded.
    pub fn audit(&self) -> Option<&Arc<Audit>> {
        self.audit.as_ref()
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
        self.tools_for(&self.configured())
    }

    /// The tools as `tools/list` shows them to `who`: at its tenant's pins,
    /// and only those its access rules let it see.
    fn tools_for(&self, who: &Who) -> Vec<Tool> {
        let listing = if who.tenant == self.shared.tenant {
            self.shared.listing.clone()
        } else {
            // Another tenant than the configured one (an authenticated
            // caller): tools/list is rare enough to build its view anew.
            listing(&self.shared.registry, who.tenant.as_deref())
        };
        if self.shared.registry.access().is_none() {
            return listing;
        }
        listing
            .into_iter()
            .filter(|tool| self.visible(who, &tool.name))
            .collect()
    }

    /// Whether `who` may see the tool (or alias) `name`. Every tool is
    /// visible when the spec has no access rules.
    fn visible(&self, who: &Who, name: &str) -> bool {
        let registry = &self.shared.registry;
        let Some(guard) = registry.access() else {
            return true;
        };
        registry.route(name).is_some_and(|route| {
            guard.tool_visible(
                who.principal.as_deref(),
                who.tenant.as_deref(),
                &route.tool,
                route.major.as_ref(),
                jiff::Timestamp::now(),
            )
        })
    }

    /// The caller the runtime config names.
    fn configured(&self) -> Who {
        Who {
            tenant: self.shared.tenant.clone(),
            principal: self.shared.principal.clone(),
        }
    }

    /// Who makes the request of `context`: the principal the HTTP layer
    /// verified, else the configured caller. A verified principal's tenant
    /// is the spec's (under access rules), else its credential's, else the
    /// configured one; never anything the request itself says.
    fn who(&self, context: &RequestContext<RoleServer>) -> Who {
        let Some(principal) = principal(context) else {
            return self.configured();
        };
        let from_spec = self
            .shared
            .registry
            .access()
            .and_then(|guard| guard.policy().tenant_of(&principal.id).cloned());
        Who {
            tenant: from_spec
                .or(principal.tenant)
                .or_else(|| self.shared.tenant.clone()),
            principal: Some(principal.id),
        }
    }
}

/// The caller of one request.
#[derive(Clone, Debug)]
struct Who {
    tenant: Option<Arc<str>>,
    principal: Option<Arc<str>>,
}

/// The configured caller: the tenant and the principal from the runtime config.
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
        // the `Mcp-Param-*` headers its schema's `x-mcp-header` annotations
        // name. A tool without any has nothing to check, so it is not handed
        // out: that saves a copy per call, and since this lookup cannot tell
        // who asks, it keeps a header check from answering differently for a
        // tool the caller may not see (the pipeline answers it as unknown).
        self.shared.lookups.get(name).cloned()
    }

    // The futures of these handlers are boxed: rmcp holds the future of
    // whichever request it serves inside the task it spawns per request, so
    // the largest of them sets the size of every such task, and tokio moves a
    // task's future by copying it (several times per request over stateless
    // HTTP). Boxed, each is a pointer there.
    fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListToolsResult, ErrorData>> + Send + '_ {
        Box::pin(async move {
            self.answer("tools/list", &context, |who| {
                self.admit(who)
                    .map(|_| ListToolsResult::with_all_items(self.tools_for(who)))
            })
            .await
        })
    }

    // `initialize`, `ping` and `server/discover` do what rmcp's defaults do,
    // and are recorded.
    fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<InitializeResult, ErrorData>> + Send + '_ {
        Box::pin(async move {
            context.peer.set_peer_info(request.clone());
            self.answer("initialize", &context, |_| {
                self.negotiate_initialize(&request)
            })
            .await
        })
    }

    fn ping(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), ErrorData>> + Send + '_ {
        Box::pin(async move { self.answer("ping", &context, |_| Ok(())).await })
    }

    fn discover(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<DiscoverResult, ErrorData>> + Send + '_ {
        Box::pin(async move {
            self.answer("server/discover", &context, |_| {
                Ok(DiscoverResult::from_server_info(
                    self.supported_protocol_versions().into_owned(),
                    self.get_info(),
                ))
            })
            .await
        })
    }

    fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResponse, ErrorData>> + Send + '_ {
        Box::pin(async move {
            match &self.audit {
                None => self.dispatch(request, context).await.map(Into::into),
                Some(audit) => self.audited_call(audit, request, context).await,
            }
        })
    }
}

impl McpServer {
    /// Routes a call through the pipeline.
    async fn dispatch(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> CallOutcome {
        let Some(route) = self.shared.registry.route(&request.name) else {
            return Err(unknown_tool(&request.name));
        };
        let who = self.who(&context);
        let scope = self.admit(&who)?;
        let call = self.call(route, request, context, who, scope);
        self.shared.pipeline.run(call).await
    }

    /// Routes a call through the pipeline and records it; in strict mode the
    /// result is returned only once its record is on disk.
    async fn audited_call(
        &self,
        audit: &Audit,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let received = Received::now();
        let request_id = context.id.clone();
        let recorded = recorded_flag(&context);
        let who = self.who(&context);
        let registry = &self.shared.registry;
        let name = request.name.clone();
        let route = registry.route(&name);
        let arguments = route
            .filter(|route| audit.keeps_arguments(&route.tool))
            .map(|_| Value::Object(request.arguments.clone().unwrap_or_default()));
        let admitted = self.admit(&who);
        let (outcome, version, denial) = match (route, admitted) {
            (None, _) => (Err(unknown_tool(&name)), None, None),
            (Some(_), Err(refusal)) => (Err(refusal), None, None),
            (Some(route), Ok(scope)) => {
                let mut call = self.call(route, request, context, who.clone(), scope);
                let outcome = self.shared.pipeline.run_in(&mut call).await;
                let version = call
                    .version_resolved
                    .then(|| call.resolved().version.clone());
                (outcome, version, call.denial.take())
            }
        };
        let record = CallRecord {
            received,
            request_id: &request_id,
            tenant: who.tenant.as_deref(),
            name: &name,
            tool: route.map(|route| &*route.tool),
            version: version.as_ref(),
            arguments,
            outcome: &outcome,
        };
        let mut entry = audit.call_entry(record, registry);
        entry.principal = who.principal.as_deref().map(str::to_owned);
        entry.denial = denial;
        self.append(audit, &entry).await?;
        if let Some(recorded) = recorded {
            recorded.mark();
        }
        outcome.map(Into::into)
    }

    /// The scope `who` is served in, or the error refusing its tenant.
    fn admit(&self, who: &Who) -> Result<TenantScope, ErrorData> {
        self.tenants
            .admit(who.tenant.as_deref())
            .map_err(|refusal| ErrorData::invalid_request(refusal.to_string(), None))
    }

    /// Answers a request other than `tools/call`: `answer` runs for its
    /// caller inside the request's span, which then records how it ended,
    /// and so does the audit log when there is one.
    async fn answer<T>(
        &self,
        method: &'static str,
        context: &RequestContext<RoleServer>,
        answer: impl FnOnce(&Who) -> Result<T, ErrorData>,
    ) -> Result<T, ErrorData> {
        let span = span::request(method, &context.id, &context.meta);
        async {
            let received = self.audit.as_ref().map(|_| Received::now());
            let who = self.who(context);
            let result = answer(&who);
            let error = result.as_ref().err();
            span::finish_request(
                &span,
                who.tenant.as_deref(),
                who.principal.as_deref(),
                error,
            );
            self.record(received, method, context, &who, error).await?;
            result
        }
        .instrument(span.clone())
        .await
    }

    /// Records a request other than `tools/call` that ended with `error`, or
    /// with a result; `received` is `None` when there is no audit log.
    async fn record(
        &self,
        received: Option<Received>,
        method: &str,
        context: &RequestContext<RoleServer>,
        who: &Who,
        error: Option<&ErrorData>,
    ) -> Result<(), ErrorData> {
        let (Some(audit), Some(received)) = (&self.audit, received) else {
            return Ok(());
        };
        let mut entry =
            audit.request_entry(received, method, &context.id, who.tenant.as_deref(), error);
        entry.principal = who.principal.as_deref().map(str::to_owned);
        self.append(audit, &entry).await?;
        mark_recorded(context);
        Ok(())
    }

    /// Appends `entry`. A strict log that cannot take it fails the request:
    /// no response leaves without its record.
    async fn append(&self, audit: &Audit, entry: &crate::audit::Entry) -> Result<(), ErrorData> {
        match audit.log().append(entry).await {
            Ok(()) => Ok(()),
            Err(error) if audit.log().is_strict() => {
                tracing::error!(%error, "refusing a response whose audit record was not written");
                Err(ErrorData::internal_error(
                    "the audit record of this request could not be written",
                    None,
                ))
            }
            Err(error) => {
                tracing::error!(%error, "an audit record was not written");
                Ok(())
            }
        }
    }

    fn call(
        &self,
        route: &crate::registry::Route,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
        who: Who,
        scope: TenantScope,
    ) -> Call {
        let parts = RequestParts {
            progress_token: context.meta.get_progress_token(),
            meta: context.meta.0.0,
            id: context.id,
            cancellation: context.ct,
            peer: Some(context.peer),
            tenant: who.tenant,
            principal: who.principal,
            scope,
        };
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        Call::new(Arc::clone(&self.shared.registry), route, arguments, parts)
    }
}

/// Whether a schema has an `x-mcp-header` annotation anywhere.
fn binds_headers(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.contains_key("x-mcp-header") || map.values().any(binds_headers),
        Value::Array(items) => items.iter().any(binds_headers),
        _ => false,
    }
}

/// The flag the HTTP layer watches to record requests no handler recorded.
fn recorded_flag(context: &RequestContext<RoleServer>) -> Option<Recorded> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Recorded>())
        .cloned()
}

/// Tells the HTTP layer that the request of `context` has its record.
fn mark_recorded(context: &RequestContext<RoleServer>) {
    if let Some(recorded) = recorded_flag(context) {
        recorded.mark();
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
