//! Access rules enforced by the generated server's pipeline and listing:
//! hidden tools answer exactly like unknown ones, argument conditions judge
//! the migrated arguments, rate limits answer with a retry hint, and a spec
//! without rules enforces nothing.

mod support;

use std::sync::Arc;

use mcpgen_runtime::CallToolResult;
use mcpgen_runtime::handler::unstructured;
use mcpgen_runtime::pipeline::{Call, Pipeline, RATE_LIMITED};
use mcpgen_runtime::registry::{HandlerSet, Registry};
use mcpgen_runtime::server::{Caller, McpServer};
use rmcp::model::JsonObject;
use serde_json::{Value, json};

fn tool(name: &str) -> Value {
    json!({
        "name": name,
        "description": "d",
        "versions": [
            {"version": "1.0.0", "input": {"type": "object", "properties": {"path": {"type": "string"}}}},
            {"version": "2.0.0", "input": {"type": "object", "properties": {"path": {"type": "string"}}}}
        ]
    })
}

/// A manifest with `access` as its rules; `Value::Null` for none.
fn manifest(access: Value) -> String {
    let mut manifest = json!({
        "format": mcpgen_runtime::manifest::FORMAT,
        "server": {"name": "t", "version": "1.0.0", "transports": ["stdio"]},
        "versioning": {"meta_prefix": "dev.mcpgen"},
        "tenants": [{"id": "acme"}, {"id": "other"}],
        "tools": [tool("read_file"), tool("write_file"), tool("search")],
    });
    if !access.is_null() {
        manifest["access"] = access;
    }
    manifest.to_string()
}

fn rules() -> Value {
    json!({
        "roles": [{
            "id": "reader",
            "capabilities": [{
                "resource": "tools/read_*",
                "actions": ["execute"],
                "constraints": {"arguments": {"path": {"starts_with": "/srv/public"}}}
            }]
        }],
        "principals": [
            {"id": "alice", "tenant": "acme", "roles": ["reader"], "capabilities": [
                {"resource": "tools/search@^2", "actions": ["execute"],
                 "constraints": {"rate_limit": {"requests": 2, "per": "1h"}}},
                {"resource": "tools/write_file", "actions": ["execute"],
                 "constraints": {"valid_until": "2000-01-01"}}
            ]},
            {"id": "bob", "tenant": "other", "capabilities": [
                {"resource": "tools/search", "actions": ["list"]}
            ]}
        ]
    })
}

fn registry(access: Value) -> Arc<Registry> {
    Arc::new(Registry::new(&manifest(access), handlers()).expect("valid manifest"))
}

fn handlers() -> HandlerSet {
    let mut handlers = HandlerSet::new();
    for name in ["read_file", "write_file", "search"] {
        handlers.insert(
            name,
            unstructured(|_context, arguments: Value| async move {
                Ok(CallToolResult::structured(json!({ "args": arguments })))
            }),
        );
    }
    handlers
}

