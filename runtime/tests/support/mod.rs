//! What the runtime's integration tests share: a small versioned tool, and
//! the parts of a call made straight into the pipeline, without a client.

// Each test binary uses its own share of these.
#![allow(dead_code)]

use std::sync::Arc;

use mcpgen_runtime::CallToolResult;
use mcpgen_runtime::handler::unstructured;
use mcpgen_runtime::pipeline::RequestParts;
use mcpgen_runtime::registry::{HandlerSet, Registry};
use mcpgen_runtime::tenancy::Tenants;
use rmcp::model::{JsonObject, NumberOrString};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// `echo` 1.0.0 → 2.0.0, which renames `max` to `limit`; the handler
/// answers with the arguments it got.
pub fn echo_registry() -> Arc<Registry> {
    let input = |field: &str| {
        json!({"type": "object", "required": ["q"], "additionalProperties": false,
               "properties": {"q": {"type": "string"}, field: {"type": "integer"}}})
    };
    let manifest = json!({
        "format": mcpgen_runtime::manifest::FORMAT,
        "server": {"name": "t", "version": "1.0.0", "transports": ["stdio"]},
        "versioning": {"meta_prefix": "dev.mcpgen"},
        "tools": [{
            "name": "echo",
            "description": "Echoes its arguments.",
            "versions": [
                {"version": "1.0.0", "input": input("max")},
                {"version": "2.0.0", "request": [{"rename": {"from": "max", "to": "limit"}}],
                 "input": input("limit")}
            ]
        }]
    });
    let mut handlers = HandlerSet::new();
    handlers.insert(
        "echo",
        unstructured(|_context, arguments: Value| async move {
            Ok(CallToolResult::structured(json!({ "args": arguments })))
        }),
    );
    Arc::new(Registry::new(&manifest.to_string(), handlers).expect("the test manifest is valid"))
}

/// The parts of request `id` with `meta`, made by `principal` of `tenant`
/// (served in that tenant's scope), with no client to report progress to.
pub fn parts(
    id: i64,
    meta: JsonObject,
    tenant: Option<&str>,
    principal: Option<&str>,
) -> RequestParts {
    RequestParts {
        meta,
        id: NumberOrString::Number(id),
        cancellation: CancellationToken::new(),
        progress_token: None,
        peer: None,
        tenant: tenant.map(Into::into),
        principal: principal.map(Into::into),
        scope: Tenants::none()
            .admit(tenant)
            .expect("without declared tenants every tenant is served"),
    }
}
