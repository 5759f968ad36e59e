//! Cold start: from spawning a server process to its first successful reply.

use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::http::Client;
use crate::rpc;
use crate::subject::{Binaries, HttpServer, Server, StdioServer};

/// Spawn → the `initialize` result on stdio. The request is written to the
/// pipe right after the spawn, so this covers exec, dynamic loading, building
/// the server (manifest, validators, corpus), the runtime start and the first
/// reply.
pub async fn stdio(binaries: &Binaries, server: Server) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut process = StdioServer::spawn(binaries, server)?;
    process.send(&rpc::initialize(0)).await?;
    let mut line = Vec::new();
    process.receive(&mut line).await?;
    let elapsed = started.elapsed();
    rpc::result_of(&line).context("initialize failed")?;
    process.stop().await?;
    Ok(elapsed)
}

/// Spawn → the result of a stateless `tools/list` over HTTP: as for stdio,
/// plus binding the port, announcing it on stderr, and one connection.
pub async fn http(binaries: &Binaries, server: Server) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let process = HttpServer::spawn(binaries, server).await?;
    let mut client = Client::connect(process.addr).await?;
    client.list_tools().await.context("tools/list failed")?;
    let elapsed = started.elapsed();
    process.stop().await?;
    Ok(elapsed)
}

/// The median, fastest and slowest of `samples`.
pub fn spread(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort_unstable();
    (
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
    )
}
