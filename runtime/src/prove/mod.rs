//! Proving migration chains: every value valid under an old schema, once
//! migrated, is valid under the new one.
//!
//! [`check_chain`] first pushes the old schema through the ops and tries a
//! static subset proof ([`is_subset`]); when that does not settle it, it
//! migrates boundary and seeded random instances of the old schema
//! ([`Generator`]) and validates them against the new one. The first that
//! fails, boundaries first and shrunk to its essentials, is the
//! counterexample. `mcpgen check` runs it on every chain of a spec; a
//! generated crate's tests run it with the author's `custom` functions.

mod generate;
mod keywords;
mod push;
mod subset;

pub use generate::Generator;
pub use keywords::{Bound, Range};
pub use subset::{Verdict, is_subset};

use serde_json::Value;

use crate::migrate::{CustomOps, Op, apply_all};

/// Random instances tried per chain, on top of as many boundary instances.
pub const DEFAULT_CASES: usize = 64;

/// How many smaller candidates shrinking a counterexample may try.
const SHRINK_BUDGET: usize = 256;

/// What [`check_chain`] found.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The old schema, pushed through the ops, is a subset of the new one.
    Proven,
    /// No proof, but every instance tried migrated to a valid value.
    Tested {
        /// How many instances were tried.
        cases: usize,
    },
    /// An instance of the old schema that migrates to an invalid value.
    Counterexample {
        /// The instance, valid under the old schema.
        original: Value,
        /// What the ops made of it.
        migrated: Value,
        /// Why the new schema rejects it (or why a custom op failed).
        violations: Vec<Violation>,
    },
    /// The chain could not be checked here.
    Skipped(String),
}

/// One reason a migrated value is rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// JSON Pointer to the offending part of the migrated value.
    pub pointer: String,
    /// JSON Pointer to the keyword of the new schema that rejects it.
    pub schema_path: String,
    /// What is wrong.
    pub message: String,
}

/// Checks that `ops` take every value valid under `from` to a value valid
/// under `to`. `custom` runs the chain's `custom` ops; without it such a
/// chain is skipped. `seed` and `cases` set the random instances.
pub fn check_chain(
    from: &Value,
    ops: &[Op],
    to: &Value,
    custom: Option<&dyn CustomOps>,
    seed: u64,
    cases: usize,
) -> Outcome {
    let custom = match (custom, first_custom(ops)) {
        (Some(custom), _) => custom,
        (None, Some(function)) => {
            return Outcome::Skipped(format!(
                "the chain runs custom migration `{function}`, which only the generated crate can call"
            ));
        }
        (None, None) => &crate::migrate::NoCustomOps,
    };
    if let Some(pushed) = push::through(from, ops)
        && is_subset(&pushed, to) == Verdict::Proven
    {
        return Outcome::Proven;
    }
    let target = match jsonschema::validator_for(to) {
        Ok(target) => target,
        Err(error) => return Outcome::Skipped(format!("the new schema does not compile: {error}")),
    };
    let mut generator = match Generator::new(from) {
        Ok(generator) => generator,
        Err(error) => return Outcome::Skipped(format!("the old schema does not compile: {error}")),
    };
    let failure = |original: &Value| -> Option<(Value, Vec<Violation>)> {
        let mut migrated = original.clone();
        if let Err(error) = apply_all(ops, &mut migrated, custom) {
            let violation = Violation {
                pointer: String::new(),
                schema_path: String::new(),
                message: error.to_string(),
            };
            return Some((migrated, vec![violation]));
        }
        let violations: Vec<Violation> = target
            .iter_errors(&migrated)
            .map(|error| Violation {
                pointer: error.instance_path().as_str().to_owned(),
                schema_path: error.schema_path().as_str().to_owned(),
                message: error.to_string(),
            })
            .collect();
        (!violations.is_empty()).then_some((migrated, violations))
    };
    let instances = generator.instances(seed, cases);
    if instances.is_empty() {
        return Outcome::Skipped(
            "no value valid under the old schema could be generated".to_owned(),
        );
    }
    for original in &instances {
        if failure(original).is_some() {
            let original = shrink(original.clone(), |candidate| {
                generator.accepts(candidate) && failure(candidate).is_some()
            });
            let (migrated, violations) = failure(&original).expect("the shrunk value still fails");
            return Outcome::Counterexample {
                original,
                migrated,
                violations,
            };
        }
    }
    Outcome::Tested {
        cases: instances.len(),
    }
}

