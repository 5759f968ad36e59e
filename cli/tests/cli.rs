//! The `mcpgen` binary end to end, in temporary directories: exit codes,
//! diagnostics formats, idempotent generation, drift detection, what is
//! never overwritten or pruned, and `new` producing a crate that builds.

mod support;

use support::{FAILED, OK, Run, USAGE, mcpgen};

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use tempfile::TempDir;

const TWO_TOOLS: &str = "\
mcpgen: 1
server: { name: demo, version: 1.0.0 }
tools:
  - name: ping
    description: Answers pong.
    versions:
      - version: 1.0.0
        input: { type: object }
  - name: echo
    description: Repeats its input.
    versions:
      - version: 1.0.0
        input: { type: object, required: [text], properties: { text: { type: string } } }
        output: { type: object, required: [text], properties: { text: { type: string } } }
";

/// `echo` removed.
const ONE_TOOL: &str = "\
mcpgen: 1
server: { name: demo, version: 1.0.0 }
tools:
  - name: ping
    description: Answers pong.
    versions:
      - version: 1.0.0
        input: { type: object }
";

/// Two errors: a bad tool name and a version that is not semver.
const INVALID: &str = "\
mcpgen: 1
server: { name: demo, version: 1.0.0 }
tools:
  - name: bad.name
    description: d
    versions:
      - version: one
        input: { type: object }
";

/// A temporary directory holding `mcpgen.yaml` with `spec`.
fn project(spec: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("mcpgen.yaml"), spec).unwrap();
    dir
}

/// Every file under `dir` (relative path → contents).
fn contents(dir: &Path) -> BTreeMap<String, String> {
    files(dir)
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(dir.join(&path)).unwrap();
            (path, text)
        })
        .collect()
}

fn files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(dir.join(&relative)).unwrap() {
            let entry = entry.unwrap();
            let path = relative.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else {
                found.push(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

fn assert_code(run: &Run, code: i32) {
    assert_eq!(run.code, code, "{run:?}");
}

#[test]
fn exit_codes() {
    let valid = project(ONE_TOOL);
    assert_code(&mcpgen(valid.path(), &["check"]), OK);

    let invalid = project(INVALID);
    let run = mcpgen(invalid.path(), &["check"]);
    assert_code(&run, FAILED);
    assert!(run.stderr.contains("error[invalid-tool-name]"), "{run:?}");
    assert!(run.stderr.contains("error[invalid-version]"), "{run:?}");
    assert_code(&mcpgen(invalid.path(), &["generate"]), FAILED);

    // Usage errors: a missing spec file, unknown flags and values, no subcommand.
    let empty = tempfile::tempdir().unwrap();
    let run = mcpgen(empty.path(), &["check"]);
    assert_code(&run, USAGE);
    assert!(run.stderr.contains("cannot read mcpgen.yaml"), "{run:?}");
    assert_code(
        &mcpgen(empty.path(), &["generate", "--spec", "nope.yaml"]),
        USAGE,
    );
    assert_code(
        &mcpgen(empty.path(), &["diff", "--spec", "nope.yaml"]),
        USAGE,
    );
    assert_code(&mcpgen(valid.path(), &["check", "--bogus"]), USAGE);
    assert_code(
        &mcpgen(valid.path(), &["check", "--error-format", "yaml"]),
        USAGE,
    );
    assert_code(
        &mcpgen(valid.path(), &["new", "x", "--example", "nope"]),
        USAGE,
    );
    assert_code(&mcpgen(valid.path(), &[]), USAGE);
}

#[test]
fn warnings_do_not_fail() {
    let dir = project(&ONE_TOOL.replace("Answers pong.", "\"\""));
    let run = mcpgen(dir.path(), &["check"]);
    assert_code(&run, OK);
    assert!(run.stderr.contains("warning[empty-description]"), "{run:?}");
}

#[test]
fn json_diagnostics_parse_and_carry_positions() {
    let dir = project(INVALID);
    let run = mcpgen(dir.path(), &["check", "--error-format", "json"]);
    assert_code(&run, FAILED);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(report["file"], "mcpgen.yaml");
    assert_eq!(report["errors"], 2);
    let positions: Vec<(u64, u64, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["code"].as_str().unwrap(),
            )
        })
        .collect();
    // `bad.name` is on line 4 after `  - name: `; `one` on line 7 after `      - version: `.
    assert_eq!(
        positions,
        [(4, 11, "invalid-tool-name"), (7, 18, "invalid-version")]
    );

    // A valid spec still gets a (clean) report, so bots always have JSON to read.
    let valid = project(ONE_TOOL);
    let run = mcpgen(valid.path(), &["check", "--error-format", "json"]);
    assert_code(&run, OK);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["errors"], 0);
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}

