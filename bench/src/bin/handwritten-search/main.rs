//! The baseline for the benchmark: the `search` tool of `examples/search`
//! written directly against rmcp's `ServerHandler`, with no generator and no
//! runtime crate. `handwritten-search` serves stdio; `handwritten-search
//! --http 127.0.0.1:0` serves streamable HTTP at `/mcp` and prints the bound
//! address to stderr, as a generated server does.

// The very corpus file the generated example loads, so both servers search the
// same articles with the same tokeniser.
#[path = "../../../../examples/search/src/handlers/corpus.rs"]
#[allow(dead_code)]
mod corpus;
mod search;
mod server;

use std::net::SocketAddr;

use anyhow::Context as _;
use rmcp::ServiceExt;
use rmcp::transport::stdio_pipes;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use server::HandWritten;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let server = HandWritten::new();
    match args.next().as_deref() {
        None => serve_stdio(server).await,
        Some("--http") => {
            let bind: SocketAddr = args
                .next()
                .context("--http needs an address")?
                .parse()
                .context("--http needs an address such as 127.0.0.1:0")?;
            serve_http(server, bind).await
        }
        Some(other) => anyhow::bail!("unknown argument `{other}`; use no argument or --http ADDR"),
    }
}

async fn serve_stdio(server: HandWritten) -> anyhow::Result<()> {
    // Non-blocking pipes: the blocking `stdio()` transport costs a thread
    // hand-off per message (rmcp.md, "Performance traps").
    let running = server.serve(stdio_pipes()).await?;
    running.waiting().await?;
    Ok(())
}

async fn serve_http(server: HandWritten, bind: SocketAddr) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    let config =
        StreamableHttpServerConfig::default().with_cancellation_token(shutdown.child_token());
    let service: StreamableHttpService<HandWritten, LocalSessionManager> =
        StreamableHttpService::new(move || Ok(server.clone()), Default::default(), config);
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    eprintln!("listening on http://{}/mcp", listener.local_addr()?);
    // Nagle would hold every response back for a delayed ACK.
    let listener = axum::serve::ListenerExt::tap_io(listener, |stream| {
        let _ = stream.set_nodelay(true);
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            shutdown.cancel();
        })
        .await?;
    Ok(())
}
