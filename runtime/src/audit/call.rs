//! The record of one request: its outcome and error, and for `tools/call`
//! the redacted arguments and result the tool opts into.

use std::time::Instant;

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, RequestId};
use serde_json::Value;

use crate::pipeline::CallOutcome;
use crate::registry::{Registry, ToolEntry};

use super::record::{self, Entry, ErrorInfo, Outcome};
use super::{Audit, scrub};

/// When a request arrived, for its record's `time` and `duration_us`.
pub struct Received {
    time: String,
    at: Instant,
}

impl Received {
    /// Now.
    pub fn now() -> Self {
        Self {
            time: record::now(),
            at: Instant::now(),
        }
    }

    /// A record of `method` received now, ending with `outcome`.
    pub fn entry(self, method: &str, outcome: Outcome) -> Entry {
        let mut entry = Entry::new(self.time, method, outcome);
        entry.duration_us = u64::try_from(self.at.elapsed().as_micros()).unwrap_or(u64::MAX);
        entry
    }
}

/// What the server knows of a finished `tools/call`.
pub struct CallRecord<'a> {
    /// When it arrived.
    pub received: Received,
    /// The JSON-RPC id.
    pub request_id: &'a RequestId,
    /// The caller's tenant.
    pub tenant: Option<&'a str>,
    /// The tool name as requested.
    pub name: &'a str,
    /// The tool, when the name routes to one.
    pub tool: Option<&'a ToolEntry>,
    /// The version it was served at, when one was resolved.
    pub version: Option<&'a semver::Version>,
    /// The arguments as sent, kept when they are recorded or must be
    /// scrubbed from messages.
    pub arguments: Option<Value>,
    /// How it ended.
    pub outcome: &'a CallOutcome,
}

impl Audit {
    /// Whether a call of `tool` needs its arguments kept for its record.
    pub fn keeps_arguments(&self, tool: &ToolEntry) -> bool {
        self.records_arguments(tool) || !tool.audit.sensitive.is_empty()
    }

    /// The record of a finished `tools/call`.
    pub fn call_entry(&self, call: CallRecord<'_>, registry: &Registry) -> Entry {
        let (outcome, error) = classify(call.outcome, registry);
        let mut entry = call.received.entry("tools/call", outcome);
        entry.request_id = serde_json::to_value(call.request_id).ok();
        entry.tenant = call.tenant.map(str::to_owned);
        entry.tool = Some(call.name.to_owned());
        entry.version = call.version.map(ToString::to_string);
        let Some(tool) = call.tool else {
            entry.error = error.map(|mut error| {
                error.message = scrub(&error.message, &[]);
                error
            });
            return entry;
        };
        let sensitive = &tool.audit.sensitive;
        let mut plaintexts = Vec::new();
        if let Some(mut arguments) = call.arguments {
            plaintexts = self.redactor.redact(&mut arguments, sensitive);
            if self.records_arguments(tool) {
                entry.arguments = Some(arguments);
            }
        }
        entry.error = error.map(|mut error| {
            error.message = scrub(&error.message, &plaintexts);
            error
        });
        if outcome == Outcome::Ok
            && self.records_results(tool)
            && let Ok(result) = call.outcome
        {
            entry.result = Some(self.result_value(result, sensitive));
        }
        entry
    }

    /// `structuredContent`, redacted; else the content blocks, which can be
    /// redacted only as a whole.
    fn result_value(&self, result: &CallToolResult, sensitive: &[String]) -> Value {
        if let Some(structured) = &result.structured_content {
            let mut value = structured.clone();
            self.redactor.redact(&mut value, sensitive);
            return value;
        }
        let mut content = serde_json::to_value(&result.content).unwrap_or(Value::Null);
        if sensitive.is_empty() {
            self.redactor.redact(&mut content, &[]);
            content
        } else {
            Value::String(self.redactor.marker(&content))
        }
    }

    /// The record of a request other than `tools/call`, which ended with
    /// `error` or with a result.
    pub fn request_entry(
        &self,
        received: Received,
        method: &str,
        request_id: &RequestId,
        tenant: Option<&str>,
        error: Option<&ErrorData>,
    ) -> Entry {
        let outcome = match error {
            None => Outcome::Ok,
            Some(_) => Outcome::ProtocolError,
        };
        let mut entry = received.entry(method, outcome);
        entry.request_id = serde_json::to_value(request_id).ok();
        entry.tenant = tenant.map(str::to_owned);
        entry.error = error.map(protocol_error);
        entry
    }
}

fn protocol_error(error: &ErrorData) -> ErrorInfo {
    ErrorInfo {
        code: Some(error.code.0),
        message: error.message.to_string(),
    }
}

/// The outcome and error of a call. Messages of invalid arguments name only
/// the failing pointers: the validator's messages quote the values.
fn classify(outcome: &CallOutcome, registry: &Registry) -> (Outcome, Option<ErrorInfo>) {
    let result = match outcome {
        Err(error) => return (Outcome::ProtocolError, Some(protocol_error(error))),
        Ok(result) if result.is_error != Some(true) => return (Outcome::Ok, None),
        Ok(result) => result,
    };
    let violations = result
        .meta
        .as_ref()
        .and_then(|meta| meta.0.get(&registry.meta().violations))
        .and_then(Value::as_array);
    let message = match violations {
        Some(violations) => {
            let pointers: Vec<&str> = violations
                .iter()
                .map(|v| match v["pointer"].as_str() {
                    Some("") | None => "(root)",
                    Some(pointer) => pointer,
                })
                .collect();
            format!("invalid arguments at {}", pointers.join(", "))
        }
        None => result
            .content
            .iter()
            .find_map(|block| match block {
                ContentBlock::Text(text) => Some(text.text.clone()),
                _ => None,
            })
            .unwrap_or_default(),
    };
    (
        Outcome::ToolError,
        Some(ErrorInfo {
            code: None,
            message,
        }),
    )
}
