//! Serving a server over stdio and over streamable HTTP (axum).

use std::net::SocketAddr;
use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::stdio_pipes;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::audit;
use crate::auth::{self, Authenticator};
use crate::server::McpServer;

/// Origins a browser on this machine presents; anything else is refused so a
/// web page cannot drive a local server (DNS rebinding).
pub const LOOPBACK_ORIGINS: &[&str] = &[
    "http://localhost:*",
    "http://127.0.0.1:*",
    "http://[::1]:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "https://[::1]:*",
];

/// Hosts accepted in the `Host` header by default.
pub const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// How to serve over HTTP.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Path of the MCP endpoint.
    pub path: String,
    /// Accepted `Host` header values.
    pub allowed_hosts: Vec<String>,
    /// Accepted `Origin` header values (requests without one pass).
    pub allowed_origins: Vec<String>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Who may call; `None` serves every request.
    pub auth: Option<Arc<Authenticator>>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            path: "/mcp".to_owned(),
            allowed_hosts: LOOPBACK_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            allowed_origins: LOOPBACK_ORIGINS.iter().map(|o| (*o).to_owned()).collect(),
            max_body_bytes: 4 * 1024 * 1024,
            auth: None,
        }
    }
}

/// Serves over stdin/stdout until the client closes stdin or `shutdown` is
/// cancelled.
pub async fn serve_stdio(server: McpServer, shutdown: CancellationToken) -> std::io::Result<()> {
    // The non-blocking pipe transport: the blocking one costs a thread hand-off
    // per message.
    let running = match server
        .serve_with_ct(stdio_pipes(), shutdown.child_token())
        .await
    {
        Ok(running) => running,
        // Stopped before a client initialised: a shutdown, not a failure.
        Err(_) if shutdown.is_cancelled() => return Ok(()),
        Err(error) => return Err(std::io::Error::other(error)),
    };
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}

/// Serves streamable HTTP until `shutdown` is cancelled. Writes the bound
/// address to stderr so a caller that asked for port 0 can find it.
pub async fn serve_http(
    server: McpServer,
    options: HttpOptions,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let config = StreamableHttpServerConfig::default()
        .with_cancellation_token(shutdown.child_token())
        .with_allowed_hosts(options.allowed_hosts)
        .with_allowed_origins(options.allowed_origins)
        .enforce_origin_validation()
        .with_max_request_body_bytes(options.max_body_bytes);
    // Refusals never reach the server, so the gate records them itself.
    let audit = server.audit().cloned();
    let service: StreamableHttpService<McpServer, LocalSessionManager> =
        StreamableHttpService::new(move || Ok(server.clone()), Default::default(), config);
    // Keys from a JWKS URL are fetched before the first request can come;
    // a failure is logged and retried while the server serves.
    if let Some(authenticator) = &options.auth {
        authenticator.start().await;
    }
    let router = axum::Router::new().nest_service(&options.path, service);
    // Requests rmcp turns away never reach the server; with an audit log
    // they are recorded here (inside the gate, which records its own).
    let router = match &audit {
        Some(audit) => router.layer(axum::middleware::from_fn_with_state(
            Arc::clone(audit),
            audit::record_rejections,
        )),
        None => router,
    };
    let router = match &options.auth {
        None => router,
        Some(authenticator) => {
            let document = authenticator.metadata().to_string();
            let gate = auth::Gate {
                authenticator: Arc::clone(authenticator),
                audit,
            };
            // The metadata stays public: clients read it to find out how to
            // get a token.
            router
                .layer(axum::middleware::from_fn_with_state(
                    gate,
                    auth::require_credentials,
                ))
                .route(
                    &auth::metadata_path(&options.path),
                    axum::routing::get(move || async move {
                        (
                            [(axum::http::header::CONTENT_TYPE, "application/json")],
                            document.clone(),
                        )
                    }),
                )
        }
    };
    let listener = TcpListener::bind(options.bind).await?;
    let address = listener.local_addr()?;
    eprintln!("listening on http://{address}{}", options.path);
    // Without TCP_NODELAY every sequential call waits ~40 ms for a delayed ACK.
    let listener = axum::serve::ListenerExt::tap_io(listener, |stream| {
        let _ = stream.set_nodelay(true);
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
}
