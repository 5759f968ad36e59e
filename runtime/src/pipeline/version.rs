//! Picks the version a call is served at, and reports it in the result.

use std::sync::atomic::Ordering;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, MetaObject};
use serde_json::{Value, json};

use crate::handler::BoxFuture;
use crate::pins::{PinScope, Selector};
use crate::registry::ToolEntry;

use super::{Call, CallOutcome, Next, Stage};

/// Resolves the caller's version, in order of precedence: the request's
/// `_meta["<prefix>/toolVersion"]` (exact or a range; the newest served match
/// wins; an explicit `null` counts as absent), else the caller's tenant pin,
/// else the server pin, else the newest version. A major alias
/// (`search_v1`) only serves its major. Versions past their sunset are not
/// served. Every result then carries `resolvedVersion`, and the deprecation
/// notice when the version is deprecated.
pub struct ResolveVersion;

/// Why no version can serve a call.
#[derive(Debug, PartialEq)]
pub enum Unresolved {
    /// Nothing matches the selector.
    NoMatch {
        /// What was asked for.
        requested: String,
    },
    /// What matches is past its sunset.
    Sunset {
        /// What was asked for.
        requested: String,
        /// The newest matching version.
        version: semver::Version,
        /// Its sunset date.
        sunset: String,
        /// The version to move to.
        successor: Option<String>,
    },
}

impl Stage for ResolveVersion {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        Box::pin(async move {
            match resolve(call, utc_today) {
                Ok(index) => {
                    call.version = index;
                    call.version_resolved = true;
                }
                Err(unresolved) => return Ok(unresolved_result(call, unresolved)),
            }
            let mut outcome = next.run(call).await;
            if let Ok(result) = &mut outcome {
                annotate(call, result);
            }
            outcome
        })
    }
}

/// What the caller asked for, in order of precedence.
fn selector(call: &Call) -> Result<Option<(Selector, String)>, Unresolved> {
    let meta = call.registry.meta();
    if let Some(requested) = call
        .request_meta
        .get(&meta.tool_version)
        .filter(|r| !r.is_null())
    {
        let text = match requested {
            Value::String(text) => text.clone(),
            other => {
                return Err(Unresolved::NoMatch {
                    requested: other.to_string(),
                });
            }
        };
        let selector = Selector::parse(&text).map_err(|_| Unresolved::NoMatch {
            requested: text.clone(),
        })?;
        return Ok(Some((selector, text)));
    }
    if let Some(major) = &call.major {
        return Ok(Some((Selector::Range(major.clone()), major.to_string())));
    }
    let pinned = call
        .registry
        .pins()
        .lookup(call.tenant.as_deref(), &call.tool.name);
    Ok(pinned.map(|(selector, scope)| {
        let origin = match scope {
            PinScope::Tenant => "tenant pin",
            PinScope::Server => "server pin",
        };
        (selector.clone(), format!("{selector} ({origin})"))
    }))
}

/// The index of the version `call` is served at on the day `today` gives.
/// A call that selects nothing gets the newest version, the handler's, which
/// is always served; so the day is only looked up for a selector.
pub fn resolve(
    call: &Call,
    today: impl FnOnce() -> jiff::civil::Date,
) -> Result<usize, Unresolved> {
    match selector(call)? {
        Some((selector, requested)) => select(
            &call.tool,
            &selector,
            call.major.as_ref(),
            today(),
            requested,
        ),
        None => Ok(call.tool.newest()),
    }
}

/// Today's date in UTC, the calendar sunsets are written in.
pub fn utc_today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// The newest version of `tool` that `selector` (within `major`, for an
/// alias) picks and that is still served on `today`. `requested` is what
/// errors quote.
pub fn select(
    tool: &ToolEntry,
    selector: &Selector,
    major: Option<&semver::VersionReq>,
    today: jiff::civil::Date,
    requested: String,
) -> Result<usize, Unresolved> {
    let in_scope = |v: &semver::Version| selector.matches(v) && major.is_none_or(|m| m.matches(v));
    let matching: Vec<usize> = (0..tool.versions.len())
        .filter(|&i| in_scope(&tool.versions[i].version))
        .collect();
    if let Some(&served) = matching
        .iter()
        .rev()
        .find(|&&i| !tool.versions[i].is_sunset(today))
    {
        return Ok(served);
    }
    match matching.last() {
        Some(&newest) => {
            let version = &tool.versions[newest];
            let deprecation = version.deprecated.as_ref();
            Err(Unresolved::Sunset {
                requested,
                version: version.version.clone(),
                sunset: deprecation
                    .and_then(|d| d.sunset.clone())
                    .unwrap_or_default(),
                successor: deprecation.and_then(|d| d.successor.clone()),
            })
        }
        None => Err(Unresolved::NoMatch { requested }),
    }
}

fn supported(tool: &ToolEntry) -> Vec<String> {
    tool.versions
        .iter()
        .map(|v| v.version.to_string())
        .collect()
}

fn unresolved_result(call: &Call, unresolved: Unresolved) -> CallToolResult {
    let tool = &call.tool;
    let (text, detail) = match unresolved {
        Unresolved::NoMatch { requested } => (
            format!(
                "Unsupported version {requested} of {}; supported: {}",
                tool.name,
                supported(tool).join(", ")
            ),
            json!({ "requested": requested, "supported": supported(tool) }),
        ),
        Unresolved::Sunset {
            requested,
            version,
            sunset,
            successor,
        } => {
            let successor_text = successor
                .as_deref()
                .map(|s| format!("; use {s}, its successor"))
                .unwrap_or_default();
            (
                format!(
                    "{} {version} is no longer served: its sunset was {sunset}{successor_text}",
                    tool.name
                ),
                json!({
                    "requested": requested,
                    "supported": supported(tool),
                    "sunset": { "version": version.to_string(), "date": sunset, "successor": successor },
                }),
            )
        }
    };
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    let mut result_meta = JsonObject::new();
    result_meta.insert(call.registry.meta().version_error.clone(), detail);
    result.meta = Some(MetaObject(result_meta));
    result
}

fn annotate(call: &Call, result: &mut CallToolResult) {
    let resolved = call.resolved();
    let meta = call.registry.meta();
    let result_meta = &mut result.meta.get_or_insert_with(MetaObject::default).0;
    result_meta.insert(
        meta.resolved_version.clone(),
        Value::String(resolved.version.to_string()),
    );
    let Some(deprecation) = &resolved.deprecated else {
        return;
    };
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
    result_meta.insert(meta.deprecation.clone(), notice);
    if call.registry.versioning().deprecation_notice {
        let mut text = format!(
            "Note: {} {} is deprecated: {}",
            call.tool.name, resolved.version, deprecation.message
        );
        if let Some(sunset) = &deprecation.sunset {
            text.push_str(&format!(" It stops being served on {sunset}."));
        }
        result.content.push(ContentBlock::text(text));
    }
}
