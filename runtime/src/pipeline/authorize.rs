//! The access stages of `tools/call`: [`CheckVisible`] first, so that a
//! caller who may not see a tool gets exactly the answer an unknown tool gets
//! before anything else can tell them apart; [`Authorize`] last before the
//! handler, so argument conditions judge the very value the handler runs with
//! (after validation and migration).

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, ErrorCode};
use serde_json::json;

use crate::access::guard::Verdict;
use crate::handler::BoxFuture;

use super::{Call, CallOutcome, Next, Stage};

/// The JSON-RPC error code of a call over its rate limit (in the range
/// JSON-RPC leaves to implementations). `data.retryAfterMs` says when to
/// retry.
pub const RATE_LIMITED: i32 = -32029;

/// The error a call of a tool that does not exist gets (see `server.rs`).
pub fn unknown_tool(name: &str) -> ErrorData {
    ErrorData::invalid_params(format!("Unknown tool: {name}"), None)
}

/// Answers calls of tools the caller may not see as unknown tools.
pub struct CheckVisible;

impl Stage for CheckVisible {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        let Some(guard) = call.registry.access() else {
            return next.run(call);
        };
        let visible = guard.tool_visible(
            call.principal.as_deref(),
            call.tenant.as_deref(),
            &call.tool,
            call.major.as_ref(),
            jiff::Timestamp::now(),
        );
        if visible {
            return next.run(call);
        }
        tracing::info!(
            tool = %call.name,
            principal = call.principal.as_deref().unwrap_or("(none)"),
            "call denied: the tool is hidden from the caller"
        );
        call.denial = Some(match call.principal.as_deref() {
            Some(principal) => {
                let why = guard.why_hidden(
                    principal,
                    call.tenant.as_deref(),
                    &call.tool,
                    call.major.as_ref(),
                    jiff::Timestamp::now(),
                );
                format!("hidden: `{principal}` may not see `{}`: {why}", call.name)
            }
            None => "hidden: the caller names no principal".to_owned(),
        });
        Box::pin(std::future::ready(Err(unknown_tool(&call.name))))
    }
}

/// Judges the call at its resolved version with its final arguments, then
/// applies the deciding capability's rate limit.
pub struct Authorize;

impl Stage for Authorize {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        let Some(guard) = call.registry.access() else {
            return next.run(call);
        };
        let verdict = guard.check_call(
            call.principal.as_deref(),
            call.tenant.as_deref(),
            &call.tool,
            &call.resolved().version,
            &call.arguments,
            jiff::Timestamp::now(),
        );
        let outcome = match verdict {
            Verdict::Allowed => return next.run(call),
            Verdict::Hidden(reason) => {
                tracing::info!(tool = %call.name, %reason, "call denied: the tool is hidden from the caller at this version");
                call.denial = Some(format!("hidden at this version: {reason}"));
                Err(unknown_tool(&call.name))
            }
            Verdict::Denied(decision) => {
                tracing::info!(tool = %call.name, reason = %decision.reason, "call denied");
                call.denial = Some(format!("denied: {}", decision.reason));
                let text = format!("Access denied: {}", decision.reason);
                Ok(CallToolResult::error(vec![ContentBlock::text(text)]))
            }
            Verdict::Limited(wait) => {
                call.denial = Some(format!("rate limited for {:.3}s", wait.as_secs_f64()));
                let millis = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
                Err(ErrorData::new(
                    ErrorCode(RATE_LIMITED),
                    format!(
                        "Rate limit exceeded for {}; retry after {:.3}s",
                        call.name,
                        wait.as_secs_f64()
                    ),
                    Some(json!({ "retryAfterMs": millis })),
                ))
            }
        };
        Box::pin(std::future::ready(outcome))
    }
}