#[test]
fn generating_twice_writes_nothing_the_second_time() {
    let dir = project(TWO_TOOLS);
    let run = mcpgen(dir.path(), &["generate"]);
    assert_code(&run, OK);
    assert!(dir.path().join("src/generated/echo.rs").is_file());
    assert!(dir.path().join("src/handlers/echo.rs").is_file());

    // Backdate every file: any write on the second run moves its mtime forward.
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for path in files(dir.path()) {
        let file = fs::File::options()
            .write(true)
            .open(dir.path().join(&path))
            .unwrap();
        file.set_modified(old).unwrap();
    }
    let before = contents(dir.path());
    let run = mcpgen(dir.path(), &["generate"]);
    assert_code(&run, OK);
    assert!(run.stderr.contains(": 0 written, "), "{run:?}");
    assert!(run.stderr.contains(" 0 pruned"), "{run:?}");
    for path in files(dir.path()) {
        let modified = fs::metadata(dir.path().join(&path))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(modified, old, "{path} was rewritten");
    }
    assert_eq!(contents(dir.path()), before);
    // No temporary files are left behind either.
    assert!(files(dir.path()).iter().all(|p| !p.contains(".mcpgen-")));
}

#[test]
fn check_and_diff_are_clean_right_after_generate() {
    let dir = project(TWO_TOOLS);
    assert_code(&mcpgen(dir.path(), &["generate"]), OK);
    for args in [&["generate", "--check"][..], &["diff"][..]] {
        let run = mcpgen(dir.path(), args);
        assert_code(&run, OK);
        assert_eq!(run.stdout, "", "{args:?} printed a diff");
    }
}

#[test]
fn check_on_an_empty_directory_shows_every_file_as_new() {
    let dir = project(ONE_TOOL);
    let before = files(dir.path());
    let run = mcpgen(dir.path(), &["generate", "--check"]);
    assert_code(&run, FAILED);
    assert!(
        run.stdout
            .contains("--- /dev/null\n+++ b/src/generated/ping.rs\n"),
        "{run:?}"
    );
    assert!(run.stderr.contains("is stale"), "{run:?}");
    assert_eq!(files(dir.path()), before, "--check wrote files");
}

#[test]
fn a_hand_edited_generated_file_is_reported_and_restored() {
    let dir = project(TWO_TOOLS);
    assert_code(&mcpgen(dir.path(), &["generate"]), OK);
    let path = dir.path().join("src/generated/echo.rs");
    let original = fs::read_to_string(&path).unwrap();
    let edited = original.replace("pub text:", "pub txt:");
    assert_ne!(edited, original);
    fs::write(&path, &edited).unwrap();

    let check = mcpgen(dir.path(), &["generate", "--check"]);
    assert_code(&check, FAILED);
    assert!(
        check
            .stdout
            .contains("--- a/src/generated/echo.rs\n+++ b/src/generated/echo.rs\n"),
        "{check:?}"
    );
    assert!(check.stdout.contains("\n-    pub txt:"), "{check:?}");
    assert!(check.stdout.contains("\n+    pub text:"), "{check:?}");
    assert_eq!(fs::read_to_string(&path).unwrap(), edited, "--check wrote");

    // `diff` is the same command under another name.
    let diff = mcpgen(dir.path(), &["diff"]);
    assert_code(&diff, FAILED);
    assert_eq!(diff.stdout, check.stdout);

    let run = mcpgen(dir.path(), &["generate"]);
    assert_code(&run, OK);
    assert!(run.stderr.contains(": 1 written, "), "{run:?}");
    assert_eq!(fs::read_to_string(&path).unwrap(), original);
    assert_code(&mcpgen(dir.path(), &["generate", "--check"]), OK);
}

