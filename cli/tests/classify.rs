//! Classification goldens: each file in `fixtures/classify/` is a pair of
//! tool versions (`old`, `new`) named after the rule it shows; the snapshot
//! is every finding, the required release and how the step's ops fare. Also
//! checks that every rule has a fixture and a row in docs/versioning.md, and
//! classifies the search example's real chain.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use mcpgen::classify::{self, Impact, Rule, Step};
use mcpgen::spec::raw;
use serde_json::Value;

/// One side of a fixture: a version, plus tool-level fields under `tool`.
fn side(value: &Value, version: &str) -> (raw::Tool, raw::Version) {
    let mut fields = value.as_object().expect("a side is a mapping").clone();
    let tool = fields
        .remove("tool")
        .unwrap_or_else(|| serde_json::json!({}));
    fields.insert("version".into(), Value::String(version.to_owned()));
    let version: raw::Version =
        serde_json::from_value(Value::Object(fields)).expect("the side is a version");
    let mut tool_fields = tool.as_object().unwrap().clone();
    tool_fields.insert("name".into(), "t".into());
    tool_fields
        .entry("description")
        .or_insert_with(|| "A tool.".into());
    tool_fields.insert("versions".into(), Value::Array(Vec::new()));
    let tool: raw::Tool =
        serde_json::from_value(Value::Object(tool_fields)).expect("tool-level fields");
    (tool, version)
}

fn classify_fixture(text: &str) -> Step {
    let pair: Value = serde_yaml::from_str(text).expect("the fixture is YAML");
    let (old_tool, old) = side(&pair["old"], "1.0.0");
    let (new_tool, new) = side(&pair["new"], "2.0.0");
    let mut step = classify::versions(&old, &new);
    step.findings.extend(classify::tools(&old_tool, &new_tool));
    step
}

fn render(step: &Step) -> String {
    let mut out = classify::table(&step.findings);
    out.push_str(&format!("required: {}\n", step.required().name()));
    for (direction, migration) in [("request", &step.request), ("response", &step.response)] {
        if migration.ops == 0 && migration.gaps.is_empty() && migration.unknown.is_none() {
            continue;
        }
        out.push_str(&format!("{direction}: {} op(s)", migration.ops));
        match (&migration.unknown, migration.gaps.is_empty()) {
            (Some(why), _) => out.push_str(&format!(", not judged: {why}\n")),
            (None, true) => out.push_str(", old values arrive valid\n"),
            (None, false) => {
                out.push_str(", gaps:\n");
                out.push_str(&classify::table(&migration.gaps));
            }
        }
    }
    out
}

#[test]
fn classification_fixtures() {
    insta::glob!("fixtures/classify/*.yaml", |path| {
        let text = fs::read_to_string(path).unwrap();
        let step = classify_fixture(&text);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let rule = Rule::ALL
            .iter()
            .filter(|r| stem == r.id() || stem.starts_with(&format!("{}-", r.id())))
            .max_by_key(|r| r.id().len())
            .unwrap_or_else(|| panic!("{stem}.yaml is not named after a rule"));
        assert!(
            step.findings.iter().any(|f| f.rule == *rule),
            "{stem}.yaml does not report {}: {:#?}",
            rule.id(),
            step.findings
        );
        insta::assert_snapshot!(render(&step));
    });
}

#[test]
fn every_rule_has_a_fixture_and_is_documented() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/classify");
    let mut shown = BTreeSet::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        shown.extend(classify_fixture(&text).findings.iter().map(|f| f.rule));
    }
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .filter(|r| !shown.contains(r))
        .map(|r| r.id())
        .collect();
    assert!(missing.is_empty(), "no fixture shows {missing:?}");

    let docs =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/versioning.md"))
            .unwrap();
    let undocumented: Vec<&str> = Rule::ALL
        .iter()
        .map(|r| r.id())
        .filter(|id| !docs.contains(&format!("| `{id}` |")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "docs/versioning.md has no table row for {undocumented:?}"
    );
}

/// The search example's chain, step by step: each step needs the release it
/// got (all majors), and its ops carry old values across.
#[test]
fn search_example_chain() {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/search/mcpgen.yaml"),
    )
    .unwrap();
    let loaded = mcpgen::spec::load(&text).unwrap();
    let tool = &loaded.spec.tools[0];
    let mut out = String::new();
    for pair in tool.versions.windows(2) {
        let step = classify::versions(&pair[0], &pair[1]);
        assert_eq!(step.required(), Impact::Major, "{}", pair[1].version);
        assert!(step.request.gaps.is_empty(), "{:#?}", step.request.gaps);
        assert!(step.response.gaps.is_empty(), "{:#?}", step.response.gaps);
        out.push_str(&format!("## {} → {}\n", pair[0].version, pair[1].version));
        out.push_str(&render(&step));
    }
    insta::assert_snapshot!(out);
}
