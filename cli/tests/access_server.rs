//! A server generated from the access fixture enforces its rules: built in a
//! temporary directory, run as a binary, driven over stdio. `tools/list` is
//! filtered per principal and a hidden tool answers exactly like an unknown
//! one.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The workspace's target directory, so the build reuses compiled
/// dependencies.
fn workspace_target() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace().join(dir),
        None => workspace().join("target"),
    }
}

/// Generates and builds the fixture; returns the binary.
fn build(dir: &Path) -> PathBuf {
    let spec = workspace().join("cli/tests/fixtures/valid/access.yaml");
    fs::copy(spec, dir.join("mcpgen.yaml")).unwrap();
    let generate = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["generate", "--spec", "mcpgen.yaml"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(generate.status.success(), "{generate:?}");
    fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let target = workspace_target();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let build = Command::new(cargo)
        .args(["build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the access fixture does not build:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    target
        .join("debug")
        .join(format!("files{}", std::env::consts::EXE_SUFFIX))
}

/// Sends `requests` over stdio as `principal` and returns the responses by id.
fn exchange(binary: &Path, principal: Option<&str>, requests: &[Value]) -> Vec<Value> {
    let mut command = Command::new(binary);
    command
        .env_remove("MCPGEN_PRINCIPAL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(principal) = principal {
        command.env("MCPGEN_PRINCIPAL", principal);
    }
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = vec![
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    ];
    lines.extend(requests.iter().cloned());
    for line in &lines {
        writeln!(stdin, "{line}").unwrap();
    }
    stdin.flush().unwrap();
    // The server answers every request before it sees the end of its input.
    let mut responses: Vec<Value> = Vec::new();
    let stdout = child.stdout.take().unwrap();
    let reader = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    for line in reader {
        let value: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if value["id"] != json!(0) {
            responses.push(value);
        }
        if responses.len() == requests.len() {
            break;
        }
    }
    drop(stdin);
    child.wait().unwrap();
    responses.sort_by_key(|r| r["id"].as_i64());
    responses
}

fn call(id: i64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": name, "arguments": arguments}})
}

#[test]
fn generated_server_enforces_access_rules() {
    let dir = tempfile::tempdir().unwrap();
    let binary = build(dir.path());
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        call(2, "admin_reset", json!({})),
        call(3, "no_such_tool", json!({})),
        call(4, "read_file", json!({"path": "/etc/passwd", "limit": 1})),
    ];
    let analyst = exchange(&binary, Some("analyst"), &requests);
    let names: Vec<&str> = analyst[0]["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["read_file", "search"]);
    // Hidden and unknown tools get the same error, apart from the name.
    let hidden = &analyst[1]["error"];
    let unknown = &analyst[2]["error"];
    assert_eq!(hidden["code"], unknown["code"]);
    assert_eq!(hidden["message"], "Unknown tool: admin_reset");
    assert_eq!(unknown["message"], "Unknown tool: no_such_tool");
    assert_eq!(hidden.get("data"), unknown.get("data"));
    // A visible tool with a failing argument condition says why.
    assert_eq!(analyst[3]["result"]["isError"], true);
    assert!(
        analyst[3]["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Access denied: argument `path`")
    );

    let operator = exchange(&binary, Some("operator"), &requests[..1]);
    let names: Vec<&str> = operator[0]["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin_reset"]);

    // Without a principal every tool is hidden.
    let nobody = exchange(&binary, None, &requests[..2]);
    assert_eq!(nobody[0]["result"]["tools"], json!([]));
    assert_eq!(nobody[1]["error"]["message"], "Unknown tool: admin_reset");

    // A config naming another tenant than the principal's is refused.
    fs::write(
        dir.path().join("runtime.yaml"),
        "principal: analyst\ntenant: globex\n",
    )
    .unwrap();
    let refused = Command::new(&binary)
        .args(["serve", "--config"])
        .arg(dir.path().join("runtime.yaml"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
}