#[test]
fn scaffold_files_are_never_overwritten() {
    let dir = project(TWO_TOOLS);
    assert_code(&mcpgen(dir.path(), &["generate"]), OK);
    let mut edits = Vec::new();
    for path in [
        "src/handlers/echo.rs",
        "Cargo.toml",
        "src/main.rs",
        "README.md",
    ] {
        let full = dir.path().join(path);
        let text = format!(
            "{}\n// edited by hand\n",
            fs::read_to_string(&full).unwrap()
        );
        fs::write(&full, &text).unwrap();
        edits.push((full, text));
    }
    // Even a spec change that alters what the scaffold would contain.
    fs::write(
        dir.path().join("mcpgen.yaml"),
        TWO_TOOLS.replace("version: 1.0.0 }", "version: 2.0.0 }"),
    )
    .unwrap();
    assert_code(&mcpgen(dir.path(), &["generate"]), OK);
    for (path, text) in &edits {
        assert_eq!(
            &fs::read_to_string(path).unwrap(),
            text,
            "{}",
            path.display()
        );
    }
    let run = mcpgen(dir.path(), &["generate", "--check"]);
    assert_code(&run, OK);
    assert_eq!(run.stdout, "");
}

#[test]
fn removing_a_tool_prunes_its_generated_file_but_keeps_its_handler() {
    let dir = project(TWO_TOOLS);
    assert_code(&mcpgen(dir.path(), &["generate"]), OK);
    fs::write(dir.path().join("mcpgen.yaml"), ONE_TOOL).unwrap();

    // The stale generated file is drift until pruned.
    let check = mcpgen(dir.path(), &["generate", "--check"]);
    assert_code(&check, FAILED);
    assert!(
        check
            .stdout
            .contains("--- a/src/generated/echo.rs\n+++ /dev/null\n"),
        "{check:?}"
    );

    let run = mcpgen(dir.path(), &["generate"]);
    assert_code(&run, OK);
    assert!(run.stderr.contains(" 1 pruned"), "{run:?}");
    assert!(!dir.path().join("src/generated/echo.rs").exists());
    assert!(dir.path().join("src/handlers/echo.rs").is_file());
    assert!(
        !fs::read_to_string(dir.path().join("src/generated/mod.rs"))
            .unwrap()
            .contains("echo")
    );
    assert_code(&mcpgen(dir.path(), &["generate", "--check"]), OK);
}

#[test]
fn files_without_the_generated_marker_are_never_pruned() {
    let dir = project(ONE_TOOL);
    assert_code(&mcpgen(dir.path(), &["generate"]), OK);
    let notes = dir.path().join("src/generated/notes.rs");
    fs::write(&notes, "// Looks generated, but mcpgen did not write it.\n").unwrap();
    let nested = dir.path().join("src/generated/extra/old.rs");
    fs::create_dir_all(nested.parent().unwrap()).unwrap();
    fs::write(
        &nested,
        "// @generated by mcpgen from mcpgen.yaml. DO NOT EDIT.\n",
    )
    .unwrap();

    let run = mcpgen(dir.path(), &["generate"]);
    assert_code(&run, OK);
    assert!(notes.is_file(), "a file without the marker was pruned");
    assert!(!nested.exists(), "a stale file with the marker was kept");
    assert_code(&mcpgen(dir.path(), &["generate", "--check"]), OK);
}

