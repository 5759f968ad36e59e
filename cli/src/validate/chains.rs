//! The rule that migration chains hold, for every served version and not
//! only neighbours: arguments valid for a version are, once migrated up
//! through every later step, valid for the newest version; results valid
//! for the newest version are, once migrated down, valid for the older one.
//! Each chain is proven statically where possible and otherwise tested on
//! generated instances; a failing instance is reported with what it became
//! and why the target schema rejects it.

use std::collections::HashSet;

use mcpgen_runtime::migrate::{Op, invert_all};
use mcpgen_runtime::prove::{self, Outcome, Violation};
use rayon::prelude::*;
use serde_json::Value;

use super::version_path;
use crate::diag::Diagnostic;
use crate::spec::raw;

/// Random instances per chain, on top of the boundary instances.
const CASES: usize = prove::DEFAULT_CASES;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    /// Arguments, up from the older version to the newest.
    Request,
    /// Results, down from the newest version to the older one.
    Response,
}

/// Checks the chains of every tool not in `skip` (tools with errors
/// already, whose chains are not worth running).
pub(super) fn check(spec: &raw::Spec, skip: &HashSet<usize>, seed: u64, out: &mut Vec<Diagnostic>) {
    // Chains are independent and some are tested on instances: use every core.
    let found: Vec<Diagnostic> = spec
        .tools
        .par_iter()
        .enumerate()
        .filter(|(t, _)| !skip.contains(t))
        .flat_map_iter(|(t, tool)| check_tool(t, tool, seed))
        .collect();
    out.extend(found);
}

fn check_tool(t: usize, tool: &raw::Tool, seed: u64) -> Vec<Diagnostic> {
    outcomes(tool, seed)
        .into_iter()
        .filter_map(|(v, direction, outcome)| Report { t, v, tool }.diagnose(direction, outcome))
        .collect()
}

/// The verdict on every chain of `tool`: per older version, its arguments
/// up to the newest version, and the newest results down to it (when both
/// have an `output`). Chains through `custom` ops are left out: only the
/// generated crate can run them, and its tests check them.
fn outcomes(tool: &raw::Tool, seed: u64) -> Vec<(usize, Direction, Outcome)> {
    let mut found = Vec::new();
    let Some((newest, older)) = tool.versions.split_last() else {
        return found;
    };
    for (v, version) in older.iter().enumerate() {
        let later = &tool.versions[v + 1..];
        let mut check = |direction, from: &Value, ops: &[Op], to: &Value| {
            if !has_custom(ops) {
                let seed = chain_seed(seed, &tool.name, v, direction);
                let outcome = prove::check_chain(from, ops, to, None, seed, CASES);
                found.push((v, direction, outcome));
            }
        };
        let upgrade: Vec<Op> = later
            .iter()
            .filter_map(|step| step.changes.as_ref())
            .flat_map(|changes| changes.request.iter().cloned())
            .collect();
        check(Direction::Request, &version.input, &upgrade, &newest.input);
        if let (Some(old_output), Some(new_output)) = (&version.output, &newest.output) {
            let downgrade: Option<Vec<Op>> = later
                .iter()
                .rev()
                .filter_map(|step| step.changes.as_ref())
                .map(|changes| invert_all(&changes.response))
                .collect::<Option<Vec<Vec<Op>>>>()
                .map(|steps| steps.concat());
            // Irreversible response ops are reported by the op rules.
            if let Some(downgrade) = downgrade {
                // Results carry only the properties their schema declares.
                let produced = prove::close_objects(new_output);
                check(Direction::Response, &produced, &downgrade, old_output);
            }
        }
    }
    found
}

/// Turns one chain's verdict into a diagnostic on its older version.
struct Report<'a> {
    t: usize,
    v: usize,
    tool: &'a raw::Tool,
}