/// The first `custom` function a chain runs.
fn first_custom(ops: &[Op]) -> Option<&str> {
    ops.iter().find_map(|op| match op {
        Op::Custom(custom) => Some(custom.function.as_str()),
        Op::In(scoped) | Op::Each(scoped) => first_custom(&scoped.ops),
        _ => None,
    })
}

/// A smallest-found variant of a failing value: properties and items are
/// dropped and strings shortened while `fails` holds.
fn shrink(mut value: Value, mut fails: impl FnMut(&Value) -> bool) -> Value {
    let mut budget = SHRINK_BUDGET;
    'smaller: loop {
        for candidate in smaller(&value) {
            if budget == 0 {
                break 'smaller;
            }
            budget -= 1;
            if fails(&candidate) {
                value = candidate;
                continue 'smaller;
            }
        }
        break;
    }
    value
}

/// Values one step smaller than `value`, the biggest cuts first.
fn smaller(value: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    match value {
        Value::Object(map) => {
            for key in map.keys() {
                let mut fewer = map.clone();
                fewer.shift_remove(key);
                out.push(Value::Object(fewer));
            }
            for (key, child) in map {
                for small in smaller(child) {
                    let mut changed = map.clone();
                    changed.insert(key.clone(), small);
                    out.push(Value::Object(changed));
                }
            }
        }
        Value::Array(items) => {
            for i in 0..items.len() {
                let mut fewer = items.clone();
                fewer.remove(i);
                out.push(Value::Array(fewer));
            }
            for (i, item) in items.iter().enumerate() {
                for small in smaller(item) {
                    let mut changed = items.clone();
                    changed[i] = small;
                    out.push(Value::Array(changed));
                }
            }
        }
        Value::String(text) if text.chars().count() > 1 => {
            out.push(Value::String(text.chars().take(1).collect()));
        }
        _ => {}
    }
    out
}

/// `schema` with every object that declares `properties` closed
/// (`additionalProperties: false` where it says nothing). Results carry only
/// the properties their schema declares, so a result chain is checked on
/// the closed schema: adding an optional result property is then no break.
pub fn close_objects(schema: &Value) -> Value {
    let mut closed = schema.clone();
    close(&mut closed);
    closed
}

