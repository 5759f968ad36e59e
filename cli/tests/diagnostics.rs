//! Diagnostic goldens: every spec in `fixtures/invalid/` rendered as the CLI
//! prints it, the JSON and GitHub formats, hand-checked positions, and a scan
//! of the generator's source that makes every diagnostic code need a fixture.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use mcpgen::diag::{self, Diagnostic, ErrorFormat, Severity};

/// The name every fixture is reported under, so snapshots do not depend on
/// where the fixture lives.
const SPEC_FILE: &str = "mcpgen.yaml";

/// Every diagnostic `text` produces: errors (with any warnings) when it is
/// invalid, else its warnings.
fn diagnostics(text: &str) -> Vec<Diagnostic> {
    match mcpgen::compile(text, SPEC_FILE) {
        Ok(validated) => validated.warnings,
        Err(diagnostics) => diagnostics,
    }
}

/// The rendered diagnostics followed by the source line each one points at,
/// with a caret under the column, so a reviewer can check positions at a glance.
fn annotated(text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = diag::render(diagnostics, SPEC_FILE, ErrorFormat::Text);
    out.push_str("\n---- where ----\n");
    let lines: Vec<&str> = text.lines().collect();
    for d in diagnostics {
        let location = d.location.expect("every reported diagnostic is located");
        let line = lines.get(location.line - 1).copied().unwrap_or("");
        let gutter = format!("{:>3}:{:<3}| ", location.line, location.column);
        let excerpt = format!("{gutter}{line}");
        out.push_str(&format!("[{}]\n{}\n", d.code, excerpt.trim_end()));
        let pad = " ".repeat(gutter.chars().count() + location.column - 1);
        out.push_str(&format!("{pad}^\n"));
    }
    out
}

/// Diagnostic codes used in `cli/src`, found by reading the source: codes
/// passed to `Diagnostic::error`/`warning` as literals, and, where a call
/// passes a variable, the `("code", …)` tuples of the same file it picks from.
fn codes_in_source() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let mut pending = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = fs::read_to_string(&path).unwrap();
                // Unit tests make up codes of their own.
                let source = source.split("#[cfg(test)]").next().unwrap_or_default();
                codes.extend(codes_in_file(source, &path));
            }
        }
    }
    codes
}

fn codes_in_file(source: &str, path: &Path) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let mut indirect = false;
    for call in ["Diagnostic::error(", "Diagnostic::warning("] {
        for (at, _) in source.match_indices(call) {
            let argument = source[at + call.len()..].trim_start();
            match string_literal(argument) {
                Some(code) => {
                    codes.insert(code.to_owned());
                }
                None => indirect = true,
            }
        }
    }
    if indirect {
        let before = codes.len();
        for (at, _) in source.match_indices('(') {
            let element = source[at + 1..].trim_start();
            if let Some(code) = string_literal(element)
                && is_code(code)
                && element[code.len() + 2..].trim_start().starts_with(',')
            {
                codes.insert(code.to_owned());
            }
        }
        assert!(
            codes.len() > before,
            "{} passes a diagnostic code through a variable, but no `(\"code\", …)` tuple was found; \
             teach this scan where the code comes from",
            path.display()
        );
    }
    codes
}