impl Report<'_> {
    fn diagnose(&self, direction: Direction, outcome: Outcome) -> Option<Diagnostic> {
        let (old, new) = (
            &self.tool.versions[self.v],
            self.tool
                .versions
                .last()
                .expect("a chain has a newest version"),
        );
        let path = version_path(self.t, self.v);
        let (what, target, to) = match direction {
            Direction::Request => (
                format!(
                    "arguments of {} migrated up to {}",
                    old.version, new.version
                ),
                format!("{}'s input", new.version),
                &new.input,
            ),
            Direction::Response => (
                format!(
                    "results of {} migrated down to {}",
                    new.version, old.version
                ),
                format!("{}'s output", old.version),
                old.output.as_ref().expect("result chains have an output"),
            ),
        };
        match outcome {
            Outcome::Proven | Outcome::Tested { .. } => None,
            Outcome::Skipped(reason) => Some(
                Diagnostic::warning(
                    "chain-unchecked",
                    path,
                    format!("{what} could not be checked: {reason}"),
                )
                .with_help(
                    "give the properties it cannot make up (such as ones with a `pattern`) `examples` of valid values",
                ),
            ),
            Outcome::Counterexample {
                original,
                migrated,
                violations,
            } => {
                let first = violations.first().cloned().unwrap_or(Violation {
                    pointer: String::new(),
                    schema_path: String::new(),
                    message: "rejected".to_owned(),
                });
                let location = if first.pointer.is_empty() {
                    "the top".to_owned()
                } else {
                    first.pointer.clone()
                };
                Some(
                    Diagnostic::error(
                        "chain-counterexample",
                        path,
                        format!(
                            "{what} do not stay valid: {original} becomes {migrated}, which {target} rejects at {location}: {}",
                            first.message
                        ),
                    )
                    .with_help(help(direction, &first, to, &old.version, &new.version)),
                )
            }
        }
    }
}

/// Which ops would make the counterexample pass, by the keyword that
/// rejected it.
fn help(direction: Direction, violation: &Violation, to: &Value, old: &str, new: &str) -> String {
    let keyword = violation.schema_path.rsplit('/').next().unwrap_or_default();
    let field = field_name(&violation.pointer);
    let limit = to
        .pointer(&violation.schema_path)
        .map(Value::to_string)
        .unwrap_or_default();
    if direction == Direction::Response {
        return format!(
            "give a later version response ops whose inverses turn such results into ones {old} accepts, or relax {old}'s `output`"
        );
    }
    match keyword {
        "maximum" | "minimum" | "exclusiveMaximum" | "exclusiveMinimum" => {
            let (side, bound, moved) = match keyword {
                "maximum" => ("max", limit, "lowered the maximum"),
                "minimum" => ("min", limit, "raised the minimum"),
                "exclusiveMaximum" => ("max", format!("<below {limit}>"), "lowered the maximum"),
                _ => ("min", format!("<above {limit}>"), "raised the minimum"),
            };
            let clamp = op_at(&field, &|path| {
                format!("clamp: {{path: {path}, {side}: {bound}, lossy: true}}")
            });
            format!("add `{clamp}` to the request changes of the version that {moved}")
        }
        "required" => format!(
            "give {new}'s required field a value for older callers: `add: {{path: …, default: …}}` for a new field, or `set_default` on an existing one"
        ),
        "additionalProperties" => format!(
            "{new} rejects properties it does not declare, and older callers may send this one: `remove` it, `rename` or `move` it onto a declared field, or let {new} accept undeclared properties"
        ),
        "type" => format!("`coerce` {field} to the type {new} expects"),
        "enum" | "const" => {
            format!("`map_values` old values of {field} onto ones {new} allows")
        }
        _ => format!(
            "add request ops to a later version that bring such arguments into {new}'s `input`, or relax it"
        ),
    }
}

/// The op `make` builds for the field `field`, wrapped in `each` for every
/// array on the way (`results[].score`).
fn op_at(field: &str, make: &dyn Fn(&str) -> String) -> String {
    match field.split_once("[]") {
        Some((array, rest)) => {
            let inner = match rest.trim_start_matches('.') {
                "" => ".",
                inner => inner,
            };
            format!("each: {{path: {array}, ops: [{{{}}}]}}", op_at(inner, make))
        }
        None => make(field),
    }
}

/// `/filters/category` → `filters.category`; array indexes become `[]`.
fn field_name(pointer: &str) -> String {
    let mut name = String::new();
    for token in pointer.split('/').skip(1) {
        if token.parse::<usize>().is_ok() {
            name.push_str("[]");
            continue;
        }
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&token.replace("~1", "/").replace("~0", "~"));
    }
    if name.is_empty() {
        ".".to_owned()
    } else {
        name
    }
}

fn has_custom(ops: &[Op]) -> bool {
    ops.iter().any(|op| match op {
        Op::Custom(_) => true,
        Op::In(scoped) | Op::Each(scoped) => has_custom(&scoped.ops),
        _ => false,
    })
}

