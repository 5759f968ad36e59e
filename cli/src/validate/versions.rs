//! Rules about versions: semver, order, deprecation notices, and whether each
//! step says how to migrate.

use super::{tool_path, version_path, versions_of};
use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;

pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) {
    if let Err(error) = semver::Version::parse(&spec.server.version) {
        out.push(invalid_version(
            SpecPath::root().key("server").key("version"),
            &spec.server.version,
            &error,
        ));
    }
    for (t, tool) in spec.tools.iter().enumerate() {
        check_order(t, tool, out);
    }
    for (t, v, tool, version) in versions_of(spec) {
        check_step(t, v, version, out);
        if let Some(deprecation) = &version.deprecated {
            check_deprecation(
                tool,
                &version_path(t, v).key("deprecated"),
                version,
                deprecation,
                out,
            );
        }
    }
}

fn invalid_version(path: SpecPath, text: &str, error: &semver::Error) -> Diagnostic {
    Diagnostic::error(
        "invalid-version",
        path,
        format!("`{text}` is not a semver version: {error}"),
    )
    .with_help("write MAJOR.MINOR.PATCH, e.g. `1.0.0`")
}

fn check_order(t: usize, tool: &raw::Tool, out: &mut Vec<Diagnostic>) {
    if tool.versions.is_empty() {
        out.push(
            Diagnostic::error(
                "no-versions",
                tool_path(t).key("versions"),
                format!("tool `{}` has no versions", tool.name),
            )
            .with_help("add a version with an `input` schema"),
        );
    }
    let mut previous: Option<semver::Version> = None;
    for (v, version) in tool.versions.iter().enumerate() {
        let path = version_path(t, v).key("version");
        match semver::Version::parse(&version.version) {
            Err(error) => out.push(invalid_version(path, &version.version, &error)),
            Ok(parsed) => {
                if let Some(previous) = &previous
                    && parsed <= *previous
                {
                    out.push(
                        Diagnostic::error(
                            "version-order",
                            path,
                            format!("version {parsed} does not come after {previous}"),
                        )
                        .with_help(
                            "list versions oldest first, each strictly greater than the one before",
                        ),
                    );
                }
                previous = Some(parsed);
            }
        }
    }
}

fn check_step(t: usize, v: usize, version: &raw::Version, out: &mut Vec<Diagnostic>) {
    let path = version_path(t, v);
    let has_changes = version.changes.is_some();
    let compatible = version.compatible == Some(true);
    if v == 0 {
        if has_changes {
            out.push(
                Diagnostic::error(
                    "changes-on-first-version",
                    path.key("changes"),
                    "the first version has no previous version to migrate from",
                )
                .with_help("remove `changes` here"),
            );
        }
        return;
    }
    match (has_changes, compatible) {
        (true, true) => out.push(
            Diagnostic::error("changes-and-compatible", path.key("compatible"), "a version cannot both list `changes` and say it is `compatible`")
                .with_help("keep `changes` when arguments need rewriting, else only `compatible: true`"),
        ),
        (false, false) => out.push(
            Diagnostic::error("missing-changes", path, "this version does not say how arguments and results of the previous version map onto it")
                .with_help("add `changes:` with `request:` (and `response:`) ops, or `compatible: true` when old arguments and results are valid as they are"),
        ),
        _ => {}
    }
}

fn check_deprecation(
    tool: &raw::Tool,
    path: &SpecPath,
    version: &raw::Version,
    deprecation: &raw::Deprecation,
    out: &mut Vec<Diagnostic>,
) {
    let since = date(path.key("since"), deprecation.since.as_deref(), out);
    let sunset = date(path.key("sunset"), deprecation.sunset.as_deref(), out);
    if let (Some(since), Some(sunset)) = (since, sunset)
        && sunset < since
    {
        out.push(Diagnostic::error(
            "sunset-before-since",
            path.key("sunset"),
            format!("the sunset {sunset} is before the deprecation date {since}"),
        ));
    }
    if let Some(successor) = &deprecation.successor {
        let own = semver::Version::parse(&version.version).ok();
        let later = tool.versions.iter().any(|candidate| {
            candidate.version == *successor
                && semver::Version::parse(successor)
                    .ok()
                    .zip(own.clone())
                    .is_some_and(|(s, o)| s > o)
        });
        if !later {
            out.push(
                Diagnostic::error(
                    "unknown-successor",
                    path.key("successor"),
                    format!(
                        "successor `{successor}` is not a later version of `{}`",
                        tool.name
                    ),
                )
                .with_help("name one of the tool's newer versions"),
            );
        }
    }
}

fn date(
    path: SpecPath,
    text: Option<&str>,
    out: &mut Vec<Diagnostic>,
) -> Option<jiff::civil::Date> {
    let text = text?;
    match text.parse::<jiff::civil::Date>() {
        Ok(date) if text.len() == 10 => Some(date),
        _ => {
            out.push(
                Diagnostic::error(
                    "invalid-date",
                    path,
                    format!("`{text}` is not a calendar date"),
                )
                .with_help("write dates as YYYY-MM-DD"),
            );
            None
        }
    }
}
