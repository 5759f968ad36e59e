//! The tracing span of each request (`tools/call` and the others), named and
//! attributed after the OpenTelemetry semantic conventions for MCP, with the caller's trace
//! context from `_meta.traceparent`: recorded as attributes, and, when the
//! spans are exported ([`crate::telemetry`]), as the exported span's parent.

use rmcp::ErrorData;
use rmcp::model::{JsonObject, RequestId};
use serde_json::Value;
use tracing::Span;
use tracing::field::Empty;

use super::{Call, CallOutcome};

/// Where the spans go: `RUST_LOG=mcpgen_runtime::call=debug` shows them.
/// At debug level they cost nothing unless a subscriber asks for them.
pub const TARGET: &str = "mcpgen_runtime::call";

/// The span of `call`, before any stage ran.
pub(super) fn start(call: &Call) -> Span {
    let span = tracing::debug_span!(
        target: TARGET,
        "tools/call",
        otel.name = %format_args!("tools/call {}", call.name),
        otel.kind = "server",
        mcp.method.name = "tools/call",
        gen_ai.operation.name = "execute_tool",
        gen_ai.tool.name = %call.name,
        jsonrpc.request.id = %call.request_id,
        mcp.tool.version = Empty,
        mcp.tenant = Empty,
        enduser.id = Empty,
        error.type = Empty,
        otel.status_code = Empty,
        outcome = Empty,
        trace_id = Empty,
        parent_span_id = Empty,
    );
    if span.is_disabled() {
        return span;
    }
    if let Some(tenant) = &call.tenant {
        span.record("mcp.tenant", &**tenant);
    }
    if let Some(principal) = &call.principal {
        span.record("enduser.id", &**principal);
    }
    adopt_parent(&span, &call.request_meta);
    span
}

/// Makes the caller's span in `meta` (if any) the parent of `span`.
fn adopt_parent(span: &Span, meta: &JsonObject) {
    if let Some(parent) = traceparent(meta) {
        span.record("trace_id", parent.trace_id);
        span.record("parent_span_id", parent.span_id);
        // Only a traceparent this parser accepts becomes the parent, so the
        // attributes and the exported parent never disagree.
        #[cfg(feature = "otlp")]
        crate::telemetry::set_parent(span, meta);
    }
}

/// The span of a request other than `tools/call` (`tools/list`,
/// `initialize`, `ping`, `server/discover`); [`finish_request`] records who
/// made it and how it ended.
pub fn request(method: &'static str, id: &RequestId, meta: &JsonObject) -> Span {
    let span = tracing::debug_span!(
        target: TARGET,
        "request",
        otel.name = method,
        otel.kind = "server",
        mcp.method.name = method,
        jsonrpc.request.id = %id,
        mcp.tenant = Empty,
        enduser.id = Empty,
        error.type = Empty,
        otel.status_code = Empty,
        outcome = Empty,
        trace_id = Empty,
        parent_span_id = Empty,
    );
    if !span.is_disabled() {
        adopt_parent(&span, meta);
    }
    span
}

/// Records the caller and the outcome of a [`request`] span.
pub fn finish_request(
    span: &Span,
    tenant: Option<&str>,
    principal: Option<&str>,
    error: Option<&ErrorData>,
) {
    if span.is_disabled() {
        return;
    }
    if let Some(tenant) = tenant {
        span.record("mcp.tenant", tenant);
    }
    if let Some(principal) = principal {
        span.record("enduser.id", principal);
    }
    match error {
        Some(error) => {
            span.record("error.type", tracing::field::display(error.code.0));
            span.record("otel.status_code", "error");
            span.record("outcome", "protocol_error");
        }
        None => {
            span.record("outcome", "ok");
        }
    }
}

/// Records how `call` ended on its span.
pub(super) fn finish(span: &Span, call: &Call, outcome: &CallOutcome) {
    if span.is_disabled() {
        return;
    }
    if call.version_resolved {
        span.record(
            "mcp.tool.version",
            tracing::field::display(&call.resolved().version),
        );
    }
    // `error.type` as the conventions define it: the JSON-RPC code, or
    // `tool_error` for an `isError` result; either makes the span's status
    // an error.
    match outcome {
        Err(error) => {
            span.record("error.type", tracing::field::display(error.code.0));
            span.record("otel.status_code", "error");
            span.record("outcome", "protocol_error");
        }
        Ok(result) if result.is_error == Some(true) => {
            span.record("error.type", "tool_error");
            span.record("otel.status_code", "error");
            span.record("outcome", "tool_error");
        }
        Ok(_) => {
            span.record("outcome", "ok");
        }
    }
}

/// The caller's span, from a W3C `traceparent` in `_meta`.
struct TraceParent<'a> {
    trace_id: &'a str,
    span_id: &'a str,
}

/// Parses `_meta.traceparent` (W3C Trace Context, version 00): anything
/// malformed is ignored, as the spec asks of receivers.
fn traceparent(meta: &JsonObject) -> Option<TraceParent<'_>> {
    let Some(Value::String(header)) = meta.get("traceparent") else {
        return None;
    };
    let mut parts = header.split('-');
    let (version, trace_id, span_id, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |text: &str, len: usize| {
        text.len() == len
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let zero = |text: &str| text.bytes().all(|b| b == b'0');
    let valid = version == "00"
        && parts.next().is_none()
        && hex(trace_id, 32)
        && !zero(trace_id)
        && hex(span_id, 16)
        && !zero(span_id)
        && hex(flags, 2);
    valid.then_some(TraceParent { trace_id, span_id })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Option<(String, String)> {
        let mut meta = JsonObject::new();
        meta.insert("traceparent".into(), value);
        traceparent(&meta).map(|p| (p.trace_id.to_owned(), p.span_id.to_owned()))
    }

    #[test]
    fn a_w3c_traceparent_names_the_callers_trace_and_span() {
        assert_eq!(
            parse(json!(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            )),
            Some((
                "4bf92f3577b34da6a3ce929d0e0e4736".into(),
                "00f067aa0ba902b7".into()
            ))
        );
    }

    #[test]
    fn malformed_traceparents_are_ignored() {
        for bad in [
            json!("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            json!("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
            json!("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
            json!("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
            json!("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"),
            json!("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"),
            json!(42),
        ] {
            assert_eq!(parse(bad.clone()), None, "{bad}");
        }
    }
}
