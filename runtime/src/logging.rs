//! The log of a running server: what goes to stderr, filtered by `RUST_LOG`,
//! and beside it the span exporter's layer when spans are exported.

use tracing::Subscriber;
use tracing_subscriber::filter::FilterExt as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

use crate::telemetry::Telemetry;

/// What is logged when `RUST_LOG` is not set.
const DEFAULT_FILTER: &str = "warn,mcpgen_runtime=info";

/// Installs the process's subscriber. Logs go to stderr (on stdio, stdout
/// carries only JSON-RPC). With span export, the exporter's layer has a
/// filter of its own, so `RUST_LOG` does not decide what is exported.
pub(crate) fn init(telemetry: Option<&Telemetry>) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = subscriber(filter, telemetry).try_init();
}

fn subscriber(
    filter: EnvFilter,
    telemetry: Option<&Telemetry>,
) -> Box<dyn Subscriber + Send + Sync> {
    // rmcp's debug and trace events print whole messages, arguments and
    // results included: whatever RUST_LOG says, they would put callers'
    // secrets in the log.
    let no_rmcp_dumps = tracing_subscriber::filter::filter_fn(|metadata| {
        !metadata.target().starts_with("rmcp") || *metadata.level() <= tracing::Level::INFO
    });
    // One filter, not two stacked ones, so that the env filter's verdict
    // settles each callsite once and a disabled span is never created.
    let log = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter(filter.and(no_rmcp_dumps));
    // No layer at all rather than a `None` one: an absent `Option` layer
    // says it wants every span, so each disabled span would be created and
    // entered on every poll of its request.
    let logging = tracing_subscriber::registry().with(log);
    match telemetry {
        Some(telemetry) => Box::new(logging.with(telemetry.layer())),
        None => Box::new(logging),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// tracing caches each callsite's interest across every live
    /// subscriber, so these tests, the only ones here with subscribers of
    /// their own, take turns.
    static ONE_SUBSCRIBER: Mutex<()> = Mutex::new(());

    #[test]
    fn spans_the_log_leaves_out_are_never_created() {
        let _turn = ONE_SUBSCRIBER.lock().unwrap_or_else(|e| e.into_inner());
        let subscriber = subscriber(EnvFilter::new(DEFAULT_FILTER), None);
        tracing::subscriber::with_default(subscriber, || {
            let call = tracing::debug_span!(target: "mcpgen_runtime::call", "tools/call");
            assert!(call.is_disabled(), "a debug span under the default filter");
            let rmcp = tracing::info_span!(target: "rmcp::service", "serve_inner");
            assert!(
                rmcp.is_disabled(),
                "an rmcp info span under the default filter"
            );
            let kept = tracing::info_span!(target: "mcpgen_runtime::serve", "kept");
            assert!(!kept.is_disabled(), "an info span the filter keeps");
        });
    }

    #[test]
    fn rmcp_debug_output_is_left_out_whatever_the_filter_says() {
        let _turn = ONE_SUBSCRIBER.lock().unwrap_or_else(|e| e.into_inner());
        let subscriber = subscriber(EnvFilter::new("trace"), None);
        tracing::subscriber::with_default(subscriber, || {
            let dump = tracing::debug_span!(target: "rmcp::service", "message");
            assert!(dump.is_disabled());
            let info = tracing::info_span!(target: "rmcp::service", "serve_inner");
            assert!(!info.is_disabled());
        });
    }
}
