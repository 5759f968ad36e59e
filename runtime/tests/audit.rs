//! The audit log on real files: the chain verifies and `audit verify` finds
//! every edit, removal, reordering, insertion and truncation; redaction leaves
//! no plaintext; strict mode loses no acknowledged record when the process is
//! killed; restarts continue the chain; concurrent writers make one chain;
//! buffered mode drops and counts when full; `serve` records every call.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use mcpgen_runtime::audit::{
    self, AuditLog, Break, BreakKind, Defect, Entry, GENESIS, Head, Mode, Outcome, Redactor,
    Verified, VerifyError,
};
use serde_json::{Map, Value, json};

fn entry(id: u64) -> Entry {
    let mut entry = Entry::new(audit::now(), "tools/call", Outcome::Ok);
    entry.request_id = Some(json!(id));
    entry.tool = Some("echo".to_owned());
    entry.version = Some("1.0.0".to_owned());
    entry
}

async fn write_log(path: &Path, ids: std::ops::RangeInclusive<u64>) {
    let log = AuditLog::open(path, Mode::Strict).unwrap();
    for id in ids {
        log.append(&entry(id)).await.unwrap();
    }
    log.close().await.unwrap();
}

fn verify(path: &Path, anchors: &[Head]) -> Result<Verified, VerifyError> {
    audit::verify(BufReader::new(std::fs::File::open(path).unwrap()), anchors)
}