#[test]
fn an_invalid_spec_writes_nothing() {
    let dir = project(INVALID);
    let run = mcpgen(dir.path(), &["generate", "--out", "crate"]);
    assert_code(&run, FAILED);
    assert!(
        !dir.path().join("crate").exists(),
        "the out dir was created"
    );

    // Over an existing crate: every file stays as it was.
    let dir = project(TWO_TOOLS);
    assert_code(&mcpgen(dir.path(), &["generate"]), OK);
    fs::write(dir.path().join("mcpgen.yaml"), INVALID).unwrap();
    let before = contents(dir.path());
    assert_code(&mcpgen(dir.path(), &["generate"]), FAILED);
    assert_eq!(contents(dir.path()), before);
}

#[test]
fn new_creates_a_crate_that_is_current_and_named_after_its_directory() {
    for example in ["minimal", "search"] {
        let parent = tempfile::tempdir().unwrap();
        let run = mcpgen(parent.path(), &["new", "my-server", "--example", example]);
        assert_code(&run, OK);
        let dir = parent.path().join("my-server");

        let spec: serde_yaml::Value =
            serde_yaml::from_str(&fs::read_to_string(dir.join("mcpgen.yaml")).unwrap()).unwrap();
        assert_eq!(
            spec["server"]["name"].as_str(),
            Some("my-server"),
            "{example}"
        );
        let manifest: toml::Table = fs::read_to_string(dir.join("Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(manifest["package"]["name"].as_str(), Some("my-server"));
        // `cargo build --features otlp` turns on the runtime's span export.
        assert_eq!(
            manifest["features"]["otlp"],
            toml::Value::Array(vec!["mcpgen-runtime/otlp".into()]),
            "{example}"
        );

        let check = mcpgen(&dir, &["generate", "--check"]);
        assert_code(&check, OK);
        assert_eq!(
            check.stdout, "",
            "{example}: fresh crate differs from its spec"
        );
    }
}

#[test]
fn new_refuses_a_non_empty_directory() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("taken");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("keep.txt"), "mine").unwrap();
    let run = mcpgen(parent.path(), &["new", "taken"]);
    assert_code(&run, USAGE);
    assert_eq!(files(&dir), ["keep.txt"]);
    assert_eq!(fs::read_to_string(dir.join("keep.txt")).unwrap(), "mine");

    // An empty directory is fine.
    fs::create_dir(parent.path().join("empty")).unwrap();
    assert_code(&mcpgen(parent.path(), &["new", "empty"]), OK);
}

/// The workspace's target directory, so the build below reuses compiled
/// dependencies instead of building rmcp and tokio from scratch.
fn workspace_target() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}

#[test]
fn new_builds_and_serves_at_once() {
    let parent = tempfile::tempdir().unwrap();
    assert_code(&mcpgen(parent.path(), &["new", "mcpgen-smoke"]), OK);
    let dir = parent.path().join("mcpgen-smoke");
    // The workspace's lock file pins every dependency, so the build is offline.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    let target = workspace_target();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let build = Command::new(cargo)
        .args(["build", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the new crate does not build:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );

    let binary = target
        .join("debug")
        .join(format!("mcpgen-smoke{}", std::env::consts::EXE_SUFFIX));
    let output = Command::new(binary).arg("tools").output().unwrap();
    assert!(output.status.success());
    let tools: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["greet"]);
}

/// A spec of `count` small tools.
fn many_tools(count: usize) -> String {
    let mut spec = String::from("mcpgen: 1\nserver: { name: many, version: 1.0.0 }\ntools:\n");
    for i in 0..count {
        spec.push_str(&format!(
            "  - name: tool_{i}\n    description: Tool {i}.\n    versions:\n      - version: 1.0.0\n        input: {{ type: object }}\n"
        ));
    }
    spec
}

#[test]
fn generating_more_files_than_open_file_limit_works() {
    // 300 tools are over 600 files; with at most 128 descriptors open, a
    // writer that kept every staged file open would fail.
    let dir = project(&many_tools(300));
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 128 && exec '{}' generate",
            env!("CARGO_BIN_EXE_mcpgen")
        ))
        .current_dir(dir.path())
        .output()
        .expect("sh runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("src/generated/tool_299.rs").is_file());
}
