//! The OpenTelemetry span of a `tools/call` (the `otlp` feature): the
//! caller's `_meta.traceparent` and `tracestate` become its parent, an
//! invalid one leaves it a root, and it carries the MCP attributes, kind and
//! status. Spans go through the exporter's own layer to an exporter in this
//! process. Alone in its test binary, like `spans.rs`: tracing caches callsite
//! interest process-wide.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpgen_runtime::meta::MetaKeys;
use mcpgen_runtime::pipeline::{Call, Pipeline};
use mcpgen_runtime::registry::Registry;
use mcpgen_runtime::telemetry::Telemetry;
use opentelemetry::trace::{SpanId, SpanKind, Status, TraceId};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use rmcp::model::JsonObject;
use serde_json::{Value, json};
use tracing_subscriber::layer::SubscriberExt;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

/// Keeps every exported span.
#[derive(Clone, Debug, Default)]
struct Exported(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Exported {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().unwrap().extend(batch);
        Ok(())
    }
}

async fn call(registry: &Arc<Registry>, meta: JsonObject, arguments: Value) {
    let route = registry.route("echo").unwrap();
    let parts = support::parts(1, meta, Some("acme"), Some("alice"));
    let call = Call::new(Arc::clone(registry), route, arguments, parts);
    Pipeline::standard().run(call).await.unwrap();
}

fn meta(entries: &[(&str, Value)]) -> JsonObject {
    entries
        .iter()
        .map(|(key, value)| ((*key).to_owned(), value.clone()))
        .collect()
}

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.to_string())
}

#[tokio::test]
async fn the_callers_traceparent_becomes_the_exported_spans_parent() {
    let exported = Exported::default();
    // The simple processor exports as each span ends, so nothing waits on a
    // batch here; the server uses the batch one.
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exported.clone())
        .build();
    let telemetry = Telemetry::from_provider(provider, Duration::from_secs(5));
    let subscriber = tracing_subscriber::registry().with(telemetry.layer());
    let _guard = tracing::subscriber::set_default(subscriber);
    let registry = support::echo_registry();
    let version = MetaKeys::default().tool_version;

    call(
        &registry,
        meta(&[
            ("traceparent", json!(format!("00-{TRACE}-{PARENT}-01"))),
            ("tracestate", json!("vendor=opaque")),
            (&version, json!("1.0.0")),
        ]),
        json!({"q": "hi", "max": 3}),
    )
    .await;
    call(&registry, JsonObject::new(), json!({"q": 5})).await;
    call(
        &registry,
        meta(&[(
            "traceparent",
            json!(format!("00-{}-{PARENT}-01", TRACE.to_uppercase())),
        )]),
        json!({"q": "hi"}),
    )
    .await;
    telemetry.shutdown();

    let spans = exported.0.lock().unwrap().clone();
    assert_eq!(spans.len(), 3, "{spans:#?}");
    for span in &spans {
        assert_eq!(span.name, "tools/call echo");
        assert_eq!(span.span_kind, SpanKind::Server);
        assert_eq!(span.instrumentation_scope.name(), "mcpgen-runtime");
        for (key, value) in [
            ("mcp.method.name", "tools/call"),
            ("gen_ai.operation.name", "execute_tool"),
            ("gen_ai.tool.name", "echo"),
            ("mcp.tenant", "acme"),
            ("enduser.id", "alice"),
        ] {
            assert_eq!(attribute(span, key).as_deref(), Some(value), "{key}");
        }
    }

    let parented = &spans[0];
    assert_eq!(
        parented.span_context.trace_id(),
        TraceId::from_hex(TRACE).unwrap()
    );
    assert_eq!(parented.parent_span_id, SpanId::from_hex(PARENT).unwrap());
    assert!(parented.parent_span_is_remote);
    assert_ne!(
        parented.span_context.span_id(),
        SpanId::from_hex(PARENT).unwrap()
    );
    assert_eq!(
        parented.span_context.trace_state().get("vendor"),
        Some("opaque")
    );
    assert_eq!(
        attribute(parented, "mcp.tool.version").as_deref(),
        Some("1.0.0")
    );
    assert_eq!(attribute(parented, "outcome").as_deref(), Some("ok"));
    assert_eq!(attribute(parented, "trace_id").as_deref(), Some(TRACE));
    assert_eq!(parented.status, Status::Unset);

    // Without a traceparent, and with one that is not valid (upper-case
    // hex), the span starts a trace of its own.
    for root in &spans[1..] {
        assert_eq!(root.parent_span_id, SpanId::INVALID, "{root:#?}");
        assert_ne!(
            root.span_context.trace_id(),
            TraceId::from_hex(TRACE).unwrap()
        );
        assert!(attribute(root, "trace_id").is_none());
    }
    assert_ne!(
        spans[1].span_context.trace_id(),
        spans[2].span_context.trace_id()
    );
    let failed = &spans[1];
    assert_eq!(
        attribute(failed, "error.type").as_deref(),
        Some("tool_error")
    );
    assert_eq!(attribute(failed, "outcome").as_deref(), Some("tool_error"));
    assert!(matches!(failed.status, Status::Error { .. }), "{failed:#?}");
}