fn broken(path: &Path, anchors: &[Head]) -> Break {
    match verify(path, anchors) {
        Err(VerifyError::Broken(at)) => at,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

/// The file's lines, newlines kept.
fn lines(path: &Path) -> Vec<Vec<u8>> {
    std::fs::read(path)
        .unwrap()
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn write_lines(path: &Path, lines: &[Vec<u8>]) {
    std::fs::write(path, lines.concat()).unwrap();
}

fn records(path: &Path) -> Vec<Map<String, Value>> {
    lines(path)
        .iter()
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

fn head_of(line: &[u8]) -> Head {
    let record: Map<String, Value> = serde_json::from_slice(line).unwrap();
    Head {
        seq: record["seq"].as_u64().unwrap(),
        hash: record["hash"].as_str().unwrap().to_owned(),
    }
}

/// A log of five records in a fresh directory.
async fn five() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 1..=5).await;
    (dir, path)
}

#[tokio::test]
async fn a_fresh_chain_verifies_from_genesis() {
    let (_dir, path) = five().await;
    let verified = verify(&path, &[]).unwrap();
    assert_eq!(verified.records, 5);
    let records = records(&path);
    assert_eq!(records[0]["seq"], json!(1));
    assert_eq!(records[0]["prev"], json!(GENESIS));
    for pair in records.windows(2) {
        assert_eq!(pair[1]["prev"], pair[0]["hash"]);
    }
    assert_eq!(verified.head.hash, records[4]["hash"].as_str().unwrap());
    for field in [
        "time",
        "request_id",
        "tenant",
        "principal",
        "method",
        "tool",
        "version",
        "outcome",
        "duration_us",
    ] {
        assert!(records[0].contains_key(field), "records carry `{field}`");
    }
}

#[tokio::test]
async fn flipping_any_byte_of_a_record_breaks_the_chain_at_that_line() {
    let (_dir, path) = five().await;
    let original = lines(&path);
    for at in 0..original[2].len() {
        let mut edited = original.clone();
        edited[2][at] ^= 0x01;
        write_lines(&path, &edited);
        let found = broken(&path, &[]);
        assert_eq!(found.line, 3, "flipping byte {at} of line 3: {found}");
    }
    // A readable edit is reported as one, with the line's seq.
    let mut edited = original.clone();
    let text = String::from_utf8(edited[2].clone()).unwrap();
    edited[2] = text.replace("\"echo\"", "\"echp\"").into_bytes();
    write_lines(&path, &edited);
    assert_eq!(
        broken(&path, &[]),
        Break {
            line: 3,
            seq: Some(3),
            kind: BreakKind::Defect(Defect::Edited)
        }
    );
}

#[tokio::test]
async fn a_removed_record_breaks_the_chain_where_it_was() {
    let (_dir, path) = five().await;
    let original = lines(&path);
    for removed in 0..4 {
        let mut edited = original.clone();
        edited.remove(removed);
        write_lines(&path, &edited);
        let found = broken(&path, &[]);
        assert_eq!(found.line, removed as u64 + 1);
        assert_eq!(found.seq, Some(removed as u64 + 2));
        assert_eq!(
            found.kind,
            BreakKind::Sequence {
                expected: removed as u64 + 1
            }
        );
    }
}

#[tokio::test]
async fn records_cut_from_the_end_are_found_only_against_an_anchor() {
    let (_dir, path) = five().await;
    let original = lines(&path);
    let anchor = head_of(&original[4]);
    write_lines(&path, &original[..3]);
    // A hash chain alone cannot tell a shorter log from a cut one.
    assert_eq!(verify(&path, &[]).unwrap().records, 3);
    let found = broken(&path, std::slice::from_ref(&anchor));
    assert_eq!(found.line, 4);
    assert_eq!(found.kind, BreakKind::EndsBefore { anchor: 5 });
    // An anchor that the log holds passes; a wrong hash at its seq does not.
    write_lines(&path, &original);
    assert_eq!(verify(&path, &[anchor]).unwrap().records, 5);
    let wrong = Head {
        seq: 2,
        hash: head_of(&original[3]).hash,
    };
    assert_eq!(broken(&path, &[wrong]).line, 2);
}

#[tokio::test]
async fn swapped_records_break_the_chain_at_the_first_of_them() {
    let (_dir, path) = five().await;
    let mut edited = lines(&path);
    edited.swap(1, 2);
    write_lines(&path, &edited);
    assert_eq!(
        broken(&path, &[]),
        Break {
            line: 2,
            seq: Some(3),
            kind: BreakKind::Sequence { expected: 2 }
        }
    );
}

#[tokio::test]
async fn an_inserted_record_breaks_the_chain() {
    let (_dir, path) = five().await;
    let original = lines(&path);
    // A copy of a genuine record.
    let mut edited = original.clone();
    edited.insert(2, original[1].clone());
    write_lines(&path, &edited);
    assert_eq!(
        broken(&path, &[]),
        Break {
            line: 3,
            seq: Some(2),
            kind: BreakKind::Sequence { expected: 3 }
        }
    );
    // A forged record sealed onto the chain: the record after it no longer
    // follows.
    let forged = match serde_json::to_value(entry(99)).unwrap() {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    let (line, _) = audit::seal(forged, &head_of(&original[1])).unwrap();
    let mut edited = original.clone();
    edited.insert(2, line);
    write_lines(&path, &edited);
    assert_eq!(
        broken(&path, &[]),
        Break {
            line: 4,
            seq: Some(3),
            kind: BreakKind::Sequence { expected: 4 }
        }
    );
    // A forged record with the right seq but not linked to its predecessor.
    let forged = match serde_json::to_value(entry(98)).unwrap() {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    let unlinked = Head {
        seq: 2,
        hash: GENESIS.to_owned(),
    };
    let (line, _) = audit::seal(forged, &unlinked).unwrap();
    let mut edited = original.clone();
    edited[2] = line;
    write_lines(&path, &edited);
    assert_eq!(broken(&path, &[]).kind, BreakKind::Link);
    // A line that is no record at all.
    let mut edited = original.clone();
    edited.insert(1, b"{\"audit_id\":\"forged\"}\n".to_vec());
    write_lines(&path, &edited);
    let found = broken(&path, &[]);
    assert_eq!(found.line, 2);
    assert!(matches!(
        found.kind,
        BreakKind::Defect(Defect::Malformed(_))
    ));
}

#[tokio::test]
async fn a_truncated_line_breaks_the_chain_at_that_line() {
    let (_dir, path) = five().await;
    let original = lines(&path);
    let whole = original.concat();
    let last_start = whole.len() - original[4].len();
    // Every cut inside the last line, its newline included.
    for cut in last_start + 1..whole.len() {
        std::fs::write(&path, &whole[..cut]).unwrap();
        let found = broken(&path, &[]);
        assert_eq!(
            (found.line, &found.kind),
            (5, &BreakKind::Truncated),
            "cut at {cut}"
        );
    }
    // A cut inside an earlier line.
    let third_start = original[0].len() + original[1].len();
    std::fs::write(&path, &whole[..third_start + 10]).unwrap();
    assert_eq!(broken(&path, &[]).line, 3);
}

#[tokio::test]
async fn a_restarted_writer_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 1..=3).await;
    write_log(&path, 4..=5).await;
    let verified = verify(&path, &[]).unwrap();
    assert_eq!(verified.records, 5);
    let records = records(&path);
    assert_eq!(records[3]["prev"], records[2]["hash"]);
    assert_eq!(records[3]["request_id"], json!(4));
}

#[tokio::test]
async fn a_writer_refuses_a_log_whose_tail_is_broken() {
    let (_dir, path) = five().await;
    let original = lines(&path);
    let refused = |path: &Path| match AuditLog::open(path, Mode::Strict) {
        Ok(_) => panic!("a broken tail was accepted"),
        Err(error) => error.to_string(),
    };
    // A torn last line.
    let mut torn = original.concat();
    torn.extend_from_slice(b"{\"seq\":6,\"pr");
    std::fs::write(&path, &torn).unwrap();
    let message = refused(&path);
    assert!(message.contains("incomplete"), "{message}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        torn,
        "the file is left alone"
    );
    // An edited last record.
    let mut edited = original.clone();
    let text = String::from_utf8(edited[4].clone()).unwrap();
    edited[4] = text.replace("\"echo\"", "\"echp\"").into_bytes();
    write_lines(&path, &edited);
    let message = refused(&path);
    assert!(message.contains("edited"), "{message}");
    // A single record, shorter than the chunk read from the end, continues.
    write_lines(&path, &original[..1]);
    write_log(&path, 2..=2).await;
    assert_eq!(verify(&path, &[]).unwrap().records, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_make_one_chain_with_shared_syncs() {
    for mode in [
        Mode::Strict,
        Mode::Buffered {
            capacity: 4096,
            flush: Duration::from_millis(5),
        },
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path, mode).unwrap();
        let tasks: Vec<_> = (0..64u64)
            .map(|task| {
                let log = log.clone();
                tokio::spawn(async move {
                    for i in 0..16 {
                        log.append(&entry(task * 1000 + i)).await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        log.close().await.unwrap();
        assert_eq!(verify(&path, &[]).unwrap().records, 1024, "{mode:?}");
        let ids: BTreeSet<u64> = records(&path)
            .iter()
            .map(|r| r["request_id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids.len(), 1024, "{mode:?}: every record once");
        let stats = log.stats();
        assert_eq!(stats.records, 1024);
        assert!(
            stats.syncs < stats.records,
            "{mode:?}: {} syncs for {} records",
            stats.syncs,
            stats.records
        );
        eprintln!("{mode:?}: {} records, {} syncs", stats.records, stats.syncs);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_full_buffered_queue_drops_and_counts_in_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mode = Mode::Buffered {
        capacity: 1,
        flush: Duration::from_secs(60),
    };
    let log = AuditLog::open(&path, mode).unwrap();
    let sent = 10_000;
    for id in 0..sent {
        // Never waits, whatever the queue holds.
        log.append(&entry(id)).await.unwrap();
    }
    log.close().await.unwrap();
    assert!(verify(&path, &[]).is_ok());
    let records = records(&path);
    let written = records
        .iter()
        .filter(|r| r["method"] == "tools/call")
        .count() as u64;
    let reported: u64 = records
        .iter()
        .filter(|r| r["method"] == "audit/dropped")
        .inspect(|r| assert_eq!(r["outcome"], "lost"))
        .map(|r| r["dropped"].as_u64().unwrap())
        .sum();
    let dropped = log.stats().dropped;
    assert!(dropped > 0, "a queue of one never filled");
    assert_eq!(reported, dropped, "every drop is counted in the chain");
    assert_eq!(written + dropped, sent);
}

#[tokio::test]
async fn buffered_records_reach_the_disk_within_the_flush_interval() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mode = Mode::Buffered {
        capacity: 64,
        flush: Duration::from_millis(50),
    };
    let log = AuditLog::open(&path, mode).unwrap();
    for id in 1..=3 {
        log.append(&entry(id)).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(verify(&path, &[]).unwrap().records, 3);
    log.close().await.unwrap();
    assert!(log.append(&entry(4)).await.is_err(), "a closed log refuses");
}

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const OTHER_KEY: &[u8] = b"fedcba9876543210fedcba9876543210";

#[test]
fn redaction_hides_values_behind_a_stable_keyed_hash() {
    let redactor = Redactor::new(KEY).unwrap();
    let sensitive = vec!["password".to_owned(), "filters.token".to_owned()];
    let arguments = json!({
        "user": "ada",
        "password": "hunter2",
        "filters": [{"token": "t-secret-1"}, {"token": 42}],
    });
    let mut first = arguments.clone();
    let plaintexts = redactor.redact(&mut first, &sensitive);
    assert_eq!(
        plaintexts,
        vec!["hunter2".to_owned(), "t-secret-1".to_owned()]
    );
    let text = first.to_string();
    assert!(
        !text.contains("hunter2") && !text.contains("t-secret-1"),
        "{text}"
    );
    assert_eq!(first["user"], "ada");
    let marker = first["password"].as_str().unwrap();
    assert!(marker.starts_with("[REDACTED] hmac-sha256:"), "{marker}");
    assert!(
        first["filters"][1]["token"]
            .as_str()
            .unwrap()
            .starts_with("[REDACTED]")
    );
    // Stable under the same key, different under another.
    let mut second = arguments.clone();
    redactor.redact(&mut second, &sensitive);
    assert_eq!(first, second);
    let mut other = arguments.clone();
    Redactor::new(OTHER_KEY)
        .unwrap()
        .redact(&mut other, &sensitive);
    assert_ne!(first["password"], other["password"]);
    // Equal values match across records; different ones do not.
    assert_eq!(redactor.marker(&json!("hunter2")), marker);
    assert_ne!(redactor.marker(&json!("hunter3")), marker);
    // Short keys are refused.
    assert!(Redactor::new(b"short").is_err());
}

#[tokio::test]
async fn hostile_values_stay_inside_their_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path, Mode::Strict).unwrap();
    let mut hostile = entry(1);
    hostile.arguments = Some(json!({
        "q": "x\"}\n{\"audit_id\":\"forged\",\"seq\":2}\n\u{1b}[31m\u{2028}end",
        "n": 1.5e300,
        "big": 18446744073709551615u64,
    }));
    log.append(&hostile).await.unwrap();
    log.append(&entry(2)).await.unwrap();
    log.close().await.unwrap();
    assert_eq!(lines(&path).len(), 2, "no forged line");
    assert_eq!(verify(&path, &[]).unwrap().records, 2);
}

// ---- the server: `serve --config` with an audit section --------------------

/// Builds the `audited` example (a no-op when it is current) and returns it.
fn audited_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command.args([
            "build",
            "--quiet",
            "-p",
            "mcpgen-runtime",
            "--example",
            "audited",
        ]);
        // The example goes where this test binary's profile puts examples.
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let status = command
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --example audited failed");
        // Tests run from `<target>/debug/deps`; examples sit beside it.
        let deps = std::env::current_exe().unwrap();
        let binary = deps
            .parent()
            .and_then(Path::parent)
            .unwrap()
            .join("examples")
            .join(format!("audited{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.is_file(), "{} was not built", binary.display());
        binary
    })
}

fn config(dir: &Path, mode: &str) -> PathBuf {
    let path = dir.join("runtime.yaml");
    let log = dir.join("audit.jsonl");
    std::fs::write(
        &path,
        format!(
            "tenant: acme\naudit:\n  path: {}\n  mode: {mode}\n  redaction_key_env: AUDITED_KEY\n",
            log.display()
        ),
    )
    .unwrap();
    path
}

fn spawn_server(config: &Path) -> std::process::Child {
    Command::new(audited_binary())
        .arg("serve")
        .arg("--config")
        .arg(config)
        .env("AUDITED_KEY", std::str::from_utf8(KEY).unwrap())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the audited example starts")
}

fn handshake(stdin: &mut impl Write) {
    let lines = [
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "audit-test", "version": "1.0.0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    ];
    for line in lines {
        writeln!(stdin, "{line}").unwrap();
    }
}

fn call(id: u64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": name, "arguments": arguments}})
}

#[test]
fn serve_records_every_call_with_redacted_arguments_and_results() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "strict");
    let mut child = spawn_server(&config);
    let mut stdin = child.stdin.take().unwrap();
    handshake(&mut stdin);
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        call(
            2,
            "login",
            json!({"user": "ada", "password": "hunter2", "filters": {"token": "tok-77"}}),
        ),
        call(3, "login", json!({"user": "ada", "password": "wrong"})),
        call(4, "login", json!({"user": "ada", "password": 12})),
        call(5, "nope", json!({})),
        json!({"jsonrpc": "2.0", "id": 6, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
            "name": "login", "arguments": {"user": "ada", "password": "hunter2"},
            "_meta": {"dev.mcpgen/toolVersion": "0.9.0"}}}),
    ];
    for request in &requests {
        writeln!(stdin, "{request}").unwrap();
    }
    stdin.flush().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut answered = 0;
    for line in stdout.lines() {
        let message: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if message["id"].as_u64().is_some_and(|id| id > 0) {
            answered += 1;
        }
        if answered == requests.len() {
            break;
        }
    }
    drop(stdin);
    assert!(child.wait().unwrap().success(), "the server exits cleanly");

    let log = dir.path().join("audit.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    for secret in ["hunter2", "tok-77", "ticket-of-hunter2", "wrong"] {
        assert!(!text.contains(secret), "`{secret}` is in the log:\n{text}");
    }
    let records = records(&log);
    let summary: Vec<(Value, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["request_id"].clone(),
                r["method"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    let mut sorted = summary.clone();
    sorted.sort_by_key(|(id, ..)| id.as_u64());
    assert_eq!(
        sorted,
        vec![
            (json!(0), "initialize", "ok"),
            (json!(1), "tools/list", "ok"),
            (json!(2), "tools/call", "ok"),
            (json!(3), "tools/call", "tool_error"),
            (json!(4), "tools/call", "tool_error"),
            (json!(5), "tools/call", "protocol_error"),
            (json!(6), "ping", "ok"),
            (json!(7), "tools/call", "tool_error"),
        ]
    );
    let by_id = |id: u64| {
        records
            .iter()
            .find(|r| r["request_id"] == json!(id))
            .unwrap()
    };
    let ok = by_id(2);
    assert_eq!(ok["tenant"], "acme");
    assert_eq!(ok["principal"], Value::Null);
    assert_eq!(ok["tool"], "login");
    assert_eq!(ok["version"], "1.0.0");
    assert_eq!(ok["arguments"]["user"], "ada");
    assert!(
        ok["arguments"]["password"]
            .as_str()
            .unwrap()
            .starts_with("[REDACTED] hmac-sha256:")
    );
    assert!(
        ok["arguments"]["filters"]["token"]
            .as_str()
            .unwrap()
            .starts_with("[REDACTED]")
    );
    assert!(
        ok["result"]["ticket"]
            .as_str()
            .unwrap()
            .starts_with("[REDACTED]")
    );
    assert_eq!(ok["result"]["user"], "ada");
    let expected = Redactor::new(KEY).unwrap().marker(&json!("hunter2"));
    assert_eq!(
        ok["arguments"]["password"],
        json!(expected),
        "the keyed hash is reproducible"
    );
    let echoed = by_id(3);
    assert_eq!(
        echoed["error"]["message"],
        "bad password [REDACTED] for ada"
    );
    let invalid = by_id(4);
    assert_eq!(
        invalid["error"]["message"],
        "invalid arguments at /password"
    );
    assert_eq!(invalid["version"], "1.0.0");
    let sunset = by_id(7);
    assert_eq!(sunset["version"], Value::Null, "no version served it");
    let said = sunset["error"]["message"].as_str().unwrap();
    assert!(said.contains("no longer served"), "{said}");
    let unknown = by_id(5);
    assert_eq!(unknown["tool"], "nope");
    assert_eq!(unknown["version"], Value::Null);
    assert_eq!(unknown["error"]["code"], json!(-32602));

    // `audit verify`: 0 when intact, 1 at the break, 2 when unreadable.
    let verify_cli = |file: &Path| {
        Command::new(audited_binary())
            .args(["audit", "verify"])
            .arg(file)
            .output()
            .unwrap()
    };
    let intact = verify_cli(&log);
    assert_eq!(intact.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&intact.stdout).contains("intact, 8 records"));
    let mut edited = lines(&log);
    edited.swap(1, 3);
    write_lines(&log, &edited);
    let swapped = verify_cli(&log);
    assert_eq!(swapped.status.code(), Some(1));
    let said = String::from_utf8_lossy(&swapped.stdout);
    assert!(said.contains("line 2 (seq 4)"), "{said}");
    assert_eq!(
        verify_cli(&dir.path().join("missing.jsonl")).status.code(),
        Some(2)
    );
    let usage = Command::new(audited_binary())
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn serve_refuses_to_start_on_a_broken_log() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "strict");
    std::fs::write(dir.path().join("audit.jsonl"), "{\"seq\":1,").unwrap();
    let output = Command::new(audited_binary())
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .env("AUDITED_KEY", std::str::from_utf8(KEY).unwrap())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("incomplete"), "{said}");
}

/// Runs `serve` of the audited example under `config` with no input, with
/// the redaction key in its variable or without it.
fn serve_until_stdin_closes(config: &Path, key: Option<&[u8]>) -> std::process::Output {
    let mut command = Command::new(audited_binary());
    command
        .arg("serve")
        .arg("--config")
        .arg(config)
        .env_remove("AUDITED_KEY");
    if let Some(key) = key {
        command.env("AUDITED_KEY", std::str::from_utf8(key).unwrap());
    }
    command.stdin(Stdio::null()).output().unwrap()
}

#[test]
fn serve_refuses_a_weaker_audit_log_than_the_spec_requires() {
    // The audited example's spec requires `strict`.
    let dir = tempfile::tempdir().unwrap();
    let serve = |config: &Path| serve_until_stdin_closes(config, Some(KEY));
    let output = serve(&config(dir.path(), "buffered"));
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("audit.mode") && said.contains("`strict`"),
        "{said}"
    );
    assert!(
        !dir.path().join("audit.jsonl").exists(),
        "no log is created"
    );
    let without = dir.path().join("without.yaml");
    std::fs::write(&without, "tenant: acme\n").unwrap();
    let output = serve(&without);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("requires a strict audit log"), "{said}");
    // A strict log serves: every other test here runs with one.
}

#[test]
fn serve_refuses_to_start_without_a_key_when_sensitive_values_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let serve = |config: &Path| serve_until_stdin_closes(config, None);
    // The key's variable is not set.
    let output = serve(&config(dir.path(), "strict"));
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("AUDITED_KEY"), "{said}");
    // No key at all, while `login` records arguments with sensitive fields.
    let keyless = dir.path().join("keyless.yaml");
    let log = dir.path().join("audit.jsonl");
    std::fs::write(
        &keyless,
        format!("audit:\n  path: {}\n  mode: strict\n", log.display()),
    )
    .unwrap();
    let output = serve(&keyless);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("`login`") && said.contains("redaction_key"),
        "{said}"
    );
    assert!(!log.exists(), "no log is created");
}

