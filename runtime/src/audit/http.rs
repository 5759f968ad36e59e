//! Records of HTTP requests the MCP transport turned away before any handler
//! saw them (a body that is not JSON, an unsupported protocol version, a
//! header that contradicts the body): the handlers record every request
//! they see, and this middleware records the rest.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{Audit, ErrorInfo, Outcome, Received, scrub};

/// The most of a rejection's body read to find its error message: rmcp's
/// rejections are short, and a response this large is passed on unread.
const MAX_REJECTION_BYTES: usize = 16 * 1024;

/// Set once a handler has recorded the request it is in the extensions of.
#[derive(Clone, Debug, Default)]
pub struct Recorded(Arc<AtomicBool>);

impl Recorded {
    /// Notes that the request has its record.
    pub fn mark(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn is_marked(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Passes every request on with a [`Recorded`] flag, and records those
/// answered with an HTTP error that no handler recorded.
pub async fn record_rejections(
    State(audit): State<Arc<Audit>>,
    mut request: Request,
    next: Next,
) -> Response {
    let received = Received::now();
    let recorded = Recorded::default();
    request.extensions_mut().insert(recorded.clone());
    let method = method_of(&request);
    let response = next.run(request).await;
    let status = response.status();
    if recorded.is_marked() || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let (message, body) = match axum::body::to_bytes(body, MAX_REJECTION_BYTES).await {
        Ok(bytes) => (reason(&bytes), Body::from(bytes)),
        Err(_) => (String::new(), Body::empty()),
    };
    let mut entry = received.entry(&method, Outcome::Rejected);
    entry.error = Some(ErrorInfo {
        code: None,
        message: scrub(&format!("{}: {message}", status.as_u16()), &[]),
    });
    if let Err(error) = audit.log().append(&entry).await {
        tracing::error!(%error, "the audit record of a rejected request was not written");
        if audit.log().is_strict() {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    Response::from_parts(parts, body)
}

/// The method a request's record names when the body was not read (or is
/// not JSON): the `Mcp-Method` header of 2026-07-28 clients, else the HTTP
/// method.
pub fn method_of(request: &Request) -> String {
    request
        .headers()
        .get("mcp-method")
        .and_then(|value| value.to_str().ok())
        .filter(|method| method.len() <= 64)
        .map_or_else(|| format!("HTTP {}", request.method()), str::to_owned)
}

/// The JSON-RPC error message of a rejection's body, else its text, cut to
/// a line's length.
fn reason(body: &[u8]) -> String {
    let json = serde_json::from_slice::<Value>(body).ok().or_else(|| {
        // A rejection sent as a server-sent event.
        let text = std::str::from_utf8(body).ok()?;
        let data = text.lines().find_map(|line| line.strip_prefix("data:"))?;
        serde_json::from_str(data.trim()).ok()
    });
    let message = match json.as_ref().and_then(|v| v["error"]["message"].as_str()) {
        Some(message) => message.to_owned(),
        None => String::from_utf8_lossy(body).trim().to_owned(),
    };
    message.chars().take(200).collect()
}
