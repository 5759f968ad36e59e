//! The JSON-RPC the bench speaks: the `search` argument mix in both argument
//! shapes, request lines prepared once, and the cheap reply check used under
//! load.

use anyhow::{Context as _, bail};
use serde::Deserialize;
use serde_json::{Value, json};

/// The handshake-era version stdio connections negotiate with `initialize`.
pub const HANDSHAKE_VERSION: &str = "2025-11-25";
/// The stateless version every HTTP request names in its `_meta`.
pub const STATELESS_VERSION: &str = "2026-07-28";

/// Which version's argument shape the calls use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `search` 4.0.0 (`query`, `limit`, `sortBy`, `filters`; the same as 3.0.0): what both
    /// servers implement.
    Newest,
    /// `search` 1.0.0 (`maxResults`, `category`, `dateRange`), selected with
    /// `_meta["dev.mcpgen/toolVersion"]`; only the generated server has it.
    V1,
}

/// How a request carries its protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    /// After an `initialize` handshake on the same connection (stdio).
    Handshake,
    /// Each request names 2026-07-28 and the client capabilities in its
    /// `_meta` (stateless HTTP).
    Stateless,
}

/// The queries the load cycles through, as (4.0.0 arguments, the same call
/// in 1.0.0 arguments). Each pair migrates to identical 4.0.0 arguments, so
/// both shapes ask the handler for the same work; all sort by relevance
/// because 1.0.0 has no `sortBy` (its migration adds `relevance`).
pub fn queries() -> Vec<(Value, Value)> {
    vec![
        (
            json!({ "query": "rust search", "limit": 5, "sortBy": "relevance" }),
            json!({ "query": "rust search", "maxResults": 5 }),
        ),
        (
            json!({ "query": "acme search", "limit": 10, "sortBy": "relevance",
                    "filters": { "category": "product" } }),
            json!({ "query": "acme search", "maxResults": 10, "category": "product" }),
        ),
        (
            json!({ "query": "security audit keys", "sortBy": "relevance",
                    "filters": { "dateRange": { "from": "2025-01-01", "to": "2026-12-31" } } }),
            json!({ "query": "security audit keys",
                    "dateRange": { "from": "2025-01-01", "to": "2026-12-31" } }),
        ),
        (
            json!({ "query": "latency caching indexing tokio", "limit": 3, "sortBy": "relevance",
                    "filters": { "category": "engineering", "dateRange": { "from": "2025-01-01" } } }),
            json!({ "query": "latency caching indexing tokio", "maxResults": 3,
                    "category": "engineering", "dateRange": { "from": "2025-01-01" } }),
        ),
    ]
}

/// `tools/call search` requests, serialised once so the load generator only
/// splices in the id.
pub struct Calls {
    params: Vec<String>,
}

impl Calls {
    /// The query mix in `shape`, for requests of `era`.
    pub fn new(shape: Shape, era: Era) -> Self {
        let params = queries()
            .into_iter()
            .map(|(v3, v1)| {
                let arguments = match shape {
                    Shape::Newest => v3,
                    Shape::V1 => v1,
                };
                call_params("search", Some(arguments), shape, era).to_string()
            })
            .collect();
        Self { params }
    }

    /// Request `id`, cycling through the mix.
    pub fn request(&self, id: u64) -> String {
        let params = &self.params[id as usize % self.params.len()];
        format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{params}}}"#)
    }
}

/// The `params` of a `tools/call`.
pub fn call_params(tool: &str, arguments: Option<Value>, shape: Shape, era: Era) -> Value {
    let mut params = json!({ "name": tool });
    if let Some(arguments) = arguments {
        params["arguments"] = arguments;
    }
    let mut meta = era_meta(era);
    if shape == Shape::V1 {
        meta.insert("dev.mcpgen/toolVersion".to_owned(), json!("1.0.0"));
    }
    if !meta.is_empty() {
        params["_meta"] = Value::Object(meta);
    }
    params
}

fn era_meta(era: Era) -> serde_json::Map<String, Value> {
    let mut meta = serde_json::Map::new();
    if era == Era::Stateless {
        meta.insert(
            "io.modelcontextprotocol/protocolVersion".to_owned(),
            json!(STATELESS_VERSION),
        );
        meta.insert(
            "io.modelcontextprotocol/clientCapabilities".to_owned(),
            json!({}),
        );
    }
    meta
}

/// A request line.
pub fn request(id: u64, method: &str, params: Value) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string()
}

/// The `initialize` request of a handshake-era connection.
pub fn initialize(id: u64) -> String {
    request(
        id,
        "initialize",
        json!({
            "protocolVersion": HANDSHAKE_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "mcpgen-bench", "version": env!("CARGO_PKG_VERSION") }
        }),
    )
}

/// The notification that completes the handshake.
pub fn initialized() -> String {
    json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }).to_string()
}

/// A `tools/list` request.
pub fn tools_list(id: u64, era: Era) -> String {
    let meta = era_meta(era);
    let params = if meta.is_empty() {
        json!({})
    } else {
        json!({ "_meta": meta })
    };
    request(id, "tools/list", params)
}

/// What the load generator needs from a reply: its id and whether it failed.
/// Decoding skips everything else, so checking costs the client little.
#[derive(Deserialize)]
struct Reply {
    id: Option<u64>,
    result: Option<ReplyResult>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ReplyResult {
    #[serde(rename = "isError", default)]
    is_error: bool,
}

/// The id of a successful reply; notifications (no id) give `None`; a
/// JSON-RPC error or an `isError` result is an error.
pub fn check_reply(line: &[u8]) -> anyhow::Result<Option<u64>> {
    let reply: Reply = serde_json::from_slice(line).with_context(|| {
        format!(
            "the server sent a line that is not JSON-RPC: {}",
            String::from_utf8_lossy(line)
        )
    })?;
    if let Some(error) = reply.error {
        bail!("JSON-RPC error: {error}");
    }
    match reply.result {
        Some(result) if result.is_error => {
            bail!(
                "the tool failed: {}",
                String::from_utf8_lossy(line)
                    .chars()
                    .take(400)
                    .collect::<String>()
            )
        }
        _ => Ok(reply.id),
    }
}

/// The full result of a reply, for the checks done before measuring.
pub fn result_of(line: &[u8]) -> anyhow::Result<Value> {
    check_reply(line)?;
    let mut reply: Value = serde_json::from_slice(line)?;
    Ok(reply["result"].take())
}

/// The JSON-RPC message in an SSE (or plain JSON) response body.
pub fn sse_message(body: &[u8]) -> anyhow::Result<&[u8]> {
    let trimmed = body.trim_ascii();
    if trimmed.starts_with(b"{") {
        return Ok(trimmed);
    }
    body.split(|b| *b == b'\n')
        .filter_map(|line| line.strip_prefix(b"data:"))
        .map(<[u8]>::trim_ascii)
        .rfind(|data| !data.is_empty())
        .with_context(|| {
            format!(
                "no `data:` line in the response: {}",
                String::from_utf8_lossy(body)
            )
        })
}