#[test]
fn tools_neither_opens_nor_creates_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(audited_binary())
        .arg("tools")
        .arg("--config")
        .arg(config(dir.path(), "strict"))
        .env("AUDITED_KEY", std::str::from_utf8(KEY).unwrap())
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!dir.path().join("audit.jsonl").exists());
}

#[test]
fn the_audit_section_of_the_runtime_config() {
    use mcpgen_runtime::config::{AuditMode, RuntimeConfig};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runtime.yaml");
    std::fs::write(
        &path,
        "audit:\n  path: a.jsonl\n  mode: buffered\n  redaction_key: sekrit-sekrit-sekrit-sekrit-sekrit\n  record: { results: false }\n",
    )
    .unwrap();
    let config = RuntimeConfig::load(&path).unwrap();
    let audit = config.audit.expect("the section is read");
    assert_eq!(audit.mode, AuditMode::Buffered);
    assert!(audit.record.arguments && !audit.record.results);
    assert_eq!(audit.buffered.capacity, 4096);
    let shown = format!("{audit:?}");
    assert!(!shown.contains("sekrit"), "Debug shows the key: {shown}");
    // Unknown fields and a missing mode are refused; no section, no log.
    std::fs::write(
        &path,
        "audit:\n  path: a.jsonl\n  mode: strict\n  colour: red\n",
    )
    .unwrap();
    assert!(RuntimeConfig::load(&path).unwrap_err().contains("colour"));
    std::fs::write(&path, "audit:\n  path: a.jsonl\n").unwrap();
    assert!(RuntimeConfig::load(&path).unwrap_err().contains("mode"));
    std::fs::write(&path, "tenant: acme\n").unwrap();
    assert!(RuntimeConfig::load(&path).unwrap().audit.is_none());
}

