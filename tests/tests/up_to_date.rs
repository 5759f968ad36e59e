//! Checked-in outputs are current: every crate under `examples/`, the
//! crates under `tests/crates/` (cursed names, every migration op), and
//! `schemas/mcpgen.schema.json`, which must also accept every spec mcpgen
//! accepts. With `MCPGEN_UPDATE=1` each test rewrites what it checks instead
//! of failing.

use std::fs;
use std::path::{Path, PathBuf};

use mcpgen::plan::PlanOptions;
use mcpgen::render::manifest::RuntimeSource;
use mcpgen::write;

const UPDATE_HINT: &str = "run `MCPGEN_UPDATE=1 cargo test -p mcpgen-tests` to update";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package lives in the workspace")
        .to_path_buf()
}

fn updating() -> bool {
    std::env::var_os("MCPGEN_UPDATE").is_some_and(|v| v == "1")
}

/// Generates the crate in `dir` (relative to the workspace) from its
/// `mcpgen.yaml` and compares it with the disk, or writes it when updating.
fn assert_current(dir: &str) {
    let root = workspace();
    let out = root.join(dir);
    let spec = fs::read_to_string(out.join("mcpgen.yaml"))
        .unwrap_or_else(|e| panic!("{dir}/mcpgen.yaml: {e}"));
    // What `mcpgen generate` writes into a fresh Cargo.toml from this checkout.
    let runtime = format!(
        "{}runtime",
        "../".repeat(Path::new(dir).components().count())
    );
    let options = PlanOptions {
        runtime: RuntimeSource::Path(runtime),
    };
    let (plan, warnings) = mcpgen::generate(&spec, "mcpgen.yaml", &options)
        .unwrap_or_else(|d| panic!("{dir}/mcpgen.yaml is invalid: {d:#?}"));
    assert!(
        warnings.is_empty(),
        "{dir}/mcpgen.yaml has warnings: {warnings:#?}"
    );
    if updating() {
        write::apply(&plan, &out).unwrap_or_else(|e| panic!("{dir}: {e}"));
        return;
    }
    let drifts = write::check(&plan, &out).unwrap_or_else(|e| panic!("{dir}: {e}"));
    assert!(
        drifts.is_empty(),
        "{dir} is stale; {UPDATE_HINT}\n{}",
        write::unified_diff(&drifts)
    );
}

#[test]
fn examples_are_current() {
    let mut checked = Vec::new();
    for entry in fs::read_dir(workspace().join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("mcpgen.yaml").is_file() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            assert_current(&format!("examples/{name}"));
            checked.push(name);
        }
    }
    checked.sort();
    // `mcpgen new` embeds these two; losing one would go unnoticed here otherwise.
    for expected in ["minimal", "search"] {
        assert!(
            checked.iter().any(|c| c == expected),
            "examples/{expected} not found: {checked:?}"
        );
    }
}

/// Checks the crate in `tests/crates/<name>`, generated from the golden
/// fixture `cli/tests/fixtures/valid/<name>.yaml`.
fn assert_fixture_crate_current(name: &str) {
    let root = workspace();
    let fixture = root.join(format!("cli/tests/fixtures/valid/{name}.yaml"));
    let copy = root.join(format!("tests/crates/{name}/mcpgen.yaml"));
    // The crate is generated from the same spec as the generation golden.
    let fixture_text = fs::read_to_string(&fixture).unwrap();
    if updating() {
        fs::write(&copy, &fixture_text).unwrap();
    }
    assert_eq!(
        fs::read_to_string(&copy).unwrap(),
        fixture_text,
        "tests/crates/{name}/mcpgen.yaml differs from {}; {UPDATE_HINT}",
        fixture.display()
    );
    assert_current(&format!("tests/crates/{name}"));
}

#[test]
fn cursed_crate_is_current() {
    assert_fixture_crate_current("cursed");
}

#[test]
fn ops_crate_is_current() {
    assert_fixture_crate_current("ops");
}

#[test]
fn schema_is_current() {
    let path = workspace().join("schemas/mcpgen.schema.json");
    let expected = format!("{}\n", mcpgen::commands::spec_schema());
    if updating() {
        fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "schemas/mcpgen.schema.json is stale; {UPDATE_HINT}"
    );
    // Editors read it as JSON Schema; make sure it is one.
    let schema: serde_json::Value = serde_json::from_str(&actual).unwrap();
    assert_eq!(schema["title"], "mcpgen spec");
    assert!(schema["properties"]["tools"].is_object());
}

/// YAML → the JSON an editor validates against the schema.
fn spec_as_json(path: &Path) -> serde_json::Value {
    serde_yaml::from_str(&fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn schema_agrees_with_the_generator() {
    let root = workspace();
    let schema: serde_json::Value = serde_json::from_str(&mcpgen::commands::spec_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the spec schema compiles");

    // Every spec mcpgen accepts, the schema accepts, so editors do not flag valid specs.
    let mut accepted = vec![
        root.join("tests/crates/cursed/mcpgen.yaml"),
        root.join("tests/crates/ops/mcpgen.yaml"),
    ];
    for dir in ["examples", "cli/tests/fixtures/valid"] {
        for entry in fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                accepted.push(path.join("mcpgen.yaml"));
            } else if path.extension().is_some_and(|e| e == "yaml") {
                accepted.push(path);
            }
        }
    }
    for path in accepted.iter().filter(|p| p.is_file()) {
        let errors: Vec<String> = validator
            .iter_errors(&spec_as_json(path))
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} is valid for mcpgen but not for the schema: {errors:#?}",
            path.display()
        );
    }

    // Shape errors mcpgen reports are schema errors too.
    let invalid = root.join("cli/tests/fixtures/invalid");
    for name in [
        "unknown-field.yaml",
        "missing-field.yaml",
        "unknown-variant.yaml",
    ] {
        assert!(
            !validator.is_valid(&spec_as_json(&invalid.join(name))),
            "the schema accepts {name}"
        );
    }
}
