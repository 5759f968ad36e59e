//! Load over stdio: one connection, `tools/call` requests pipelined on it with a
//! fixed number in flight.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context as _, bail};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
use tokio::sync::Semaphore;

use crate::load::{Latencies, Outcome, Plan, Window};
use crate::procfs;
use crate::rpc::{self, Calls};
use crate::subject::StdioServer;

/// Opens the connection: `initialize`, then `notifications/initialized`.
pub async fn handshake(server: &mut StdioServer) -> anyhow::Result<()> {
    server.send(&rpc::initialize(0)).await?;
    let mut line = Vec::new();
    server.receive(&mut line).await?;
    rpc::result_of(&line).context("initialize failed")?;
    server.send(&rpc::initialized()).await
}

/// One call and its full result, for the checks before measuring.
pub async fn call(server: &mut StdioServer, request: &str) -> anyhow::Result<serde_json::Value> {
    server.send(request).await?;
    let mut line = Vec::new();
    server.receive(&mut line).await?;
    rpc::result_of(&line)
}

/// Loads a server whose connection is open, then reads its peak RSS.
pub async fn run(server: &mut StdioServer, calls: &Calls, plan: &Plan) -> anyhow::Result<Outcome> {
    let window = Window::starting_now(plan);
    let slots = Semaphore::new(plan.in_flight);
    // Request id → when it was written. Writer and reader are polled by
    // one task, so a RefCell suffices.
    let sent: RefCell<HashMap<u64, Instant>> = RefCell::new(HashMap::new());
    let pid = server.pid;
    let StdioServer { stdin, stdout, .. } = server;

    let writer = async {
        let mut id = 1u64;
        let mut line = Vec::new();
        loop {
            slots.acquire().await?.forget();
            if Instant::now() >= window.end {
                return anyhow::Ok(id - 1);
            }
            line.clear();
            line.extend_from_slice(calls.request(id).as_bytes());
            line.push(b'\n');
            sent.borrow_mut().insert(id, Instant::now());
            stdin.write_all(&line).await?;
            id += 1;
        }
    };
    let reader = async {
        let mut latencies = Latencies::default();
        let mut line = Vec::new();
        let mut received = 0u64;
        // Runs until the writer has stopped and every reply is in.
        while Instant::now() < window.end || !sent.borrow().is_empty() {
            line.clear();
            if stdout.read_until(b'\n', &mut line).await? == 0 {
                bail!("the server closed stdout under load");
            }
            let now = Instant::now();
            let Some(id) = rpc::check_reply(&line)? else {
                continue;
            };
            let started = sent
                .borrow_mut()
                .remove(&id)
                .with_context(|| format!("a reply to unknown request {id}"))?;
            slots.add_permits(1);
            received += 1;
            if window.counts(now) {
                latencies.record(now - started);
            }
        }
        anyhow::Ok((latencies, received))
    };
    let (sent_count, (latencies, received), cpu) =
        tokio::try_join!(writer, reader, window.cpu(pid))?;
    anyhow::ensure!(
        sent_count == received,
        "sent {sent_count} calls but got {received} replies"
    );
    let peak = procfs::peak_rss_kib(pid)?;
    Outcome::new(plan, latencies, cpu, peak)
}