/// Every response a client received in strict mode has its record in the
/// file, even when the server is killed mid-run with requests in flight.
#[test]
fn a_killed_strict_server_loses_no_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "strict");
    let mut child = spawn_server(&config);
    let mut stdin = child.stdin.take().unwrap();
    handshake(&mut stdin);
    let sent = 2000;
    let writer = std::thread::spawn(move || {
        for id in 1..=sent {
            let request = call(
                id,
                "login",
                json!({"user": format!("u{id}"), "password": "p"}),
            );
            if writeln!(stdin, "{request}").is_err() {
                break;
            }
        }
        let _ = stdin.flush();
        // Keep stdin open: the kill, not end of input, ends the server.
        std::thread::sleep(Duration::from_secs(30));
    });
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut acked = BTreeSet::new();
    let mut killed = false;
    for line in stdout.lines() {
        let Ok(line) = line else { break };
        let message: Value = serde_json::from_str(&line).unwrap();
        if let Some(id) = message["id"].as_u64().filter(|id| *id > 0) {
            assert!(message.get("result").is_some(), "{message}");
            acked.insert(id);
        }
        if acked.len() == 200 && !killed {
            child.kill().unwrap();
            killed = true;
        }
    }
    child.wait().unwrap();
    assert!(killed, "the server answered only {} calls", acked.len());
    assert!(
        acked.len() < sent as usize,
        "the kill came after the last call"
    );
    drop(writer);

    let log = dir.path().join("audit.jsonl");
    let intact = match verify(&log, &[]) {
        Ok(verified) => verified.records,
        // A write cut by the kill may leave a torn last line; every line
        // before it must verify, and the torn one was not acknowledged.
        Err(VerifyError::Broken(Break {
            line,
            kind: BreakKind::Truncated,
            ..
        })) => line - 1,
        Err(error) => panic!("the chain broke: {error}"),
    };
    let recorded: BTreeSet<u64> = records(&log)
        .iter()
        .take(intact as usize)
        .filter_map(|r| r["request_id"].as_u64())
        .collect();
    let missing: Vec<&u64> = acked.difference(&recorded).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not recorded: {missing:?}"
    );
    eprintln!(
        "killed after {} acknowledged calls; {} records on disk",
        acked.len(),
        intact
    );
    // The server picks the chain up again after the crash (unless the
    // kill tore the last line, which needs an operator).
    if verify(&log, &[]).is_ok() {
        let mut child = spawn_server(&config);
        let mut stdin = child.stdin.take().unwrap();
        handshake(&mut stdin);
        writeln!(
            stdin,
            "{}",
            call(9999, "login", json!({"user": "x", "password": "p"}))
        )
        .unwrap();
        stdin.flush().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        for line in stdout.lines() {
            let message: Value = serde_json::from_str(&line.unwrap()).unwrap();
            if message["id"] == json!(9999) {
                break;
            }
        }
        drop(stdin);
        child.wait().unwrap();
        // `initialize` and the call.
        let verified = verify(&log, &[]).unwrap();
        assert_eq!(verified.records, intact + 2);
        assert_eq!(records(&log).last().unwrap()["request_id"], json!(9999));
    }
}