/// A seed per chain that depends on the run's seed and on which chain it
/// is, not on the order chains run in.
fn chain_seed(seed: u64, tool: &str, version: usize, direction: Direction) -> u64 {
    // FNV-1a: stable across platforms and releases, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = tool
        .bytes()
        .chain((version as u64).to_le_bytes())
        .chain([direction as u8]);
    for byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^ seed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts(text: &str) -> Vec<(usize, Direction, Outcome)> {
        let loaded = crate::spec::load(text).expect("the spec loads");
        outcomes(&loaded.spec.tools[0], 0)
    }

    #[test]
    fn the_search_example_is_proven_both_ways_from_every_version() {
        let found = verdicts(include_str!("../../../examples/search/mcpgen.yaml"));
        // Arguments of 1.0.0, 2.0.0 and 3.0.0 up to 4.0.0, and 4.0.0's
        // results down to each of them.
        assert_eq!(found.len(), 6);
        for (v, direction, outcome) in &found {
            assert_eq!(*outcome, Outcome::Proven, "version {v}, {direction:?}");
        }
    }

    #[test]
    fn a_lowered_maximum_without_a_clamp_is_a_counterexample() {
        let text = include_str!("../../tests/fixtures/invalid/chain-counterexample.yaml");
        let found = verdicts(text);
        let broken: Vec<usize> = found
            .iter()
            .filter_map(|(v, _, outcome)| match outcome {
                Outcome::Counterexample {
                    original, migrated, ..
                } => {
                    assert!(migrated["limit"].as_u64().unwrap() > 50, "{migrated}");
                    assert!(
                        original
                            .get("maxResults")
                            .or(original.get("limit"))
                            .is_some()
                    );
                    Some(*v)
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            broken,
            [0, 1],
            "1.0.0 and 2.0.0 allow up to 100, 3.0.0 is 4.0.0's shape"
        );
        let clamped = text.replace(
            "            - move: { from: dateRange, to: filters.dateRange }\n",
            "            - move: { from: dateRange, to: filters.dateRange }\n            - clamp: { path: limit, max: 50, lossy: true }\n",
        );
        assert_ne!(clamped, text);
        assert!(
            verdicts(&clamped)
                .iter()
                .all(|(_, _, outcome)| *outcome == Outcome::Proven)
        );
    }

    #[test]
    fn a_maximum_on_an_unbounded_integer_is_a_counterexample() {
        let spec = |bounds: &str| {
            format!(
                "mcpgen: 1
server: {{ name: t, version: 1.0.0, transports: [stdio] }}
tools:
  - name: count
    description: Counts.
    versions:
      - version: 1.0.0
        input: {{ type: object, required: [n], properties: {{ n: {{ type: integer }} }} }}
      - version: 2.0.0
        changes: {{ request: [ {{ rename: {{ from: n, to: m }} }} ] }}
        input: {{ type: object, required: [m], properties: {{ m: {{ type: integer{bounds} }} }} }}
"
            )
        };
        for bounds in [", maximum: 10", ", minimum: -10"] {
            let found = verdicts(&spec(bounds));
            assert!(
                matches!(
                    found[..],
                    [(0, Direction::Request, Outcome::Counterexample { .. })]
                ),
                "{bounds}: {found:?}"
            );
        }
        let found = verdicts(&spec(""));
        assert_eq!(found[0].2, Outcome::Proven);
    }

    #[test]
    fn pointers_read_as_field_paths() {
        assert_eq!(field_name("/filters/category"), "filters.category");
        assert_eq!(field_name("/results/0/url"), "results[].url");
        assert_eq!(field_name(""), ".");
    }

    #[test]
    fn suggested_ops_reach_into_arrays() {
        let clamp = |path: &str| format!("clamp: {{path: {path}}}");
        assert_eq!(op_at("limit", &clamp), "clamp: {path: limit}");
        assert_eq!(
            op_at("results[].score", &clamp),
            "each: {path: results, ops: [{clamp: {path: score}}]}"
        );
        assert_eq!(
            op_at("scores[]", &clamp),
            "each: {path: scores, ops: [{clamp: {path: .}}]}"
        );
    }

    #[test]
    fn seeds_differ_per_chain() {
        let a = chain_seed(0, "search", 0, Direction::Request);
        assert_ne!(a, chain_seed(0, "search", 1, Direction::Request));
        assert_ne!(a, chain_seed(0, "search", 0, Direction::Response));
        assert_ne!(a, chain_seed(1, "search", 0, Direction::Request));
        assert_eq!(a, chain_seed(0, "search", 0, Direction::Request));
    }
}