fn close(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    let composed = ["allOf", "anyOf", "oneOf", "$ref"]
        .iter()
        .any(|k| map.contains_key(*k));
    if map.contains_key("properties")
        && !composed
        && !map.contains_key("additionalProperties")
        && !map.contains_key("patternProperties")
        && !map.contains_key("unevaluatedProperties")
    {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    for key in ["properties", "$defs", "definitions"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            children.values_mut().for_each(close);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = map.get_mut(key) {
            close(child);
        }
    }
    if let Some(Value::Array(items)) = map.get_mut("prefixItems") {
        items.iter_mut().for_each(close);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(list: Value) -> Vec<Op> {
        serde_json::from_value(list).unwrap()
    }

    fn v1() -> Value {
        json!({
            "type": "object",
            "required": ["query"],
            "additionalProperties": false,
            "properties": {
                "query": {"type": "string", "minLength": 1},
                "maxResults": {"type": "integer", "minimum": 1, "maximum": 100},
                "category": {"type": "string"}
            }
        })
    }

    fn v3(maximum: u64) -> Value {
        json!({
            "type": "object",
            "required": ["query"],
            "additionalProperties": false,
            "properties": {
                "query": {"type": "string", "minLength": 1},
                "limit": {"type": "integer", "minimum": 1, "maximum": maximum},
                "sortBy": {"type": "string", "enum": ["relevance", "date"]},
                "filters": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {"category": {"type": "string"}}
                }
            }
        })
    }

    fn chain() -> Vec<Op> {
        ops(json!([
            {"rename": {"from": "maxResults", "to": "limit"}},
            {"add": {"path": "sortBy", "default": "relevance"}},
            {"move": {"from": "category", "to": "filters.category"}}
        ]))
    }

    #[test]
    fn a_faithful_chain_is_proven() {
        assert_eq!(
            check_chain(&v1(), &chain(), &v3(100), None, 0, 64),
            Outcome::Proven
        );
    }

    #[test]
    fn a_tightened_maximum_gives_a_shrunk_counterexample() {
        let Outcome::Counterexample {
            original,
            migrated,
            violations,
        } = check_chain(&v1(), &chain(), &v3(50), None, 0, 64)
        else {
            panic!("expected a counterexample");
        };
        assert_eq!(original, json!({"query": "a", "maxResults": 100}));
        assert_eq!(
            migrated,
            json!({"query": "a", "limit": 100, "sortBy": "relevance"})
        );
        assert_eq!(violations[0].pointer, "/limit");
        assert_eq!(violations[0].schema_path, "/properties/limit/maximum");
    }

    #[test]
    fn a_clamp_fixes_it() {
        let mut fixed = chain();
        fixed.extend(ops(
            json!([{"clamp": {"path": "limit", "max": 50, "lossy": true}}]),
        ));
        assert_eq!(
            check_chain(&v1(), &fixed, &v3(50), None, 0, 64),
            Outcome::Proven
        );
    }

    #[test]
    fn chains_the_proof_cannot_follow_are_tested() {
        let from = json!({"type": "object", "properties": {"n": {"type": "string", "pattern": "^[0-9]{1,3}$"}}});
        let to =
            json!({"type": "object", "properties": {"n": {"type": "integer", "maximum": 999}}});
        let coerce = ops(json!([{"coerce": {"path": "n", "from": "string", "to": "integer"}}]));
        assert!(
            matches!(check_chain(&from, &coerce, &to, None, 0, 64), Outcome::Tested { cases } if cases > 10)
        );
    }

    #[test]
    fn results_are_deterministic_per_seed() {
        let from = json!({"type": "object", "properties": {"n": {"type": "number"}}});
        let to = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        let first = check_chain(&from, &[], &to, None, 9, 64);
        assert_eq!(first, check_chain(&from, &[], &to, None, 9, 64));
        assert!(matches!(first, Outcome::Counterexample { .. }));
    }

    #[test]
    fn custom_ops_need_their_functions() {
        struct Upper;
        impl CustomOps for Upper {
            fn run(&self, _: &str, value: &mut Value) -> Result<(), String> {
                if let Some(Value::String(text)) = value.get_mut("s") {
                    *text = text.to_uppercase();
                }
                Ok(())
            }
        }
        let from =
            json!({"type": "object", "properties": {"s": {"type": "string", "maxLength": 3}}});
        let to = json!({"type": "object", "properties": {"s": {"type": "string", "pattern": "^[^a-z]*$"}}});
        let custom = ops(json!([{"custom": {"fn": "upper"}}]));
        assert!(
            matches!(check_chain(&from, &custom, &to, None, 0, 16), Outcome::Skipped(reason) if reason.contains("upper"))
        );
        assert!(matches!(
            check_chain(&from, &custom, &to, Some(&Upper), 0, 16),
            Outcome::Tested { .. }
        ));
        let lower = json!({"type": "object", "properties": {"s": {"type": "string", "pattern": "^[^A-Z]*$"}}});
        assert!(matches!(
            check_chain(&from, &custom, &lower, Some(&Upper), 0, 16),
            Outcome::Counterexample { .. }
        ));
    }

    #[test]
    fn unsatisfiable_schemas_are_skipped() {
        let from = json!({"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "minimum": 3, "maximum": 2}}});
        let to = json!({"type": "object", "properties": {"n": {"type": "string"}}});
        assert!(matches!(
            check_chain(&from, &[], &to, None, 0, 16),
            Outcome::Skipped(_)
        ));
    }

    #[test]
    fn closing_objects_leaves_composed_and_explicit_ones() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {"type": "object", "properties": {}}, "b": {"allOf": [], "properties": {}}},
            "$defs": {"d": {"properties": {}, "additionalProperties": true}}
        });
        let closed = close_objects(&schema);
        assert_eq!(closed["additionalProperties"], json!(false));
        assert_eq!(
            closed["properties"]["a"]["additionalProperties"],
            json!(false)
        );
        assert!(
            closed["properties"]["b"]
                .get("additionalProperties")
                .is_none()
        );
        assert_eq!(closed["$defs"]["d"]["additionalProperties"], json!(true));
    }
}
