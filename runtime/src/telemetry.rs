//! Export of the `tools/call` spans to an OpenTelemetry collector, as the
//! runtime config's `telemetry.otlp` asks, in binaries built with the `otlp`
//! feature.
//!
//! The export never sits on the request path: a finished span is queued for
//! a batch exporter on its own thread, and when the queue is full (a slow or
//! unreachable collector) spans are dropped, not waited for.

#[cfg(feature = "otlp")]
mod client;
#[cfg(feature = "otlp")]
mod otlp;

#[cfg(feature = "otlp")]
pub use otlp::Telemetry;
#[cfg(feature = "otlp")]
pub(crate) use otlp::set_parent;

#[cfg(not(feature = "otlp"))]
pub use disabled::Telemetry;

#[cfg(not(feature = "otlp"))]
mod disabled {
    use tracing_subscriber::Layer;
    use tracing_subscriber::registry::LookupSpan;

    use crate::config::TelemetryConfig;
    use crate::manifest;

    /// The span export of a running server. Without the `otlp` feature there
    /// is none: the type has no values.
    pub enum Telemetry {}

    impl Telemetry {
        /// Refuses a config that asks for OTLP export: an operator who set it
        /// expects the spans, and a server that quietly drops them would hide
        /// the mistake until the traces are needed.
        pub fn start(
            config: &TelemetryConfig,
            _server: &manifest::Server,
        ) -> Result<Option<Self>, String> {
            match config.otlp {
                None => Ok(None),
                Some(_) => Err(
                    "`telemetry.otlp` is set, but this server was built without OTLP export; \
                     build it with `--features otlp`"
                        .to_owned(),
                ),
            }
        }

        /// The layer that exports the call spans.
        pub fn layer<S>(&self) -> Box<dyn Layer<S> + Send + Sync>
        where
            S: tracing::Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
        {
            match *self {}
        }

        /// Exports what is still queued and stops the exporter.
        pub fn shutdown(self) {
            match self {}
        }
    }

    #[cfg(test)]
    mod tests {
        use crate::config::{OtlpConfig, TelemetryConfig};
        use crate::manifest;

        use super::Telemetry;

        #[test]
        fn a_server_without_the_feature_refuses_an_otlp_config() {
            let server: manifest::Server = serde_json::from_value(serde_json::json!({
                "name": "t", "version": "1.0.0", "transports": ["stdio"]
            }))
            .unwrap();
            assert!(matches!(
                Telemetry::start(&TelemetryConfig::default(), &server),
                Ok(None)
            ));
            let config = TelemetryConfig {
                otlp: Some(OtlpConfig {
                    endpoint: "http://127.0.0.1:4318".into(),
                    service_name: None,
                    headers: Default::default(),
                    timeout_ms: 5000,
                }),
            };
            let Err(message) = Telemetry::start(&config, &server) else {
                panic!("an OTLP config was accepted without the feature");
            };
            assert!(message.contains("`telemetry.otlp`"), "{message}");
            assert!(message.contains("--features otlp"), "{message}");
        }
    }
}
