//! `mcpgen breaking`: comparing a spec with one published earlier. Every
//! published version must stay served until its sunset, must not change in
//! place, and every new version must be released with a step as large as
//! its changes need and with ops that carry old callers across.

pub mod baseline;
pub mod command;

use jiff::civil::Date;
use semver::Version;

use crate::classify::{self, Finding, Impact, Migration, Step};
use crate::diag::{Diagnostic, Severity, SpecPath};
use crate::spec::raw;

/// Every finding of comparing `new` with the earlier `old`, on `today`; paths
/// point into `new`.
pub fn compare(old: &raw::Spec, new: &raw::Spec, today: Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for old_tool in &old.tools {
        match new.tools.iter().position(|t| t.name == old_tool.name) {
            None => removed_tool(old_tool, today, &mut out),
            Some(t) => tool(old_tool, &new.tools[t], t, today, &mut out),
        }
    }
    out
}

/// A diagnostic about the comparison. These are built here rather than
/// through `Diagnostic::error`, whose codes each come with a one-spec
/// fixture; these codes describe two specs, and tests/breaking.rs covers each.
fn finding(severity: Severity, code: &'static str, path: SpecPath, message: String) -> Diagnostic {
    Diagnostic {
        severity,
        code,
        message,
        path,
        location: None,
        help: None,
        at_key: false,
    }
}

fn removed_tool(old: &raw::Tool, today: Date, out: &mut Vec<Diagnostic>) {
    let live: Vec<&str> = old
        .versions
        .iter()
        .filter(|v| !sunset_passed(v, today))
        .map(|v| v.version.as_str())
        .collect();
    if live.is_empty() {
        return;
    }
    out.push(
        finding(
            Severity::Error,
            "tool-removed",
            SpecPath::root().key("tools"),
            format!(
                "tool `{}` was removed, but it still serves {} (no sunset, or a sunset still ahead)",
                old.name,
                live.join(", ")
            ),
        )
        .with_help("keep the tool until every version's `deprecated.sunset` date has passed"),
    );
}

