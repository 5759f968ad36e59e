//! Picks the version a call is served at, and reports it in the result.

use std::sync::atomic::Ordering;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, MetaObject};
use serde_json::{Value, json};

use crate::handler::BoxFuture;
use crate::meta;
use crate::registry::ToolEntry;

use super::{Call, CallOutcome, Next, Stage};

/// Resolves the caller's version from `_meta["dev.mcpgen/toolVersion"]` (an
/// exact version or a semver range; the newest match wins), else the newest
/// version (an explicit `null` counts as no request). Every result then
/// carries `resolvedVersion`, and the deprecation notice when the version is
/// deprecated.
pub struct ResolveVersion;

impl Stage for ResolveVersion {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        Box::pin(async move {
            match resolve(&call.tool, call.request_meta.get(meta::TOOL_VERSION)) {
                Ok(index) => call.version = index,
                Err(requested) => return Ok(unsupported_version(&call.tool, requested)),
            }
            let mut outcome = next.run(call).await;
            if let Ok(result) = &mut outcome {
                annotate(call, result);
            }
            outcome
        })
    }
}

/// The index of the version `requested` selects, or the request as text when
/// no served version matches.
pub fn resolve(tool: &ToolEntry, requested: Option<&Value>) -> Result<usize, String> {
    let Some(requested) = requested.filter(|r| !r.is_null()) else {
        return Ok(tool.newest());
    };
    let Some(text) = requested.as_str() else {
        return Err(requested.to_string());
    };
    let found = match semver::Version::parse(text.trim()) {
        Ok(exact) => tool.versions.iter().position(|v| v.version == exact),
        Err(_) => semver::VersionReq::parse(text).ok().and_then(|range| {
            tool.versions
                .iter()
                .rposition(|v| range.matches(&v.version))
        }),
    };
    found.ok_or_else(|| text.to_owned())
}

fn unsupported_version(tool: &ToolEntry, requested: String) -> CallToolResult {
    let supported: Vec<String> = tool
        .versions
        .iter()
        .map(|v| v.version.to_string())
        .collect();
    let text = format!(
        "Unsupported version {requested} of {}; supported: {}",
        tool.name,
        supported.join(", ")
    );
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    let mut result_meta = JsonObject::new();
    result_meta.insert(
        meta::VERSION_ERROR.to_owned(),
        json!({ "requested": requested, "supported": supported }),
    );
    result.meta = Some(MetaObject(result_meta));
    result
}

fn annotate(call: &Call, result: &mut CallToolResult) {
    let resolved = call.resolved();
    let result_meta = &mut result.meta.get_or_insert_with(MetaObject::default).0;
    result_meta.insert(
        meta::RESOLVED_VERSION.to_owned(),
        Value::String(resolved.version.to_string()),
    );
    if let Some(deprecation) = &resolved.deprecated {
        // Once per version at warning level: every call would flood the log
        // (and cost more than the migration itself); the rest at debug.
        if resolved.deprecation_logged.swap(true, Ordering::Relaxed) {
            tracing::debug!(tool = %call.tool.name, version = %resolved.version, "call to a deprecated tool version");
        } else {
            tracing::warn!(
                tool = %call.tool.name,
                version = %resolved.version,
                message = %deprecation.message,
                "call to a deprecated tool version (logged once per version)"
            );
        }
        let mut notice = serde_json::to_value(deprecation).expect("a deprecation serialises");
        notice["version"] = Value::String(resolved.version.to_string());
        result_meta.insert(meta::DEPRECATION.to_owned(), notice);
    }
}
