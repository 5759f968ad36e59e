//! The OpenTelemetry span of a `tools/call` (the `otlp` feature): the
//! caller's `_meta.traceparent` and `tracestate` become its parent, an
//! invalid one leaves it a root, and it carries the MCP attributes, kind and
//! status. Spans go through the exporter's own layer to an exporter in this
//! process. Alone in its test binary, like `spans.rs`: tracing caches callsite
//! interest process-wide.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpgen_runtime::CallToolResult;
use mcpgen_runtime::handler::unstructured;
use mcpgen_runtime::meta::MetaKeys;
use mcpgen_runtime::pipeline::{Call, Pipeline, RequestParts};
use mcpgen_runtime::registry::{HandlerSet, Registry};
use mcpgen_runtime::telemetry::Telemetry;
use mcpgen_runtime::tenancy::Tenants;
use opentelemetry::trace::{SpanId, SpanKind, Status, TraceId};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use rmcp::model::{JsonObject, NumberOrString};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::layer::SubscriberExt;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

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
    let parts = RequestParts {
        meta,
        id: NumberOrString::Number(1),
        cancellation: CancellationToken::new(),
        progress_token: None,
        peer: None,
        tenant: Some("acme".into()),
        principal: Some("alice".into()),
        scope: Tenants::none().admit(Some("acme")).unwrap(),
    };
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
    let registry = registry();
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
