//! `mcpgen breaking` end to end: against a git revision (a repository built
//! in a temporary directory) and against a file, one case per diagnostic
//! code, and the three output formats.

mod support;

use support::{FAILED, OK, USAGE, mcpgen};

use std::fs;
use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

/// Runs git in `dir` with a fixed identity and no user or system config.
fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const HEAD: &str = "mcpgen: 1\nserver: { name: demo, version: 1.0.0 }\ntools:\n";

const V1_INPUT: &str = "        input:\n          type: object\n          additionalProperties: false\n          required: [query, mode]\n          properties:\n            query: { type: string }\n            mode: { type: string, enum: [fast, exact] }\n";

const V2_INPUT: &str = "        input:\n          type: object\n          additionalProperties: false\n          required: [query]\n          properties:\n            query: { type: string }\n";

/// `find` 1.0.0 with a required `mode`.
fn published() -> String {
    format!(
        "{HEAD}  - name: find\n    description: Finds things.\n    versions:\n      - version: 1.0.0\n{V1_INPUT}"
    )
}

/// `published()` plus a version without `mode`, released as `version` with
/// `step` (a `changes:` block or `compatible: true`, indented as a version key).
fn released(version: &str, step: &str) -> String {
    format!(
        "{}      - version: {version}\n{step}{V2_INPUT}",
        published()
    )
}

/// A repository whose `spec/mcpgen.yaml` went from `before` to `after` in two
/// commits, so the spec is not at the repository root.
fn repository(before: &str, after: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    let spec_dir = dir.path().join("spec");
    fs::create_dir(&spec_dir).unwrap();
    git(dir.path(), &["init", "-q"]);
    fs::write(spec_dir.join("mcpgen.yaml"), before).unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "first release"]);
    fs::write(spec_dir.join("mcpgen.yaml"), after).unwrap();
    git(
        dir.path(),
        &[
            "commit",
            "-q",
            "-a",
            "--allow-empty",
            "-m",
            "second release",
        ],
    );
    dir
}

#[test]
fn a_removed_required_field_released_as_minor_fails_against_git() {
    let after = released(
        "1.1.0",
        "        changes:\n          request:\n            - remove: { path: mode, lossy: true }\n",
    );
    let repo = repository(&published(), &after);
    let run = mcpgen(
        &repo.path().join("spec"),
        &["breaking", "--against", "HEAD~1"],
    );
    assert_eq!(run.code, FAILED, "{run:?}");
    assert!(run.stderr.contains("error[bump-too-small]"), "{run:?}");
    assert!(
        run.stderr.contains("`find` 1.0.0 → 1.1.0 is a minor step, but its changes need a major release: input mode: property.removed"),
        "{run:?}"
    );
    assert!(run.stderr.contains("help: release it as 2.0.0"), "{run:?}");
    // The version line of the new entry, counted by hand.
    assert!(
        run.stderr
            .contains("mcpgen.yaml:15:18: error[bump-too-small]"),
        "{run:?}"
    );
}

#[test]
fn the_same_change_as_a_major_with_a_migration_passes() {
    for step in [
        "        changes:\n          request:\n            - remove: { path: mode, lossy: true }\n",
        "        changes:\n          request:\n            - remove: { path: mode, default: fast }\n",
    ] {
        let repo = repository(&published(), &released("2.0.0", step));
        let run = mcpgen(
            &repo.path().join("spec"),
            &["breaking", "--against", "HEAD~1"],
        );
        assert_eq!(run.code, OK, "{run:?}");
        assert!(
            run.stderr.contains("no breaking changes against HEAD~1"),
            "{run:?}"
        );
    }
}

#[test]
fn a_breaking_step_without_a_migration_fails() {
    // `compatible: true` is the author's word, but old calls with `mode` now
    // fail. (Validation's own chain check may report it too.)
    let repo = repository(
        &published(),
        &released("2.0.0", "        compatible: true\n"),
    );
    let run = mcpgen(
        &repo.path().join("spec"),
        &["breaking", "--against", "HEAD~1", "--error-format", "json"],
    );
    assert_eq!(run.code, FAILED, "{run:?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"missing-migration"), "{codes:?}");
    let missing = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "missing-migration")
        .unwrap();
    assert_eq!(missing["path"], "tools[0].versions[1]");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("input mode: property.removed"),
        "{missing}"
    );
}

