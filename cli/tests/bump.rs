//! `mcpgen bump` end to end, on copies of the search example and on small
//! specs: each op it infers, the release it picks or refuses, and that every
//! byte of the file outside the new lines is kept.

mod support;

use support::{FAILED, OK, USAGE, mcpgen};

use std::fs;
use std::path::Path;

use similar::{ChangeTag, TextDiff};
use tempfile::TempDir;

/// The search example with `search` as its last tool (the tools after it
/// and the access rules naming them cut off), so that drafts can be appended.
fn search_spec() -> String {
    let spec = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/search/mcpgen.yaml"),
    )
    .unwrap();
    let end = spec.find("  - name: article").unwrap();
    spec[..end].to_owned()
}

/// A temporary directory holding `mcpgen.yaml` with `spec`.
fn project(spec: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("mcpgen.yaml"), spec).unwrap();
    dir
}

fn read(dir: &TempDir) -> String {
    fs::read_to_string(dir.path().join("mcpgen.yaml")).unwrap()
}

/// The lines `new` adds to `old`, asserting that nothing was removed and at
/// most `replaced` lines were changed (a draft's `version:` line).
fn added_lines(old: &str, new: &str, replaced: usize) -> String {
    let diff = TextDiff::from_lines(old, new);
    let deleted: Vec<String> = diff
        .iter_all_changes()
        .filter(|c| c.tag() == ChangeTag::Delete)
        .map(|c| c.to_string())
        .collect();
    assert!(
        deleted.len() <= replaced,
        "lines were removed or changed: {deleted:?}"
    );
    diff.iter_all_changes()
        .filter(|c| c.tag() == ChangeTag::Insert)
        .map(|c| c.to_string())
        .collect()
}

fn check(dir: &TempDir) {
    let run = mcpgen(dir.path(), &["check"]);
    assert_eq!(run.code, OK, "{run:?}");
}

const HEAD: &str = "mcpgen: 1\nserver: { name: demo, version: 1.0.0 }\ntools:\n";

/// A one-tool spec with two versions; the second (a draft) has no changes.
fn draft(old_input: &str, new_input: &str) -> String {
    format!(
        "{HEAD}  - name: find\n    description: Finds things.\n    versions:\n      - version: 1.0.0\n        input:\n{old_input}      - version: 1.0.0\n        input:\n{new_input}"
    )
}

#[test]
fn unchanged_schemas_give_a_compatible_patch_that_reuses_anchors() {
    let original = search_spec();
    let dir = project(&original);
    let run = mcpgen(dir.path(), &["bump", "search"]);
    assert_eq!(run.code, OK, "{run:?}");
    let new = read(&dir);
    assert!(
        new.starts_with(&original),
        "the new entry goes after everything else"
    );
    let added = added_lines(&original, &new, 0);
    assert!(added.starts_with("      - version: 4.0.1\n        compatible: true\n        input: *input3\n        output:\n"), "{added}");
    assert!(run.stderr.contains("search: 4.0.0 → 4.0.1"), "{run:?}");
    check(&dir);
}

#[test]
fn a_draft_of_the_search_example_is_completed_in_place() {
    let original = search_spec();
    // The author copied 4.0.0 below itself and edited it: `limit` is now
    // `maxResults` again (same schema), `sortBy` is gone, `lang` is new with
    // a default, and results lose `score`.
    let draft = "\
      # 5.0.0: work in progress
      - version: 4.0.0
        input:
          type: object
          required: [query]
          additionalProperties: false
          properties:
            query: { type: string, minLength: 1, description: Words to look for. }
            maxResults: { type: integer, minimum: 1, maximum: 100, description: Most results to return (default 10). }
            lang: { type: string, default: en }
            filters:
              type: object
              additionalProperties: false
              properties:
                category: { type: string, description: Only articles in this category. }
                dateRange: *dateRange
        output:
          type: object
          required: [totalCount, results]
          properties:
            totalCount: { type: integer, minimum: 0 }
            results:
              type: array
              items:
                type: object
                required: [id, title, link]
                properties:
                  id: { type: string }
                  title: { type: string }
                  link: { type: string }
";
    let before = format!("{original}{draft}");
    let dir = project(&before);
    let run = mcpgen(dir.path(), &["bump", "search"]);
    assert_eq!(run.code, OK, "{run:?}");
    let new = read(&dir);
    let added = added_lines(&before, &new, 1);
    insta::assert_snapshot!("search_draft_added", added);
    insta::assert_snapshot!("search_draft_report", run.stderr);
    assert!(new.contains("      - version: 5.0.0\n"), "{new}");
    check(&dir);
}

