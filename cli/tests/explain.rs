//! `mcpgen explain` end to end on the access fixture: allowed and denied
//! requests with the rule that decided, text and JSON, and the exit codes
//! (0 allowed, 1 denied, 2 usage).

use std::path::Path;
use std::process::Command;

const ALLOWED: i32 = 0;
const DENIED: i32 = 1;
const USAGE: i32 = 2;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// Runs `mcpgen explain --spec valid/access.yaml ARGS` and returns the exit
/// code and stdout, followed by stderr when there is any.
fn explain(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .arg("explain")
        .args(["--spec", "valid/access.yaml"])
        .args(args)
        .current_dir(fixtures())
        .output()
        .expect("mcpgen runs");
    let mut text = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    if !stderr.is_empty() {
        text.push_str("---- stderr ----\n");
        text.push_str(&stderr);
    }
    (output.status.code().expect("exits normally"), text)
}

fn at(principal: &str, tool: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--principal",
        principal,
        "--tool",
        tool,
        "--at",
        "2026-03-01",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn run(args: &[String]) -> (i32, String) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    explain(&args)
}

#[test]
fn allowed_by_a_role_with_its_rule() {
    let (code, out) = run(&at("analyst", "read_file", &[]));
    assert_eq!(code, ALLOWED, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn allowed_with_arguments_judged() {
    let (code, out) = run(&at(
        "analyst",
        "read_file",
        &[
            "--arguments",
            r#"{"path": "/srv/public/a.txt", "limit": 10}"#,
        ],
    ));
    assert_eq!(code, ALLOWED, "{out}");
    let (code, out) = run(&at(
        "analyst",
        "read_file",
        &[
            "--arguments",
            r#"{"path": "/srv/public/../secret", "limit": 10}"#,
        ],
    ));
    assert_eq!(code, DENIED, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn denied_by_default_without_a_rule() {
    let (code, out) = run(&at("analyst", "admin_reset", &[]));
    assert_eq!(code, DENIED, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn version_ranges_decide() {
    let (code, out) = run(&at("analyst", "read_file", &["--version", "1.0.0"]));
    assert_eq!(code, DENIED, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn time_windows_decide() {
    let args = ["--principal", "contractor", "--tool", "admin_reset"];
    let (code, _) = explain(&[&args[..], &["--at", "2026-03-01"]].concat());
    assert_eq!(code, ALLOWED);
    // The window ends exclusively at its `valid_until`.
    let (code, out) = explain(&[&args[..], &["--at", "2026-07-01T00:00:00Z"]].concat());
    assert_eq!(code, DENIED, "{out}");
    insta::assert_snapshot!(out);
    let (code, _) = explain(&[&args[..], &["--at", "2025-12-31"]].concat());
    assert_eq!(code, DENIED);
}

#[test]
fn list_action_and_json_output() {
    let (code, out) = run(&at(
        "analyst",
        "search",
        &["--action", "list", "--error-format", "json"],
    ));
    assert_eq!(code, ALLOWED, "{out}");
    let document: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(document["allowed"], true);
    assert_eq!(
        document["rule"]["path"],
        "access.principals[0].capabilities[0]"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn json_denial() {
    let (code, out) = run(&at("operator", "search", &["--error-format", "json"]));
    assert_eq!(code, DENIED, "{out}");
    let document: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(document["rule"], serde_json::Value::Null);
    assert_eq!(document["reason_code"], "no-rule-grants");
}

#[test]
fn usage_errors() {
    for args in [
        at("nobody", "search", &[]),
        at("analyst", "no_such_tool", &[]),
        at("analyst", "read_file", &["--version", "9.0.0"]),
        at("analyst", "read_file", &["--arguments", "{not json"]),
        vec!["--principal".into(), "analyst".into()],
    ] {
        let (code, out) = run(&args);
        assert_eq!(code, USAGE, "{args:?}: {out}");
    }
    let (code, out) = run(&at("nobody", "search", &[]));
    assert_eq!(code, USAGE);
    insta::assert_snapshot!(out);
}