#[test]
fn a_spec_new_at_the_revision_and_unknown_revisions() {
    let repo = repository(&published(), &published());
    let spec_dir = repo.path().join("spec");
    fs::write(spec_dir.join("other.yaml"), published()).unwrap();
    let run = mcpgen(
        &spec_dir,
        &["breaking", "--against", "HEAD", "--spec", "other.yaml"],
    );
    assert_eq!(run.code, OK, "{run:?}");
    assert!(run.stderr.contains("does not exist at HEAD"), "{run:?}");
    let run = mcpgen(&spec_dir, &["breaking", "--against", "no-such-branch"]);
    assert_eq!(run.code, USAGE, "{run:?}");
    assert!(
        run.stderr
            .contains("`no-such-branch` is not a git revision"),
        "{run:?}"
    );
    let run = mcpgen(&spec_dir, &["breaking", "--against", "HEAD"]);
    assert_eq!(run.code, OK, "{run:?}");
}

/// One tool spec with the given versions block and annotations.
fn tool(name: &str, annotations: &str, versions: &str) -> String {
    format!(
        "  - name: {name}\n    description: Does {name}.\n{annotations}    versions:\n{versions}"
    )
}

fn version(number: &str, extra: &str, input: &str) -> String {
    format!("      - version: {number}\n{extra}        input: {input}\n")
}

#[test]
fn every_code_against_a_file() {
    let open = "{ type: object, properties: { q: { type: string } } }";
    let ab = "{ type: object, properties: { q: { type: string, pattern: \"^ab\" } } }";
    let old = format!(
        "{HEAD}{}{}{}{}{}{}",
        // Removed without a sunset, and one whose sunset passed (fine).
        tool(
            "alpha",
            "",
            &[
                version("1.0.0", "", ab),
                version("1.1.0", "        deprecated: { message: Gone., sunset: 2000-01-01 }\n        compatible: true\n", ab),
                version("1.2.0", "        compatible: true\n", ab),
                version("1.3.0", "        compatible: true\n", ab),
            ]
            .concat()
        ),
        // Removed before its sunset.
        tool(
            "beta",
            "",
            &[
                version("1.0.0", "        deprecated: { message: Use 2., sunset: 2999-01-01 }\n", open),
                version("2.0.0", "        compatible: true\n", open),
            ]
            .concat()
        ),
        // Removed entirely.
        tool("gamma", "", &version("1.0.0", "", open)),
        // Removed, but every version was past its sunset.
        tool("delta", "", &version("1.0.0", "        deprecated: { message: Gone., sunset: 2001-01-01 }\n", open)),
        // Changed in place: an older version, and the newest.
        tool(
            "epsilon",
            "",
            &[version("1.0.0", "", open), version("1.1.0", "        compatible: true\n", open)].concat()
        ),
        // Annotations less safe without a new version.
        tool("zeta", "    annotations: { readOnlyHint: true }\n", &version("1.0.0", "", open)),
    );
    let new = format!(
        "{HEAD}{}{}{}{}",
        tool(
            "alpha",
            "",
            &[
                version("1.0.0", "", ab),
                version("1.2.0", "        compatible: true\n", ab),
                // A wider regex: compatible, but regex inclusion cannot be
                // proven, so it is a warning rather than a failure.
                version(
                    "2.0.0",
                    "        compatible: true\n",
                    "{ type: object, properties: { q: { type: string, pattern: \"^a\" } } }"
                ),
            ]
            .concat()
        ),
        tool("beta", "", &version("2.0.0", "", open)),
        tool(
            "epsilon",
            "",
            &[
                version(
                    "1.0.0",
                    "",
                    "{ type: object, properties: { q: { type: string, maxLength: 10 } } }"
                ),
                version(
                    "1.1.0",
                    "        compatible: true\n",
                    "{ type: object, properties: { q: { type: string }, page: { type: integer } } }"
                ),
            ]
            .concat()
        ),
        tool(
            "zeta",
            "    annotations: { readOnlyHint: false }\n",
            &version("1.0.0", "", open)
        ),
    );
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("old.yaml"), &old).unwrap();
    fs::write(dir.path().join("mcpgen.yaml"), &new).unwrap();
    let run = mcpgen(dir.path(), &["check"]);
    assert_eq!(run.code, OK, "the new spec itself is valid: {run:?}");
    let run = mcpgen(dir.path(), &["breaking", "--against", "old.yaml"]);
    assert_eq!(run.code, FAILED, "{run:?}");
    for code in [
        "error[version-removed]",
        "error[version-removed-before-sunset]",
        "error[tool-removed]",
        "error[version-changed]",
        "error[version-not-bumped]",
        "warning[incomplete-migration]",
    ] {
        assert!(run.stderr.contains(code), "{code} missing: {run:?}");
    }
    assert!(
        !run.stderr.contains("delta"),
        "delta's versions were all past their sunset: {run:?}"
    );
    assert!(
        !run.stderr.contains("1.1.0 was removed"),
        "1.1.0's sunset passed: {run:?}"
    );
    insta::assert_snapshot!("every_code_text", run.stderr);

    let github = mcpgen(
        dir.path(),
        &[
            "breaking",
            "--against",
            "old.yaml",
            "--error-format",
            "github",
        ],
    );
    assert_eq!(github.code, FAILED);
    assert!(
        github
            .stdout
            .lines()
            .all(|l| l.starts_with("::error file=mcpgen.yaml,")
                || l.starts_with("::warning file=mcpgen.yaml,")),
        "{github:?}"
    );
    assert_eq!(
        github.stdout.lines().count(),
        run.stderr.matches("\n  at: ").count()
    );
}

