//! What one audit record says about one request, before it is sealed into
//! the chain.

use serde::Serialize;
use serde_json::Value;

/// One request as the audit log records it. The log adds `seq`, `prev` and
/// `hash` when it seals the record.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// When the request was received (RFC 3339, UTC, microseconds).
    pub time: String,
    /// The JSON-RPC request id (a string or a number), when there is one.
    pub request_id: Option<Value>,
    /// The caller's tenant.
    pub tenant: Option<String>,
    /// The caller: the principal of verified credentials, else the runtime
    /// config's; `null` when neither names one.
    pub principal: Option<String>,
    /// The JSON-RPC method (`tools/call`, `tools/list`, …).
    pub method: String,
    /// The tool a `tools/call` named, as named (an unknown name included).
    pub tool: Option<String>,
    /// The version the call was served at, once resolved.
    pub version: Option<String>,
    /// How the request ended.
    pub outcome: Outcome,
    /// What went wrong, unless the outcome is `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// Why the access rules refused the call, when they did: the real
    /// reason behind an answer that reads like an unknown tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denial: Option<String>,
    /// From receipt to response, in microseconds.
    pub duration_us: u64,
    /// The arguments as sent, redacted, when the tool opts in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
    /// The result, redacted, when the tool opts in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// On a `lost` record: how many records a full queue dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<u64>,
}

impl Entry {
    /// A record of `method` received at `time` that ended with `outcome`;
    /// the rest is filled in by the caller.
    pub fn new(time: String, method: &str, outcome: Outcome) -> Self {
        Self {
            time,
            request_id: None,
            tenant: None,
            principal: None,
            method: method.to_owned(),
            tool: None,
            version: None,
            outcome,
            error: None,
            denial: None,
            duration_us: 0,
            arguments: None,
            result: None,
            dropped: None,
        }
    }
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A result.
    Ok,
    /// A result with `isError: true`: invalid arguments, an unserved version,
    /// or the tool's own error.
    ToolError,
    /// A JSON-RPC error: unknown tool, internal error.
    ProtocolError,
    /// Refused over HTTP before reaching MCP: missing or invalid
    /// credentials (401), or a missing scope (403).
    Refused,
    /// Turned away by the MCP transport before any handler saw it: a body
    /// that is not JSON-RPC, an unsupported protocol version, headers that
    /// contradict the body (an HTTP 4xx or 5xx).
    Rejected,
    /// Not a request: records were dropped because the queue was full.
    Lost,
}

/// What went wrong.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorInfo {
    /// The JSON-RPC error code, for protocol errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// The message, with redacted values scrubbed out.
    pub message: String,
}

/// The current time as records carry it.
pub fn now() -> String {
    format!("{:.6}", jiff::Timestamp::now())
}
