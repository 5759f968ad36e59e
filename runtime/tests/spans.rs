//! The tracing span of a `tools/call`: its MCP attributes, the resolved
//! version, tenant, principal and outcome, and the caller's trace context.
//! Alone in its test binary: tracing caches callsite interest process-wide,
//! so a span test beside other tests that run without a subscriber is flaky.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use mcpgen_runtime::meta::MetaKeys;
use mcpgen_runtime::pipeline::{Call, Pipeline};
use rmcp::model::JsonObject;
use serde_json::json;

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
    let registry = support::echo_registry();
    let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    let route = registry.route("echo").unwrap();
    let mut meta = JsonObject::new();
    meta.insert(MetaKeys::default().tool_version, json!("1.0.0"));
    meta.insert("traceparent".into(), json!(trace));
    let parts = support::parts(7, meta, Some("acme"), Some("alice"));
    let call = Call::new(Arc::clone(&registry), route, json!({"q": "hi"}), parts);
    let result = Pipeline::standard().run(call).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let route = registry.route("echo").unwrap();
    let parts = support::parts(8, JsonObject::new(), None, None);
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