#[test]
fn each_inference_kind() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "rename",
            "          type: object\n          additionalProperties: false\n          properties:\n            maxResults: { type: integer }\n",
            "          type: object\n          additionalProperties: false\n          properties:\n            limit: { type: integer }\n",
        ),
        (
            "move",
            "          type: object\n          additionalProperties: false\n          properties:\n            q: { type: string }\n            category: { type: string, enum: [a, b] }\n",
            "          type: object\n          additionalProperties: false\n          properties:\n            q: { type: string }\n            filters:\n              type: object\n              additionalProperties: false\n              properties:\n                category: { type: string, enum: [a, b] }\n",
        ),
        (
            "add-with-default",
            "          type: object\n          additionalProperties: false\n          properties:\n            q: { type: string }\n",
            "          type: object\n          additionalProperties: false\n          required: [sortBy]\n          properties:\n            q: { type: string }\n            sortBy: { type: string, enum: [relevance, date], default: relevance }\n",
        ),
        (
            "remove",
            "          type: object\n          additionalProperties: false\n          properties:\n            q: { type: string }\n            legacy: { type: boolean }\n",
            "          type: object\n          additionalProperties: false\n          properties:\n            q: { type: string }\n",
        ),
        (
            "clamp",
            "          type: object\n          properties:\n            limit: { type: integer, minimum: 1, maximum: 100 }\n",
            "          type: object\n          properties:\n            limit: { type: integer, minimum: 1, maximum: 50 }\n",
        ),
        (
            "wrap",
            "          type: object\n          properties:\n            tag: { type: string }\n",
            "          type: object\n          properties:\n            tag: { type: array, items: { type: string } }\n",
        ),
        (
            "optional-added",
            "          type: object\n          properties:\n            q: { type: string }\n",
            "          type: object\n          properties:\n            q: { type: string }\n            page: { type: integer }\n",
        ),
    ];
    let mut shown = String::new();
    for (name, old, new) in cases {
        let before = draft(old, new);
        let dir = project(&before);
        let run = mcpgen(dir.path(), &["bump", "find"]);
        assert_eq!(run.code, OK, "{name}: {run:?}");
        check(&dir);
        shown.push_str(&format!(
            "## {name}\n{}",
            added_lines(&before, &read(&dir), 1)
        ));
    }
    insta::assert_snapshot!(shown);
}

#[test]
fn a_schema_file_adds_a_version_with_input_and_output() {
    let spec = format!(
        "{HEAD}  - name: find\n    description: Finds things.\n    versions:\n      - version: 0.3.1\n        input: {{ type: object, properties: {{ q: {{ type: string }} }} }}\n        output: {{ type: object, required: [total], additionalProperties: false, properties: {{ total: {{ type: integer }} }} }}\n"
    );
    let dir = project(&spec);
    fs::write(
        dir.path().join("next.json"),
        r#"{"input": {"type": "object", "properties": {"q": {"type": "string"}}},
            "output": {"type": "object", "required": ["count"], "additionalProperties": false, "properties": {"count": {"type": "integer"}}}}"#,
    )
    .unwrap();
    let run = mcpgen(
        dir.path(),
        &[
            "bump",
            "find",
            "--schema",
            "next.json",
            "-m",
            "Results count as `count`.",
        ],
    );
    assert_eq!(run.code, OK, "{run:?}");
    let added = added_lines(&spec, &read(&dir), 0);
    // Breaking before 1.0 bumps the minor part, as Cargo does.
    assert!(
        added.starts_with(
            "      - version: 0.4.0\n        description: Results count as `count`.\n"
        ),
        "{added}"
    );
    assert!(
        added.contains("response:\n            # review: rename `total` → `count`"),
        "{added}"
    );
    check(&dir);
}

