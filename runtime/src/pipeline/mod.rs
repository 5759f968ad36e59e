//! The `tools/call` pipeline: an ordered list of stages, each wrapping the
//! rest. A stage may act before the rest runs, after it, instead of it, or
//! around it (a timeout or retry later), so new policy slots in as a stage
//! without touching dispatch.

mod authorize;
mod invoke;
mod migrate;
mod result;
pub mod span;
mod validate;
mod version;

pub use authorize::{Authorize, CheckVisible, RATE_LIMITED, unknown_tool};
pub use invoke::InvokeHandler;
pub use migrate::MigrateForward;
pub use result::MigrateResult;
pub use validate::{RevalidateMigrated, ValidateArguments};
pub use version::{ResolveVersion, Unresolved, select};

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, JsonObject, ProgressToken, RequestId};
use rmcp::service::{Peer, RoleServer};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::handler::{BoxFuture, ToolContext};
use crate::registry::{Registry, Route, ToolEntry, ToolVersion};
use crate::tenancy::TenantScope;

/// What a stage returns: a tool result (possibly `isError`), or a JSON-RPC
/// error for requests that cannot be routed.
pub type CallOutcome = Result<CallToolResult, ErrorData>;

/// One `tools/call` as it moves through the stages.
pub struct Call {
    /// Everything the server serves.
    pub registry: Arc<Registry>,
    /// The tool being called.
    pub tool: Arc<ToolEntry>,
    /// The name the caller used (a major alias's own name for an alias).
    pub name: Arc<str>,
    /// Who calls, once authenticated (from the runtime config on stdio).
    pub principal: Option<Arc<str>>,
    /// For a major alias (`search_v1`), the versions it may serve.
    pub major: Option<semver::VersionReq>,
    /// The caller's tenant, from verified credentials or the server's config.
    pub tenant: Option<Arc<str>>,
    /// The tenant's config and storage, as the handler gets them.
    pub scope: TenantScope,
    /// The arguments; migration rewrites them in place.
    pub arguments: Value,
    /// The request's `_meta`.
    pub request_meta: JsonObject,
    /// Index of the version the caller resolved to (the newest until
    /// [`ResolveVersion`] runs).
    pub version: usize,
    /// Whether [`ResolveVersion`] settled `version` (a caller asking for an
    /// unserved version leaves it unsettled).
    pub version_resolved: bool,
    /// The JSON-RPC request id.
    pub request_id: RequestId,
    /// Cancelled when the client cancels the request.
    pub cancellation: CancellationToken,
    /// Where progress goes, when the client asked for it.
    pub progress_token: Option<ProgressToken>,
    /// The client connection, for notifications.
    pub peer: Option<Peer<RoleServer>>,
    /// Why the access rules refused the call, when they did. A hidden
    /// tool's answer must not tell (it reads like an unknown tool), so the
    /// reason travels here, to the audit record.
    pub denial: Option<String>,
}

impl Call {
    /// A call of `route` with `arguments`, before any stage ran.
    pub fn new(
        registry: Arc<Registry>,
        route: &Route,
        arguments: Value,
        request: RequestParts,
    ) -> Self {
        Self {
            registry,
            version: route.tool.newest(),
            version_resolved: false,
            tool: route.tool.clone(),
            name: route.alias_listing.as_ref().map_or_else(
                || route.tool.name.as_str().into(),
                |l| l.name.as_ref().into(),
            ),
            principal: request.principal,
            major: route.major.clone(),
            tenant: request.tenant,
            scope: request.scope,
            arguments,
            request_meta: request.meta,
            request_id: request.id,
            cancellation: request.cancellation,
            progress_token: request.progress_token,
            peer: request.peer,
            denial: None,
        }
    }

    /// The version the caller resolved to.
    pub fn resolved(&self) -> &ToolVersion {
        &self.tool.versions[self.version]
    }

