//! The HTTP/1.1 client the OTLP exporter posts its batches with: plain
//! `http://`, one connection per export, on hyper (which axum links anyway),
//! so the export adds no HTTP stack and no TLS to the binary.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{CONNECTION, HOST, HeaderValue};
use hyper::{Request, Response, Uri};
use hyper_util::rt::TokioIo;
use opentelemetry_http::{HttpClient, HttpError};
use tokio::net::TcpStream;

/// The most of a collector's answer that is read: it is a small protobuf
/// message (partial success), and a larger one is not a collector's.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Posts on a current-thread tokio runtime of its own. The SDK's batch
/// processor exports on a plain thread of its own by blocking on the export,
/// so the client cannot lean on the server's runtime (which may already be
/// shutting down when the last batch goes out).
#[derive(Debug)]
pub(super) struct Http1Client {
    runtime: tokio::runtime::Runtime,
    timeout: Duration,
}

impl Http1Client {
    /// A client whose every request, connecting included, ends within `timeout`.
    pub(super) fn new(timeout: Duration) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        Ok(Self { runtime, timeout })
    }
}

#[async_trait]
impl HttpClient for Http1Client {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        // Blocking on a runtime inside another one panics; only the exporter
        // thread, which has none, calls this.
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err("the OTLP client runs on the exporter's own thread only".into());
        }
        // The timer is made inside `block_on`, where the runtime it needs is.
        let answer = self
            .runtime
            .block_on(async { tokio::time::timeout(self.timeout, send(request)).await });
        answer.map_err(|_| format!("no answer from the collector within {:?}", self.timeout))?
    }
}

/// Sends `request` (absolute URI, as the exporter builds it) over a fresh
/// connection and reads the whole answer.
async fn send(request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
    let (mut parts, body) = request.into_parts();
    if parts.uri.scheme_str() != Some("http") {
        return Err(format!("only http:// collectors are supported, not {}", parts.uri).into());
    }
    let authority = parts
        .uri
        .authority()
        .ok_or_else(|| format!("{} names no host", parts.uri))?
        .clone();
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let stream = TcpStream::connect((host, authority.port_u16().unwrap_or(80))).await?;
    stream.set_nodelay(true)?;
    // On a connection of its own, the request names its target in origin
    // form and its host in `Host`; `Connection: close` lets the collector end
    // the connection once it answered.
    parts.uri = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .parse::<Uri>()?;
    parts
        .headers
        .insert(HOST, HeaderValue::from_str(authority.as_str())?);
    parts
        .headers
        .insert(CONNECTION, HeaderValue::from_static("close"));
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    // The connection is driven beside the exchange; it ends when the
    // collector closes or the sender is dropped.
    tokio::spawn(connection);
    let response = sender
        .send_request(Request::from_parts(parts, Full::new(body)))
        .await?;
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, MAX_RESPONSE_BYTES)
        .collect()
        .await?
        .to_bytes();
    Ok(Response::from_parts(parts, body))
}