#[test]
fn a_plain_schema_file_keeps_the_previous_output() {
    let spec = format!(
        "{HEAD}  - name: find\n    description: Finds things.\n    versions:\n      - version: 1.2.0\n        input: {{ type: object, properties: {{ q: {{ type: string }} }} }}\n        output: {{ type: object, properties: {{ total: {{ type: integer }} }} }}\n"
    );
    let dir = project(&spec);
    fs::write(
        dir.path().join("input.yaml"),
        "type: object\nproperties:\n  q: { type: string }\n  page: { type: integer, minimum: 1 }\n",
    )
    .unwrap();
    let run = mcpgen(dir.path(), &["bump", "find", "--schema", "input.yaml"]);
    assert_eq!(run.code, OK, "{run:?}");
    let added = added_lines(&spec, &read(&dir), 0);
    assert!(
        added.starts_with("      - version: 1.3.0\n        compatible: true\n"),
        "{added}"
    );
    assert!(
        added.ends_with("        output:\n          type: object\n          properties:\n            total: { type: integer }\n"),
        "{added}"
    );
    check(&dir);
}

#[test]
fn a_too_small_bump_is_refused_with_the_findings() {
    let before = draft(
        "          type: object\n          additionalProperties: false\n          required: [q]\n          properties:\n            q: { type: string }\n            mode: { type: string }\n",
        "          type: object\n          additionalProperties: false\n          required: [q]\n          properties:\n            q: { type: string }\n",
    );
    let dir = project(&before);
    let run = mcpgen(dir.path(), &["bump", "find", "--minor"]);
    assert_eq!(run.code, FAILED, "{run:?}");
    assert!(
        run.stderr.contains(
            "find 1.0.0 → 1.1.0 is a minor step, but the changes need a major release (2.0.0)"
        ),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("input  major property.removed mode"),
        "{run:?}"
    );
    assert_eq!(read(&dir), before, "nothing is written");

    // A draft whose version the author chose is checked the same way.
    let chosen = before.replacen("      - version: 1.0.0\n        input:\n          type: object\n          additionalProperties: false\n          required: [q]\n          properties:\n            q: { type: string }\n          ", "", 0);
    let chosen = chosen.rsplitn(2, "- version: 1.0.0").collect::<Vec<_>>();
    let chosen = format!("{}- version: 1.0.1{}", chosen[1], chosen[0]);
    let dir = project(&chosen);
    let run = mcpgen(dir.path(), &["bump", "find"]);
    assert_eq!(run.code, FAILED, "{run:?}");
    assert!(
        run.stderr.contains("1.0.0 → 1.0.1 is a patch step"),
        "{run:?}"
    );

    // The same change as a major release goes through, with the removal
    // marked lossy.
    let run = mcpgen(dir.path(), &["bump", "find", "--major"]);
    assert_eq!(run.code, OK, "{run:?}");
    assert!(read(&dir).contains("- version: 2.0.0\n"));
    assert!(read(&dir).contains("- remove: { path: mode, lossy: true }"));
    check(&dir);
}