    /// The context handed to the tool body.
    pub fn tool_context(&self) -> ToolContext {
        ToolContext {
            caller_version: self.resolved().version.clone(),
            request_id: self.request_id.clone(),
            cancellation: self.cancellation.clone(),
            principal: self.principal.clone(),
            tenant: self.scope.clone(),
            progress_token: self.progress_token.clone(),
            peer: self.peer.clone(),
        }
    }
}

/// What a call carries from its request, apart from the tool and arguments.
pub struct RequestParts {
    /// The request's `_meta`.
    pub meta: JsonObject,
    /// The JSON-RPC request id.
    pub id: RequestId,
    /// Cancelled when the client cancels.
    pub cancellation: CancellationToken,
    /// Where progress goes.
    pub progress_token: Option<ProgressToken>,
    /// The client connection.
    pub peer: Option<Peer<RoleServer>>,
    /// The caller's tenant: from its verified credential, else the
    /// runtime config.
    pub tenant: Option<Arc<str>>,
    /// The caller, when known. Over HTTP with
    /// authentication, the principal its credentials name.
    pub principal: Option<Arc<str>>,
    /// The tenant's config and storage, for the handler.
    pub scope: TenantScope,
}

/// One step of the pipeline.
pub trait Stage: Send + Sync + 'static {
    /// Handles `call`, usually by doing its part and running `next`.
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome>;
}

/// The stages after the current one.
#[derive(Clone, Copy)]
pub struct Next<'a> {
    rest: &'a [Arc<dyn Stage>],
}

impl<'a> Next<'a> {
    /// Runs the remaining stages.
    pub fn run<'b>(self, call: &'b mut Call) -> BoxFuture<'b, CallOutcome>
    where
        'a: 'b,
    {
        match self.rest.split_first() {
            Some((stage, rest)) => stage.run(call, Next { rest }),
            None => Box::pin(std::future::ready(Err(ErrorData::internal_error(
                "the call pipeline ended without a handler stage",
                None,
            )))),
        }
    }
}

/// The ordered stages of `tools/call`.
#[derive(Clone)]
pub struct Pipeline {
    stages: Vec<Arc<dyn Stage>>,
}

impl Pipeline {
    /// The standard pipeline: hide tools the caller may not see → resolve
    /// the version → (migrate the result back on the way out) → validate the
    /// arguments → migrate them to the handler's version → re-validate →
    /// authorize and rate-limit → run the handler. The access stages do
    /// nothing when the spec has no access rules.
    pub fn standard() -> Self {
        Self {
            stages: vec![
                Arc::new(CheckVisible),
                Arc::new(ResolveVersion),
                Arc::new(MigrateResult),
                Arc::new(ValidateArguments),
                Arc::new(MigrateForward),
                Arc::new(RevalidateMigrated),
                Arc::new(Authorize),
                Arc::new(InvokeHandler),
            ],
        }
    }

    /// [`Pipeline::standard`] without the access stages when `registry`'s
    /// spec has no access rules: they would only pass every call on, at
    /// the cost of two more stage hops per call.
    pub fn for_registry(registry: &Registry) -> Self {
        if registry.access().is_some() {
            return Self::standard();
        }
        Self {
            stages: vec![
                Arc::new(ResolveVersion),
                Arc::new(MigrateResult),
                Arc::new(ValidateArguments),
                Arc::new(MigrateForward),
                Arc::new(RevalidateMigrated),
                Arc::new(InvokeHandler),
            ],
        }
    }

    /// A pipeline of exactly these stages.
    pub fn from_stages(stages: Vec<Arc<dyn Stage>>) -> Self {
        Self { stages }
    }

    /// Runs `call` through every stage.
    pub async fn run(&self, mut call: Call) -> CallOutcome {
        self.run_in(&mut call).await
    }

    /// Runs `call` through every stage, leaving what the stages settled
    /// (the resolved version) readable afterwards.
    pub async fn run_in(&self, call: &mut Call) -> CallOutcome {
        let span = span::start(call);
        let outcome = Next { rest: &self.stages }
            .run(call)
            .instrument(span.clone())
            .await;
        span::finish(&span, call, &outcome);
        outcome
    }
}