fn string_literal(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

fn is_code(text: &str) -> bool {
    text.contains('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/invalid")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A spec just over the size limit, built here rather than checked in.
fn oversized_spec() -> String {
    let mut text = String::from("mcpgen: 1\n# ");
    text.push_str(&"x".repeat(mcpgen::spec::MAX_SPEC_BYTES));
    text.push('\n');
    text
}

#[test]
fn invalid_fixtures() {
    let codes = codes_in_source();
    insta::glob!("fixtures/invalid/*.yaml", |path| {
        let text = fs::read_to_string(path).unwrap();
        let found = diagnostics(&text);
        assert!(!found.is_empty(), "{} reports nothing", path.display());
        // A fixture named after a code (`<code>.yaml`, `<code>-<case>.yaml`)
        // must report that code.
        let stem = path.file_stem().unwrap().to_string_lossy();
        if let Some(code) = codes
            .iter()
            .filter(|c| *stem == **c || stem.starts_with(&format!("{c}-")))
            .max_by_key(|c| c.len())
        {
            assert!(
                found.iter().any(|d| d.code == code),
                "{stem}.yaml does not report {code}: {found:#?}"
            );
        }
        // Syntax errors at the end of the input point just past the last line.
        let line_count = text.lines().count() + 1;
        for d in &found {
            let location = d.location.unwrap();
            assert!(
                (1..=line_count).contains(&location.line) && location.column >= 1,
                "{stem}.yaml: {d:?} points outside the file"
            );
        }
        insta::assert_snapshot!(annotated(&text, &found));
    });
}

#[test]
fn oversized_spec_is_refused_before_parsing() {
    let text = oversized_spec();
    let found = diagnostics(&text);
    assert_eq!(found.len(), 1);
    insta::assert_snapshot!(diag::render(&found, SPEC_FILE, ErrorFormat::Text));
}

#[test]
fn errors_in_several_tools_are_all_reported_in_file_order_at_their_positions() {
    let found = diagnostics(&fixture("many-errors.yaml"));
    let seen: Vec<(usize, usize, &str)> = found
        .iter()
        .map(|d| {
            let l = d.location.unwrap();
            (l.line, l.column, d.code)
        })
        .collect();
    // Counted by hand in the fixture: the value each rule is about (the
    // description's `""`, the second tool's `name` value, …), or the key for
    // a missing `changes`, which points at the version mapping.
    assert_eq!(
        seen,
        [
            (5, 9, "invalid-server-name"),
            (6, 12, "invalid-version"),
            (10, 11, "invalid-tool-name"),
            (12, 13, "unknown-module"),
            (15, 24, "input-not-object"),
            (16, 11, "duplicate-tool"),
            (16, 11, "invalid-tool-name"),
            (17, 18, "empty-description"),
            (21, 9, "missing-changes"),
            (21, 18, "version-order"),
            (28, 51, "invalid-date"),
            (29, 79, "invalid-json-schema"),
            (30, 9, "missing-changes"),
        ]
    );
    let errors = found.iter().filter(|d| d.severity == Severity::Error);
    assert_eq!(
        errors.count(),
        found.len() - 1,
        "only the empty description warns"
    );
}

#[test]
fn json_and_github_formats() {
    let text = fixture("many-errors.yaml");
    let found = diagnostics(&text);

    let json = diag::render(&found, SPEC_FILE, ErrorFormat::Json);
    let report: serde_json::Value = serde_json::from_str(&json).expect("the JSON format is JSON");
    let listed = report["diagnostics"].as_array().unwrap();
    assert_eq!(listed.len(), found.len());
    for (entry, d) in listed.iter().zip(&found) {
        let location = d.location.unwrap();
        assert_eq!(entry["code"], d.code);
        assert_eq!(entry["line"], location.line);
        assert_eq!(entry["column"], location.column);
    }
    assert_eq!(report["errors"], found.len() - 1);
    assert_eq!(report["warnings"], 1);
    insta::assert_snapshot!("many-errors.json", json);

    let github = diag::render(&found, SPEC_FILE, ErrorFormat::Github);
    // One workflow command per diagnostic: a newline in a message would end it early.
    assert_eq!(github.lines().count(), found.len());
    assert!(
        github
            .lines()
            .all(|l| l.starts_with("::error file=mcpgen.yaml,line=")
                || l.starts_with("::warning file=mcpgen.yaml,line="))
    );
    insta::assert_snapshot!("many-errors.github", github);
}

#[test]
fn every_diagnostic_code_has_a_fixture() {
    let codes = codes_in_source();
    // Guards the scan itself: it must see the codes of every stage.
    for known in [
        "yaml-syntax",
        "spec-too-large",
        "unknown-field",
        "duplicate-tool",
        "op-target-missing",
    ] {
        assert!(
            codes.contains(known),
            "the source scan missed {known}: {codes:?}"
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut reported = BTreeSet::new();
    let mut texts: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    texts.push(oversized_spec());
    for text in &texts {
        reported.extend(diagnostics(text).into_iter().map(|d| d.code.to_owned()));
    }
    let missing: Vec<&String> = codes.difference(&reported).collect();
    assert!(
        missing.is_empty(),
        "no fixture in {} reports {missing:?}; add one per code",
        dir.display()
    );
    // And the reviewed snapshots show each one.
    let snapshots: Vec<String> =
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("diagnostics__")
            })
            .map(|p| fs::read_to_string(p).unwrap())
            .collect();
    let unshown: Vec<&String> = codes
        .iter()
        .filter(|code| {
            !snapshots.iter().any(|s| {
                s.contains(&format!("error[{code}]")) || s.contains(&format!("warning[{code}]"))
            })
        })
        .collect();
    assert!(
        unshown.is_empty(),
        "no diagnostics snapshot shows {unshown:?}"
    );
    let unknown: Vec<&String> = reported.difference(&codes).collect();
    assert!(
        unknown.is_empty(),
        "fixtures report codes the scan did not find: {unknown:?}"
    );
}
