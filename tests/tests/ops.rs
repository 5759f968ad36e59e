//! The ops crate (`tests/crates/ops`), whose spec uses every migration op,
//! serves old versions through its generated `custom` adapter: arguments go
//! up through `split_query`, results come down through `drop_schema_tag`
//! and the inverted response ops, and pins, tenants and major aliases pick
//! the version.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

/// Serves one stdio session: initializes, sends every call and returns the
/// results by call index.
fn serve(config: Option<&str>, calls: &[Value]) -> Vec<Value> {
    let mut command = Command::new(support::built_binary("ops"));
    command.arg("serve");
    let dir = tempfile_dir();
    if let Some(config) = config {
        let path = dir.join("runtime.yaml");
        std::fs::write(&path, config).unwrap();
        command.arg("--config").arg(path);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the ops binary starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = vec![
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "ops-test", "version": "1.0.0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    ];
    for (i, call) in calls.iter().enumerate() {
        lines.push(json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": call}));
    }
    for line in &lines {
        writeln!(stdin, "{line}").unwrap();
    }
    stdin.flush().unwrap();
    let mut answers = BTreeMap::new();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let message: Value = serde_json::from_str(&line.unwrap()).expect("stdout is JSON-RPC");
        if let Some(id) = message["id"].as_u64().filter(|id| *id > 0) {
            answers.insert(id, message);
        }
        if answers.len() == calls.len() {
            break;
        }
    }
    drop(stdin);
    child.kill().ok();
    child.wait().ok();
    let _ = std::fs::remove_dir_all(&dir);
    answers
        .into_values()
        .map(|m| {
            assert!(m.get("error").is_none(), "JSON-RPC error: {m}");
            m["result"].clone()
        })
        .collect()
}

/// A fresh directory for one session's config.
fn tempfile_dir() -> PathBuf {
    static SESSIONS: AtomicUsize = AtomicUsize::new(0);
    let session = SESSIONS.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("mcpgen-ops-{}-{session}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn resolved(result: &Value) -> &str {
    result["_meta"]["com.example.ops/resolvedVersion"]
        .as_str()
        .unwrap_or_else(|| panic!("no resolved version: {result}"))
}

/// Arguments in the 1.0.0 shape, touching every request op of the chain.
fn v1_arguments() -> Value {
    json!({
        "tag": "news",
        "ids": [7, 8],
        "sort": "ascending",
        "limit": "20",
        "size": 80,
        "filter": {"cat": "world"},
        "fields": [{"name": "title"}],
        "query": "rust  migrations today",
    })
}

#[test]
fn old_versions_are_served_through_the_custom_functions() {
    let results = serve(
        None,
        &[
            json!({"name": "lookup", "arguments": v1_arguments(),
                   "_meta": {"com.example.ops/toolVersion": "1.0.0"}}),
            json!({"name": "lookup", "arguments": {"tags": ["a", "b"], "id": 5},
                   "_meta": {"com.example.ops/toolVersion": "3.0.0"}}),
        ],
    );
    let v1 = &results[0];
    assert_eq!(v1["isError"], false, "{v1}");
    assert_eq!(resolved(v1), "1.0.0");
    // `split_query` turned the query into three terms, one record each
    // numbered from the unwrapped first id; the result came back through
    // `drop_schema_tag`, the inverted `each` and the inverted rename.
    assert_eq!(
        v1["structuredContent"],
        json!({
            "total": 3,
            "records": [
                {"id": 7, "score": 0.5, "status": "open"},
                {"id": 8, "score": 0.5, "status": "open"},
                {"id": 9, "score": 0.5, "status": "open"},
            ],
        })
    );
    let v3 = &results[1];
    assert_eq!(resolved(v3), "3.0.0");
    assert_eq!(v3["structuredContent"]["schema"], "3");
    assert_eq!(v3["structuredContent"]["count"], 2);
}

#[test]
fn pins_tenants_and_major_aliases_pick_the_version() {
    let call = |name: &str, arguments: Value| json!({"name": name, "arguments": arguments});
    let v2 = json!({"tags": ["a"]});
    // No version named: the spec pins the server to ^2; the alias serves 1.x.
    let results = serve(
        None,
        &[
            call("lookup", v2.clone()),
            call("lookup_v1", v1_arguments()),
        ],
    );
    assert_eq!(resolved(&results[0]), "2.0.0");
    assert_eq!(resolved(&results[1]), "1.1.0");
    // The tenant `acme` is pinned to 1.0.0 in the spec.
    let results = serve(Some("tenant: acme\n"), &[call("lookup", v1_arguments())]);
    assert_eq!(resolved(&results[0]), "1.0.0");
    assert_eq!(results[0]["isError"], false, "{}", results[0]);
}