#[test]
fn everything_around_the_new_entry_is_kept() {
    // Comments everywhere, odd indentation, a quoted version, flow mappings,
    // a second tool after the first, CRLF line breaks and no final newline.
    let spec = "# top comment\r\nmcpgen: 1   # format\r\nserver: {name: demo, version: \"1.0.0\"}\r\ntools:\r\n- name: find   # first tool\r\n  description: >-\r\n    Finds\r\n    things.\r\n  versions:\r\n  -   version: '1.0.0'   # quoted\r\n      input: {type: object, properties: {q: {type: string}}}   # flow\r\n      # trailing comment inside the entry\r\n\r\n  # about the next tool\r\n- name: other\r\n  description: Other.\r\n  versions:\r\n  - version: 2.0.0\r\n    input: {type: object}";
    let dir = project(spec);
    let run = mcpgen(dir.path(), &["bump", "find", "--minor"]);
    assert_eq!(run.code, OK, "{run:?}");
    let new = read(&dir);
    let insert_at = spec.find("\r\n\r\n  # about").unwrap() + 2;
    assert_eq!(&new[..insert_at], &spec[..insert_at]);
    assert!(new.ends_with(&spec[insert_at..]));
    let added = &new[insert_at..new.len() - (spec.len() - insert_at)];
    assert_eq!(
        added,
        "  -   version: 1.1.0\r\n      compatible: true\r\n      input:\r\n        type: object\r\n        properties:\r\n          q: { type: string }\r\n"
    );
    check(&dir);

    let run = mcpgen(dir.path(), &["bump", "other"]);
    assert_eq!(run.code, OK, "{run:?}");
    let newer = read(&dir);
    assert!(
        newer.starts_with(&new),
        "appended after the last line, which had no line break"
    );
    assert!(newer.ends_with("input: {type: object}\r\n  - version: 2.0.1\r\n    compatible: true\r\n    input: { type: object }\r\n"), "{newer:?}");
}

#[test]
fn refusals_write_nothing() {
    let search = search_spec();
    let dir = project(&search);
    let run = mcpgen(dir.path(), &["bump", "nope"]);
    assert_eq!(run.code, USAGE, "{run:?}");
    assert!(
        run.stderr
            .contains("there is no tool `nope`; the spec has search"),
        "{run:?}"
    );

    let flow = format!(
        "{HEAD}  - name: find\n    description: d\n    versions: [ {{ version: 1.0.0, input: {{ type: object }} }} ]\n"
    );
    let dir = project(&flow);
    let run = mcpgen(dir.path(), &["bump", "find"]);
    assert_eq!(run.code, USAGE, "{run:?}");
    assert!(run.stderr.contains("flow list"), "{run:?}");
    assert_eq!(read(&dir), flow);

    // A spec that is invalid elsewhere: the result would not validate.
    let invalid = format!(
        "{HEAD}  - name: find\n    description: d\n    module: missing\n    versions:\n      - version: 1.0.0\n        input: {{ type: object }}\n"
    );
    let dir = project(&invalid);
    let run = mcpgen(dir.path(), &["bump", "find"]);
    assert_eq!(run.code, FAILED, "{run:?}");
    assert!(run.stderr.contains("error[unknown-module]"), "{run:?}");
    assert!(run.stderr.contains("nothing was written"), "{run:?}");
    assert_eq!(read(&dir), invalid);

    let draft_and_file = draft("          type: object\n", "          type: object\n");
    let dir = project(&draft_and_file);
    fs::write(dir.path().join("s.yaml"), "type: object\n").unwrap();
    let run = mcpgen(dir.path(), &["bump", "find", "--schema", "s.yaml"]);
    assert_eq!(run.code, USAGE, "{run:?}");
    assert!(run.stderr.contains("is a draft"), "{run:?}");
}

#[test]
fn dry_run_prints_instead_of_writing() {
    let search = search_spec();
    let dir = project(&search);
    let run = mcpgen(dir.path(), &["bump", "search", "--dry-run"]);
    assert_eq!(run.code, OK, "{run:?}");
    assert!(run.stdout.contains("- version: 4.0.1"));
    assert!(run.stderr.contains("would write"));
    assert_eq!(read(&dir), search);
}