fn tool(old: &raw::Tool, new: &raw::Tool, t: usize, today: Date, out: &mut Vec<Diagnostic>) {
    let tool_path = SpecPath::root().key("tools").index(t);
    let version_path = |v: usize| tool_path.key("versions").index(v);
    let position =
        |tool: &raw::Tool, version: &str| tool.versions.iter().position(|v| v.version == version);

    for old_version in &old.versions {
        if position(new, &old_version.version).is_some() || sunset_passed(old_version, today) {
            continue;
        }
        let (code, why) = match old_version
            .deprecated
            .as_ref()
            .and_then(|d| d.sunset.as_deref())
        {
            Some(sunset) => (
                "version-removed-before-sunset",
                format!("its sunset is {sunset}"),
            ),
            None => ("version-removed", "it has no sunset date".to_owned()),
        };
        out.push(
            finding(
                Severity::Error,
                code,
                tool_path.key("versions"),
                format!(
                    "`{}` {} was removed, but {why}: callers pinned to it break",
                    new.name, old_version.version
                ),
            )
            .with_help(
                "keep serving it: deprecate it with a `sunset` date and remove it after that date",
            ),
        );
    }

    let (Some(old_newest), Some(new_newest)) = (old.versions.last(), new.versions.last()) else {
        return;
    };
    // Versions published before: they must not change in place.
    for old_version in &old.versions {
        let Some(v) = position(new, &old_version.version) else {
            continue;
        };
        let step = classify::versions(old_version, &new.versions[v]);
        if step.findings.is_empty() {
            if ops_of(old_version) != ops_of(&new.versions[v]) {
                out.push(
                    finding(
                        Severity::Warning,
                        "version-changed",
                        version_path(v).key("changes"),
                        format!(
                            "the migration into `{}` {} changed in place: callers pinned to earlier versions now see their values migrated differently",
                            new.name, old_version.version
                        ),
                    )
                    .with_help("fine for a fix; otherwise release the new behaviour as a new version"),
                );
            }
            continue;
        }
        let is_newest =
            old_version.version == old_newest.version && new_newest.version == old_newest.version;
        let required = step.required();
        let (severity, code, message) = if is_newest {
            (
                Severity::Error,
                "version-not-bumped",
                format!(
                    "`{}` {} changed, but its version did not; the changes need {}",
                    new.name,
                    old_version.version,
                    release(required)
                ),
            )
        } else {
            (
                if required > Impact::Patch {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                "version-changed",
                format!(
                    "`{}` {} was already published and changed in place",
                    new.name, old_version.version
                ),
            )
        };
        let help = if is_newest {
            format!(
                "restore {} as published and release the change as {}: copy the entry below itself, edit the copy and run `mcpgen bump {}`",
                old_version.version,
                next(&old_version.version, required),
                new.name
            )
        } else {
            "published versions are immutable: undo the change and release it as a new version"
                .to_owned()
        };
        out.push(
            finding(
                severity,
                code,
                version_path(v),
                with_findings(message, &step.findings),
            )
            .with_help(help),
        );
    }

    // Tool-level changes (annotations, description) ride on the step from the
    // old newest version to the new one.
    let tool_findings = classify::tools(old, new);
    if let (Ok(from), Ok(to)) = (
        Version::parse(&old_newest.version),
        Version::parse(&new_newest.version),
    ) {
        let required = tool_findings
            .iter()
            .map(|f| f.impact)
            .max()
            .unwrap_or_default();
        if classify::capacity(&from, &to) < required {
            let code = if from == to {
                "version-not-bumped"
            } else {
                "bump-too-small"
            };
            out.push(
                finding(
                    Severity::Error,
                    code,
                    tool_path.clone(),
                    with_findings(
                        format!(
                            "`{}` changed as a tool, which needs {}, but its newest version went from {from} to {to}",
                            new.name,
                            release(required)
                        ),
                        &tool_findings,
                    ),
                )
                .with_help(format!(
                    "add a version that carries the change: `mcpgen bump {} --{}` ({})",
                    new.name,
                    part_flag(&from, required),
                    next(&old_newest.version, required)
                )),
            );
        }
    }

    // Versions released since: each step must be big enough and migrate.
    for (v, added) in new.versions.iter().enumerate() {
        if v == 0 || position(old, &added.version).is_some() {
            continue;
        }
        let previous = &new.versions[v - 1];
        let step = classify::versions(previous, added);
        released(new, previous, added, &step, &version_path(v), out);
    }
}

fn released(
    tool: &raw::Tool,
    previous: &raw::Version,
    added: &raw::Version,
    step: &Step,
    path: &SpecPath,
    out: &mut Vec<Diagnostic>,
) {
    let (Ok(from), Ok(to)) = (
        Version::parse(&previous.version),
        Version::parse(&added.version),
    ) else {
        return;
    };
    let required = step.required();
    let capacity = classify::capacity(&from, &to);
    if capacity < required {
        let breaking: Vec<Finding> = step
            .findings
            .iter()
            .filter(|f| f.impact > capacity)
            .cloned()
            .collect();
        out.push(
            finding(
                Severity::Error,
                "bump-too-small",
                path.key("version"),
                with_findings(
                    format!(
                        "`{}` {from} → {to} is {}, but its changes need {}",
                        tool.name,
                        step_name(capacity),
                        release(required)
                    ),
                    &breaking,
                ),
            )
            .with_help(format!(
                "release it as {}, or undo the changes",
                classify::increment(&from, classify::part_for(required, &from))
            )),
        );
    }
    for (direction, migration, what) in [
        ("request", &step.request, "old arguments"),
        ("response", &step.response, "results for older callers"),
    ] {
        migration_gaps(tool, added, direction, migration, what, path, out);
    }
}

fn migration_gaps(
    tool: &raw::Tool,
    added: &raw::Version,
    direction: &str,
    migration: &Migration,
    what: &str,
    path: &SpecPath,
    out: &mut Vec<Diagnostic>,
) {
    if migration.gaps.is_empty() {
        return;
    }
    let (proven, undecided): (Vec<Finding>, Vec<Finding>) = migration
        .gaps
        .iter()
        .cloned()
        .partition(|f| !f.rule.is_undecided());
    let at = if added.changes.is_some() {
        path.key("changes").key(direction)
    } else {
        path.clone()
    };
    if !proven.is_empty() && migration.ops == 0 {
        out.push(
            finding(
                Severity::Error,
                "missing-migration",
                at.clone(),
                with_findings(
                    format!(
                        "`{}` {} breaks {what}, and the step has no {direction} ops to carry them across",
                        tool.name, added.version
                    ),
                    &proven,
                ),
            )
            .with_help(format!(
                "add `changes: {{{direction}: [...]}}` ops (run `mcpgen bump {}` on a draft to scaffold them)",
                tool.name
            )),
        );
        if undecided.is_empty() {
            return;
        }
    }
    let rest: Vec<Finding> = if migration.ops == 0 {
        undecided
    } else {
        migration.gaps.clone()
    };
    if rest.is_empty() {
        return;
    }
    out.push(
        finding(
            Severity::Warning,
            "incomplete-migration",
            at,
            with_findings(
                format!(
                    "after the {direction} ops of `{}` {}, {what} may still not be valid",
                    tool.name, added.version
                ),
                &rest,
            ),
        )
        .with_help("add ops that carry these values across, or accept that such callers fail"),
    );
}

/// A step's ops, request then response (`compatible: true` has none).
fn ops_of(
    version: &raw::Version,
) -> (
    &[mcpgen_runtime::migrate::Op],
    &[mcpgen_runtime::migrate::Op],
) {
    match &version.changes {
        Some(changes) => (&changes.request, &changes.response),
        None => (&[], &[]),
    }
}

fn sunset_passed(version: &raw::Version, today: Date) -> bool {
    version
        .deprecated
        .as_ref()
        .and_then(|d| d.sunset.as_deref())
        .and_then(|s| s.parse::<Date>().ok())
        .is_some_and(|sunset| sunset <= today)
}

fn with_findings(message: String, findings: &[Finding]) -> String {
    if findings.is_empty() {
        return message;
    }
    let listed: Vec<String> = findings.iter().map(Finding::describe).collect();
    format!("{message}: {}", listed.join("; "))
}

/// The version a change of `required` after `version` should get.
fn next(version: &str, required: Impact) -> String {
    match Version::parse(version) {
        Ok(from) => classify::increment(&from, classify::part_for(required, &from)).to_string(),
        Err(_) => "a new version".to_owned(),
    }
}

fn part_flag(from: &Version, required: Impact) -> &'static str {
    match classify::part_for(required, from) {
        classify::Part::Major => "major",
        classify::Part::Minor => "minor",
        classify::Part::Patch => "patch",
    }
}

fn release(required: Impact) -> &'static str {
    match required {
        Impact::None => "no release",
        Impact::Patch => "a patch release",
        Impact::Minor => "a minor release",
        Impact::Major => "a major release",
    }
}

fn step_name(capacity: Impact) -> &'static str {
    match capacity {
        Impact::None => "not a step forward",
        Impact::Patch => "a patch step",
        Impact::Minor => "a minor step",
        Impact::Major => "a major step",
    }
}
