//! The OTLP/HTTP exporter of the call spans and the caller's trace context as
//! their OpenTelemetry parent.

use std::collections::HashMap;
use std::time::Duration;

use hyper::Uri;
use hyper::header::{HeaderName, HeaderValue};
use opentelemetry::KeyValue;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use rmcp::model::JsonObject;
use serde_json::Value;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::registry::LookupSpan;

use super::client::Http1Client;
use crate::config::{OtlpConfig, TelemetryConfig};
use crate::manifest;
use crate::pipeline::span;

/// The instrumentation scope the spans are exported under.
const SCOPE: &str = "mcpgen-runtime";

/// The span export of a running server: the tracer provider and its batch
/// exporter.
pub struct Telemetry {
    provider: SdkTracerProvider,
    timeout: Duration,
}

impl Telemetry {
    /// Starts the exporter `config` asks for, if any. The collector is not
    /// contacted here: one that is down at start only loses the spans sent
    /// before it is up, and never stops the server from starting.
    pub fn start(
        config: &TelemetryConfig,
        server: &manifest::Server,
    ) -> Result<Option<Self>, String> {
        let Some(otlp) = &config.otlp else {
            return Ok(None);
        };
        let endpoint = traces_endpoint(&otlp.endpoint)?;
        let headers = headers(otlp)?;
        let timeout = Duration::from_millis(otlp.timeout_ms.max(1));
        let client = Http1Client::new(timeout)
            .map_err(|error| format!("telemetry.otlp: cannot start the exporter: {error}"))?;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(endpoint)
            .with_timeout(timeout)
            .with_headers(headers)
            .with_http_client(client)
            .build()
            .map_err(|error| format!("telemetry.otlp: {error}"))?;
        // The standard detectors first (`OTEL_RESOURCE_ATTRIBUTES`, the SDK's
        // own attributes), then what this server knows of itself.
        let resource = Resource::builder()
            .with_service_name(
                otlp.service_name
                    .clone()
                    .unwrap_or_else(|| server.name.clone()),
            )
            .with_attribute(KeyValue::new("service.version", server.version.clone()))
            .build();
        // The batch exporter works on its own thread with a bounded queue
        // (`OTEL_BSP_*` tune it): ending a span only queues it, and a full
        // queue drops spans instead of holding calls up.
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build();
        Ok(Some(Self { provider, timeout }))
    }

    /// Exports through `provider` instead of the OTLP exporter (an in-process
    /// exporter in tests), waiting at most `timeout` for it at shutdown.
    pub fn from_provider(provider: SdkTracerProvider, timeout: Duration) -> Self {
        Self { provider, timeout }
    }

    /// The layer that turns the call spans (and nothing else) into
    /// OpenTelemetry spans, whatever `RUST_LOG` lets into the log.
    pub fn layer<S>(&self) -> Box<dyn Layer<S> + Send + Sync>
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        // The exported span carries the MCP attributes the pipeline records;
        // source locations, threads and busy/idle times would only add noise,
        // and no other OpenTelemetry instrumentation reads an active context.
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer(SCOPE))
            .with_location(false)
            .with_threads(false)
            .with_target(false)
            .with_tracked_inactivity(false)
            .with_context_activation(false)
            .with_filter(Targets::new().with_target(span::TARGET, tracing::Level::DEBUG))
            .boxed()
    }

    /// Exports what is still queued and stops the exporter, waiting at most
    /// the configured timeout (a collector that is down must not keep the
    /// process from ending).
    pub fn shutdown(self) {
        if let Err(error) = self.provider.shutdown_with_timeout(self.timeout) {
            tracing::warn!(%error, "the last spans may not have reached the OTLP collector");
        }
    }
}

/// Where the spans go: `/v1/traces` under the collector's base URL, as
/// `OTEL_EXPORTER_OTLP_ENDPOINT` is read.
fn traces_endpoint(base: &str) -> Result<String, String> {
    let uri: Uri = base
        .parse()
        .map_err(|error| format!("telemetry.otlp.endpoint `{base}` is not a URL: {error}"))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err(format!(
            "telemetry.otlp.endpoint `{base}` must be an http:// URL with a host \
             (the exporter speaks plain HTTP, as to a collector beside the server)"
        ));
    }
    if uri.query().is_some() {
        return Err(format!(
            "telemetry.otlp.endpoint `{base}` is a base URL and takes no query"
        ));
    }
    Ok(format!("{}/v1/traces", base.trim_end_matches('/')))
}

/// The configured headers, checked here so a malformed one stops the server
/// at start rather than being left out of every export.
fn headers(otlp: &OtlpConfig) -> Result<HashMap<String, String>, String> {
    otlp.headers
        .iter()
        .map(|(name, value)| {
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("telemetry.otlp.headers: `{name}` is not a header name"))?;
            HeaderValue::from_str(&value.0).map_err(|_| {
                format!("telemetry.otlp.headers: the value of `{name}` is not a header value")
            })?;
            Ok((name.clone(), value.0.clone()))
        })
        .collect()
}

/// Makes the caller's span, from W3C `traceparent` (and `tracestate`) in
/// `_meta`, the OpenTelemetry parent of the call's `span`, so the exported
/// span joins the caller's trace. Called before the span is first entered,
/// while its parent can still be set.
pub(crate) fn set_parent(span: &Span, meta: &JsonObject) {
    let context = TraceContextPropagator::new()
        .extract_with_context(&opentelemetry::Context::new(), &Meta(meta));
    // Fails only when no OpenTelemetry layer records the span (export is
    // off), where there is no parent to set.
    let _ = span.set_parent(context);
}

/// `_meta` as a propagation carrier: its string values by key.
struct Meta<'a>(&'a JsonObject);

impl Extractor for Meta<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_the_collectors_base_url() {
        assert_eq!(
            traces_endpoint("http://127.0.0.1:4318").unwrap(),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(
            traces_endpoint("http://collector:4318/otlp/").unwrap(),
            "http://collector:4318/otlp/v1/traces"
        );
        for bad in [
            "https://collector:4318",
            "collector:4318",
            "http://",
            "http://c:4318/?x=1",
            "not a url",
        ] {
            assert!(traces_endpoint(bad).is_err(), "{bad}");
        }
    }
}