/// Not a check: prints what a record costs in each mode, one writer and 64
/// concurrent ones (`-- --ignored --nocapture cost`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn cost_of_strict_and_buffered_records() {
    let dir = tempfile::tempdir().unwrap();
    let buffered = Mode::Buffered {
        capacity: 65536,
        flush: Duration::from_millis(1000),
    };
    for (label, mode) in [("strict", Mode::Strict), ("buffered", buffered)] {
        let log = AuditLog::open(&dir.path().join(format!("{label}-1.jsonl")), mode).unwrap();
        let n = 500;
        let start = std::time::Instant::now();
        for id in 0..n {
            log.append(&entry(id)).await.unwrap();
        }
        let one = start.elapsed() / n as u32;
        log.close().await.unwrap();
        let log = AuditLog::open(&dir.path().join(format!("{label}-64.jsonl")), mode).unwrap();
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..64u64)
            .map(|task| {
                let log = log.clone();
                tokio::spawn(async move {
                    for i in 0..50 {
                        log.append(&entry(task * 1000 + i)).await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let many = start.elapsed() / 3200;
        log.close().await.unwrap();
        eprintln!(
            "{label}: one writer {one:?}/record; 64 writers {many:?}/record; {:?}",
            log.stats()
        );
    }
}

/// Credentials pasted into arguments that no path marks sensitive (a JWT, a
/// bearer credential, a PEM private key) reach neither the audit log nor
/// the server's log, even at the most verbose level. (Call spans carry no
/// arguments or results at all: `pipeline/span.rs`.)
#[test]
fn credential_shaped_values_never_reach_any_sink() {
    let jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLWJ5dGVz";
    let bearer = "Bearer k-live-8f0e9d7c6b5a";
    let pem =
        "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----";
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "strict");
    let stderr_path = dir.path().join("stderr.log");
    let mut child = Command::new(audited_binary())
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .env("AUDITED_KEY", std::str::from_utf8(KEY).unwrap())
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("the audited example starts");
    let mut stdin = child.stdin.take().unwrap();
    handshake(&mut stdin);
    let requests = [
        // Echoed into the result by the handler.
        call(1, "login", json!({"user": jwt, "password": "pw"})),
        // Echoed into a tool error by the handler.
        call(2, "login", json!({"user": bearer, "password": "wrong"})),
        // Quoted by a validation error.
        call(
            3,
            "login",
            json!({"user": 7, "password": "pw", "filters": {"note": pem}}),
        ),
    ];
    for request in &requests {
        writeln!(stdin, "{request}").unwrap();
    }
    stdin.flush().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let answered = stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(&line.unwrap()).unwrap())
        .filter(|message| message["id"].as_u64().is_some_and(|id| id > 0))
        .take(requests.len())
        .count();
    assert_eq!(answered, requests.len());
    drop(stdin);
    assert!(child.wait().unwrap().success(), "the server exits cleanly");

    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let server_log = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(
        server_log.contains("rmcp::service") && !server_log.contains("response message"),
        "the log is on, without the messages themselves:\n{server_log}"
    );
    for (sink, text) in [("audit log", &audit), ("server log", &server_log)] {
        for secret in [
            jwt,
            "k-live-8f0e9d7c6b5a",
            "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49",
        ] {
            assert!(
                !text.contains(secret),
                "`{secret}` is in the {sink}:\n{text}"
            );
        }
    }
    let records = records(&dir.path().join("audit.jsonl"));
    let by_id = |id: u64| {
        records
            .iter()
            .find(|r| r["request_id"] == json!(id))
            .unwrap()
    };
    let redacted = |value: &Value| {
        value
            .as_str()
            .unwrap()
            .starts_with("[REDACTED] hmac-sha256:")
    };
    assert!(redacted(&by_id(1)["arguments"]["user"]));
    assert!(redacted(&by_id(1)["result"]["user"]));
    assert_eq!(
        by_id(2)["error"]["message"],
        "bad password [REDACTED] for [REDACTED]"
    );
    assert!(redacted(&by_id(3)["arguments"]["filters"]["note"]));
}