#[test]
fn unchanged_and_additive_specs_pass() {
    let dir = TempDir::new().unwrap();
    let search = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/search/mcpgen.yaml"),
    )
    .unwrap();
    fs::write(dir.path().join("old.yaml"), &search).unwrap();
    fs::write(dir.path().join("mcpgen.yaml"), &search).unwrap();
    let run = mcpgen(
        dir.path(),
        &[
            "breaking",
            "--against",
            "old.yaml",
            "--error-format",
            "json",
        ],
    );
    assert_eq!(run.code, OK, "{run:?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["errors"], 0);

    // A new optional result field (the output is open): a minor release.
    // The new version goes at the end of `search`, before the next tool.
    let (tool, rest) = search.split_at(search.find("  - name: article").unwrap());
    let additive = |version: &str| {
        let latest = &tool[tool.find("      - version: 4.0.0").unwrap()..];
        let output = &latest[latest.find("        output:").unwrap()..];
        let output = output.replacen(
            "            results:",
            "            took: { type: number }\n            results:",
            1,
        );
        format!(
            "{tool}      - version: {version}\n        compatible: true\n        input: *input3\n{output}{rest}"
        )
    };
    fs::write(dir.path().join("mcpgen.yaml"), additive("4.1.0")).unwrap();
    let run = mcpgen(dir.path(), &["breaking", "--against", "old.yaml"]);
    assert_eq!(run.code, OK, "{run:?}");
    fs::write(dir.path().join("mcpgen.yaml"), additive("4.0.1")).unwrap();
    let run = mcpgen(dir.path(), &["breaking", "--against", "old.yaml"]);
    assert_eq!(run.code, FAILED, "{run:?}");
    assert!(
        run.stderr.contains("4.0.0 → 4.0.1 is a patch step, but its changes need a minor release: output took: property.optional_added"),
        "{run:?}"
    );

    // The same schemas with a different migration into 2.0.0: a warning.
    let fixed = search.replacen(
        "            - add: { path: sortBy, default: relevance }",
        "            - add: { path: sortBy, default: date }",
        1,
    );
    assert_ne!(fixed, search);
    fs::write(dir.path().join("mcpgen.yaml"), &fixed).unwrap();
    let run = mcpgen(dir.path(), &["breaking", "--against", "old.yaml"]);
    assert_eq!(run.code, OK, "{run:?}");
    assert!(
        run.stderr.contains(
            "warning[version-changed]: the migration into `search` 2.0.0 changed in place"
        ),
        "{run:?}"
    );

    let run = mcpgen(dir.path(), &["breaking", "--against", "missing.yaml"]);
    assert_eq!(run.code, USAGE, "{run:?}");
}