async fn call(
    registry: &Arc<Registry>,
    principal: Option<&str>,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, rmcp::ErrorData> {
    let Some(route) = registry.route(name) else {
        return Err(mcpgen_runtime::pipeline::unknown_tool(name));
    };
    let parts = support::parts(1, JsonObject::new(), None, principal);
    let call = Call::new(Arc::clone(registry), route, arguments, parts);
    Pipeline::standard().run(call).await
}

fn listed(access: Value, principal: Option<&str>) -> Vec<String> {
    let registry = Arc::try_unwrap(registry(access)).ok().expect("sole owner");
    let caller = Caller {
        tenant: None,
        principal: principal.map(Into::into),
    };
    McpServer::with_caller(registry, Pipeline::standard(), caller)
        .tools()
        .iter()
        .map(|t| t.name.to_string())
        .collect()
}

#[tokio::test]
async fn hidden_tools_answer_exactly_like_unknown_tools() {
    let registry = registry(rules());
    let unknown = call(&registry, Some("alice"), "no_such_tool", json!({}))
        .await
        .unwrap_err();
    // Expired capability, no capability at all, unknown principal, no principal.
    for (principal, tool) in [
        (Some("alice"), "write_file"),
        (Some("bob"), "read_file"),
        (Some("mallory"), "search"),
        (None, "search"),
    ] {
        let hidden = call(&registry, principal, tool, json!({}))
            .await
            .unwrap_err();
        assert_eq!(hidden.code, unknown.code, "{principal:?} {tool}");
        assert_eq!(hidden.message, format!("Unknown tool: {tool}"));
        assert_eq!(hidden.data, unknown.data);
    }
}

#[tokio::test]
async fn allowed_calls_run_and_argument_conditions_deny_visibly() {
    let registry = registry(rules());
    let ok = call(
        &registry,
        Some("alice"),
        "read_file",
        json!({"path": "/srv/public/a"}),
    )
    .await
    .unwrap();
    assert_ne!(ok.is_error, Some(true));
    let denied = call(
        &registry,
        Some("alice"),
        "read_file",
        json!({"path": "/etc/passwd"}),
    )
    .await
    .unwrap();
    assert_eq!(denied.is_error, Some(true));
    let text = serde_json::to_string(&denied.content).unwrap();
    assert!(
        text.contains("argument `path` must start with `/srv/public`"),
        "{text}"
    );
}

#[tokio::test]
async fn listed_but_not_executable_tools_deny_visibly() {
    let registry = registry(rules());
    let denied = call(&registry, Some("bob"), "search", json!({}))
        .await
        .unwrap();
    assert_eq!(denied.is_error, Some(true));
}

#[tokio::test]
async fn rate_limits_answer_with_a_retry_hint_per_principal() {
    let registry = registry(rules());
    for _ in 0..2 {
        call(&registry, Some("alice"), "search", json!({}))
            .await
            .unwrap();
    }
    let limited = call(&registry, Some("alice"), "search", json!({}))
        .await
        .unwrap_err();
    assert_eq!(limited.code.0, RATE_LIMITED);
    let retry = limited.data.as_ref().unwrap()["retryAfterMs"]
        .as_u64()
        .unwrap();
    assert!(retry > 0 && retry <= 30 * 60 * 1000, "{retry}");
    assert!(limited.message.contains("retry after"));
}

#[test]
fn listing_shows_what_the_caller_may_list_or_execute() {
    assert_eq!(listed(rules(), Some("alice")), ["read_file", "search"]);
    assert_eq!(listed(rules(), Some("bob")), ["search"]);
    assert!(listed(rules(), Some("mallory")).is_empty());
    assert!(listed(rules(), None).is_empty());
}

#[tokio::test]
async fn without_rules_nothing_is_enforced() {
    let registry = registry(Value::Null);
    for tool in ["read_file", "write_file", "search"] {
        call(&registry, None, tool, json!({"path": "/etc"}))
            .await
            .unwrap();
    }
    assert_eq!(listed(Value::Null, None).len(), 3);
}

#[tokio::test]
async fn an_empty_rule_set_denies_everything() {
    // Rules that are present but grant nothing fail closed, never open.
    let registry = registry(json!({}));
    for principal in [None, Some("alice")] {
        for tool in ["read_file", "write_file", "search"] {
            let refused = call(&registry, principal, tool, json!({"path": "/srv/public/a"}))
                .await
                .unwrap_err();
            assert_eq!(refused, mcpgen_runtime::pipeline::unknown_tool(tool));
        }
        assert!(listed(json!({}), principal).is_empty());
    }
}

fn limited_rules(requests: u32, per: &str) -> Value {
    json!({
        "roles": [{"id": "limited", "capabilities": [
            {"resource": "tools/*", "actions": ["execute"],
             "constraints": {"rate_limit": {"requests": requests, "per": per}}}
        ]}],
        "principals": [
            {"id": "p", "tenant": "acme", "roles": ["limited"]},
            {"id": "q", "tenant": "acme", "roles": ["limited"]},
            {"id": "r", "tenant": "other", "roles": ["limited"]}
        ]
    })
}

#[tokio::test]
async fn buckets_are_per_principal_and_per_tool() {
    let registry = registry(limited_rules(1, "1h"));
    call(&registry, Some("p"), "search", json!({}))
        .await
        .unwrap();
    let limited = call(&registry, Some("p"), "search", json!({}))
        .await
        .unwrap_err();
    assert_eq!(limited.code.0, RATE_LIMITED);
    // Another tool of the same principal, and other principals of the same
    // and of another tenant, have buckets of their own.
    call(&registry, Some("p"), "read_file", json!({}))
        .await
        .unwrap();
    call(&registry, Some("q"), "search", json!({}))
        .await
        .unwrap();
    call(&registry, Some("r"), "search", json!({}))
        .await
        .unwrap();
}

#[tokio::test]
async fn callers_the_spec_does_not_declare_never_create_buckets() {
    // A flood of made-up principals (or none) must not grow the limiter.
    let registry = registry(limited_rules(1000, "1h"));
    let limits = registry.access().expect("rules").limits();
    for n in 0..2000 {
        let principal = format!("mallory-{n}");
        let refused = call(&registry, Some(&principal), "search", json!({}))
            .await
            .unwrap_err();
        assert_eq!(refused.code.0, -32602);
    }
    call(&registry, None, "search", json!({}))
        .await
        .unwrap_err();
    assert_eq!(limits.buckets(), 0);
}

#[tokio::test]
async fn refilled_buckets_are_swept() {
    let registry = registry(limited_rules(1000, "1s"));
    let limits = registry.access().expect("rules").limits();
    for principal in ["p", "q", "r"] {
        call(&registry, Some(principal), "search", json!({}))
            .await
            .unwrap();
    }
    assert_eq!(limits.buckets(), 3);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    limits.sweep();
    assert_eq!(limits.buckets(), 0);
}

#[test]
fn rules_that_do_not_compile_stop_the_server() {
    let bad = json!({"principals": [{"id": "p", "tenant": "acme", "capabilities": [
        {"resource": "tools/[ab]", "actions": ["execute"]}
    ]}]});
    let error = Registry::new(&manifest(bad), handlers())
        .err()
        .expect("refused");
    assert!(error.to_string().contains("access rules"), "{error}");
}

/// Runs `name` as `principal` and returns the answer and the reason the
/// access stages left for the audit record.
async fn call_with_denial(
    registry: &Arc<Registry>,
    principal: &str,
    name: &str,
    arguments: Value,
) -> (Result<CallToolResult, rmcp::ErrorData>, Option<String>) {
    let parts = support::parts(1, JsonObject::new(), None, Some(principal));
    let route = registry.route(name).expect("the tool exists");
    let mut call = Call::new(Arc::clone(registry), route, arguments, parts);
    let outcome = Pipeline::standard().run_in(&mut call).await;
    (outcome, call.denial)
}

#[tokio::test]
async fn the_real_reason_of_a_denial_is_kept_for_the_audit_record() {
    let registry = registry(rules());
    // Hidden: answered as unknown, but the reason names principal and tool.
    let (hidden, reason) = call_with_denial(&registry, "bob", "read_file", json!({})).await;
    assert_eq!(hidden.unwrap_err().message, "Unknown tool: read_file");
    let reason = reason.expect("a hidden tool keeps its reason");
    assert!(
        reason.starts_with("hidden") && reason.contains("`bob`") && reason.contains("`read_file`"),
        "{reason}"
    );
    // Visible but denied by an argument condition.
    let (_, reason) = call_with_denial(
        &registry,
        "alice",
        "read_file",
        json!({"path": "/etc/passwd"}),
    )
    .await;
    let reason = reason.expect("a denial keeps its reason");
    assert!(
        reason.starts_with("denied:") && reason.contains("/srv/public"),
        "{reason}"
    );
    // Allowed calls carry no denial.
    let (ok, reason) = call_with_denial(
        &registry,
        "alice",
        "read_file",
        json!({"path": "/srv/public/a"}),
    )
    .await;
    assert!(ok.is_ok());
    assert_eq!(reason, None);
}

#[test]
fn only_tools_that_bind_headers_are_handed_to_the_header_check() {
    // rmcp's `Mcp-Param-*` check looks tools up without saying who asks:
    // a tool whose schema binds no header is never handed out, so the check
    // cannot answer differently for a tool the caller may not see.
    use rmcp::ServerHandler as _;
    let mut manifest: Value = serde_json::from_str(&manifest(rules())).unwrap();
    manifest["tools"][0]["versions"][1]["input"]["properties"]["path"]["x-mcp-header"] =
        json!("Path");
    let registry = Registry::new(&manifest.to_string(), handlers()).unwrap();
    let server = McpServer::with_caller(registry, Pipeline::standard(), Caller::default());
    assert!(server.get_tool("read_file").is_some());
    assert!(server.get_tool("write_file").is_none());
    assert!(server.get_tool("search").is_none());
    assert!(server.get_tool("nonexistent").is_none());
}
