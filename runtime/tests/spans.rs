//! The tracing span of a `tools/call`: its MCP attributes, the resolved
//! version, tenant, principal and outcome, and the caller's trace context.
//! Alone in its test binary: tracing caches callsite interest process-wide,
//! so a span test beside other tests that run without a subscriber is flaky.

use std::collections::BTreeMap;
use std::sync::Arc;

use mcpgen_runtime::CallToolResult;
use mcpgen_runtime::handler::unstructured;
use mcpgen_runtime::meta::MetaKeys;
use mcpgen_runtime::pipeline::{Call, Pipeline, RequestParts};
use mcpgen_runtime::registry::{HandlerSet, Registry};
use mcpgen_runtime::tenancy::Tenants;
use rmcp::model::{JsonObject, NumberOrString};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// `echo` 1.0.0 → 2.0.0, which renames `max` to `limit`.
fn registry() -> Arc<Registry> {
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

/// The fields of every closed span, as text.
#[derive(Clone, Default)]
struct Spans(Arc<std::sync::Mutex<Vec<BTreeMap<String, String>>>>);

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S> tracing_subscriber::Layer<S> for Spans
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attributes: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        context: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields::default();
        attributes.record(&mut fields);
        fields
            .0
            .insert("name".into(), attributes.metadata().name().into());
        context.span(id).unwrap().extensions_mut().insert(fields);
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        context: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let span = context.span(id).unwrap();
        let mut extensions = span.extensions_mut();
        values.record(extensions.get_mut::<Fields>().unwrap());
    }

    fn on_close(&self, id: tracing::span::Id, context: tracing_subscriber::layer::Context<'_, S>) {
        let span = context.span(&id).unwrap();
        let fields = span.extensions_mut().remove::<Fields>().unwrap();
        self.0.lock().unwrap().push(fields.0);
    }
}

#[tokio::test]
async fn each_call_gets_a_span_with_the_mcp_attributes_and_the_callers_trace() {
    use tracing_subscriber::layer::SubscriberExt;

    let spans = Spans::default();
    let filter = tracing_subscriber::filter::Targets::new().with_target(
        mcpgen_runtime::pipeline::span::TARGET,
        tracing::Level::DEBUG,
    );
    let subscriber = tracing_subscriber::registry()
        .with(spans.clone())
        .with(filter);
    let _guard = tracing::subscriber::set_default(subscriber);
    let registry = registry();
    let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    let route = registry.route("echo").unwrap();
    let mut meta = JsonObject::new();
    meta.insert(MetaKeys::default().tool_version, json!("1.0.0"));
    meta.insert("traceparent".into(), json!(trace));
    let parts = RequestParts {
        meta,
        id: NumberOrString::Number(7),
        cancellation: CancellationToken::new(),
        progress_token: None,
        peer: None,
        tenant: Some("acme".into()),
        principal: Some("alice".into()),
        scope: Tenants::none().admit(None).unwrap(),
    };
    let call = Call::new(Arc::clone(&registry), route, json!({"q": "hi"}), parts);
    let result = Pipeline::standard().run(call).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let route = registry.route("echo").unwrap();
    let parts = RequestParts {
        meta: JsonObject::new(),
        id: NumberOrString::Number(8),
        cancellation: CancellationToken::new(),
        progress_token: None,
        peer: None,
        tenant: None,
        principal: None,
        scope: Tenants::none().admit(None).unwrap(),
    };
    let call = Call::new(Arc::clone(&registry), route, json!({"message": 5}), parts);
    Pipeline::standard().run(call).await.unwrap();

    let spans = spans.0.lock().unwrap().clone();
    assert_eq!(spans.len(), 2, "{spans:#?}");
    let first = &spans[0];
    for (field, value) in [
        ("name", "tools/call"),
        ("otel.name", "tools/call echo"),
        ("otel.kind", "server"),
        ("mcp.method.name", "tools/call"),
        ("gen_ai.operation.name", "execute_tool"),
        ("gen_ai.tool.name", "echo"),
        ("jsonrpc.request.id", "7"),
        ("mcp.tool.version", "1.0.0"),
        ("mcp.tenant", "acme"),
        ("enduser.id", "alice"),
        ("outcome", "ok"),
        ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("parent_span_id", "00f067aa0ba902b7"),
    ] {
        assert_eq!(
            first.get(field).map(String::as_str),
            Some(value),
            "{field}: {first:#?}"
        );
    }
    assert!(!first.contains_key("error.type"));
    assert!(!first.contains_key("otel.status_code"));
    let second = &spans[1];
    assert_eq!(
        second.get("error.type").map(String::as_str),
        Some("tool_error"),
        "{second:#?}"
    );
    assert_eq!(
        second.get("otel.status_code").map(String::as_str),
        Some("error")
    );
    assert_eq!(
        second.get("mcp.tool.version").map(String::as_str),
        Some("2.0.0")
    );
    assert!(!second.contains_key("trace_id"));
}
