//! Load over streamable HTTP: concurrent clients, each on its own keep-alive
//! connection, each posting stateless 2026-07-28 `tools/call` requests one
//! after another.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, bail};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::load::{Latencies, Outcome, Plan, Window};
use crate::procfs;
use crate::rpc::{self, Calls, STATELESS_VERSION};

/// One client connection to a server's `/mcp` endpoint.
pub struct Client {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

impl Client {
    /// Connects, with Nagle off as on the server side.
    pub async fn connect(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            host: addr.to_string(),
        })
    }

    /// Posts one stateless request and returns the JSON-RPC reply it carries.
    /// The SEP-2243 headers (`Mcp-Method`, `Mcp-Name`) are required at
    /// 2026-07-28.
    pub async fn post(
        &mut self,
        method: &str,
        name: Option<&str>,
        body: String,
    ) -> anyhow::Result<Bytes> {
        let mut request = Request::post("/mcp")
            .header(hyper::header::HOST, &self.host)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::ACCEPT, "application/json, text/event-stream")
            .header("mcp-protocol-version", STATELESS_VERSION)
            .header("mcp-method", method);
        if let Some(name) = name {
            request = request.header("mcp-name", name);
        }
        self.sender.ready().await?;
        let response = self
            .sender
            .send_request(request.body(Full::new(Bytes::from(body)))?)
            .await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if status != StatusCode::OK {
            bail!("HTTP {status}: {}", String::from_utf8_lossy(&body));
        }
        let message = rpc::sse_message(&body)?;
        Ok(body.slice_ref(message))
    }

    /// A `tools/call` and its full result, for the checks before measuring.
    pub async fn call(&mut self, tool: &str, body: String) -> anyhow::Result<Value> {
        let reply = self.post("tools/call", Some(tool), body).await?;
        rpc::result_of(&reply)
    }

    /// A `tools/list`, for the cold-start measurement.
    pub async fn list_tools(&mut self) -> anyhow::Result<Value> {
        let reply = self
            .post("tools/list", None, rpc::tools_list(1, rpc::Era::Stateless))
            .await?;
        rpc::result_of(&reply)
    }
}

/// Loads the server at `addr` (process `pid`) with `plan.in_flight` clients.
pub async fn run(
    addr: SocketAddr,
    pid: u32,
    calls: Arc<Calls>,
    plan: &Plan,
) -> anyhow::Result<Outcome> {
    let mut clients = Vec::with_capacity(plan.in_flight);
    for _ in 0..plan.in_flight {
        clients.push(Client::connect(addr).await?);
    }
    let window = Window::starting_now(plan);
    let mut tasks = JoinSet::new();
    for (index, client) in clients.into_iter().enumerate() {
        let calls = Arc::clone(&calls);
        tasks.spawn(drive(
            client,
            index as u64,
            plan.in_flight as u64,
            calls,
            window,
        ));
    }
    let cpu = window.cpu(pid).await?;
    let mut latencies = Latencies::default();
    while let Some(result) = tasks.join_next().await {
        latencies.merge(result??);
    }
    let peak = procfs::peak_rss_kib(pid)?;
    Outcome::new(plan, latencies, cpu, peak)
}

/// One client's loop; ids are `first, first + stride, …` so they never clash.
async fn drive(
    mut client: Client,
    first: u64,
    stride: u64,
    calls: Arc<Calls>,
    window: Window,
) -> anyhow::Result<Latencies> {
    let mut latencies = Latencies::default();
    let mut id = first;
    while Instant::now() < window.end {
        let started = Instant::now();
        let reply = client
            .post("tools/call", Some("search"), calls.request(id))
            .await?;
        let now = Instant::now();
        rpc::check_reply(&reply).with_context(|| format!("request {id}"))?;
        if window.counts(now) {
            latencies.record(now - started);
        }
        id += stride;
    }
    Ok(latencies)
}
