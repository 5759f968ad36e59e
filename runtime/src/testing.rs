//! What a generated crate's tests call: one version step of one tool checked
//! against the spec's schemas, with the author's `custom` functions.
//!
//! A step holds when every argument valid for the older version is, once
//! migrated up, valid for the newer one, and every result valid for the
//! newer version is, once migrated down, valid for the older one. The
//! source schema's own `examples` and `default` are tried first, then
//! [`prove::check_chain`] proves the step or tests it on generated
//! instances; `custom` ops always run the author's code.

use std::fmt;

use serde_json::Value;

use crate::manifest::Manifest;
use crate::migrate::{CustomOps, Op, apply_all, invert_all};
use crate::prove::{self, Outcome, Violation};

/// What a step migrates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Arguments, older version → newer, through the `request` ops.
    Request,
    /// Results, newer version → older, through the inverses of the
    /// `response` ops.
    Response,
}

impl Direction {
    fn name(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}

/// What a passing check established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// The source schema's own examples that were migrated and validated.
    pub examples: usize,
    /// What the prover concluded.
    pub outcome: Checked,
}

/// How a step was shown to hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    /// Statically: the source schema, pushed through the ops, is a subset of
    /// the target schema.
    Proven,
    /// On this many generated instances, all of which migrated to valid values.
    Tested(usize),
    /// The prover could not check it (the reason), but the schema's own
    /// examples passed.
    ExamplesOnly(String),
}

/// Why a step does not hold, or could not be checked.
#[derive(Clone, Debug, PartialEq)]
pub enum StepFailure {
    /// The manifest, tool or versions are not what the test names: the
    /// generated tests are stale.
    Setup(String),
    /// An instance valid for the source schema that migrates to a value the
    /// target schema rejects, or on which a `custom` function fails.
    Counterexample(Box<Counterexample>),
    /// Nothing could be checked: the prover gave up (the reason) and the
    /// source schema has no valid `examples`.
    Unchecked(String),
}

/// The instance that shows a step does not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterexample {
    /// The instance.
    pub instance: Value,
    /// What the migration made of it.
    pub migrated: Value,
    /// Why it is rejected.
    pub violations: Vec<Violation>,
}

impl fmt::Display for StepFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepFailure::Setup(message) => {
                write!(f, "{message}; regenerate the crate with `mcpgen generate`")
            }
            StepFailure::Counterexample(counterexample) => {
                let Counterexample {
                    instance,
                    migrated,
                    violations,
                } = counterexample.as_ref();
                // A failed migration is reported without a schema keyword.
                let ran = violations.iter().all(|v| !v.schema_path.is_empty());
                if ran {
                    writeln!(f, "a valid instance does not migrate to a valid one")?;
                } else {
                    writeln!(f, "the migration fails on a valid instance")?;
                }
                write!(f, "  instance: {instance}")?;
                if ran {
                    write!(f, "\n  migrated: {migrated}")?;
                }
                for violation in violations {
                    match violation.pointer.as_str() {
                        _ if violation.schema_path.is_empty() => {
                            write!(f, "\n  {}", violation.message)?
                        }
                        "" => write!(f, "\n  at /: {}", violation.message)?,
                        pointer => write!(f, "\n  at {pointer}: {}", violation.message)?,
                    }
                }
                Ok(())
            }
            StepFailure::Unchecked(reason) => write!(
                f,
                "the step could not be checked: {reason}; give the source schema `examples` of \
                 valid values (or its properties, where they have a `pattern` or a `format`)"
            ),
        }
    }
}

impl std::error::Error for StepFailure {}

/// Checks the step of `tool` from version `from` to version `to` (any later
/// version; the steps between are chained) in `direction`, running `custom`
/// for `custom` ops.
pub fn check_step(
    manifest_json: &str,
    tool: &str,
    from: &str,
    to: &str,
    direction: Direction,
    custom: &dyn CustomOps,
) -> Result<StepReport, StepFailure> {
    let chain = Chain::resolve(manifest_json, tool, from, to, direction)?;
    let examples = check_examples(&chain, custom)?;
    let seed = seed(&[tool, from, to, direction.name()]);
    let outcome = prove::check_chain(
        &chain.source,
        &chain.ops,
        &chain.target,
        Some(custom),
        seed,
        prove::DEFAULT_CASES,
    );
    let outcome = match outcome {
        Outcome::Proven => Checked::Proven,
        Outcome::Tested { cases } => Checked::Tested(cases),
        Outcome::Counterexample {
            original,
            migrated,
            violations,
        } => {
            return Err(StepFailure::Counterexample(Box::new(Counterexample {
                instance: original,
                migrated,
                violations,
            })));
        }
        Outcome::Skipped(reason) if examples == 0 => return Err(StepFailure::Unchecked(reason)),
        Outcome::Skipped(reason) => Checked::ExamplesOnly(reason),
    };
    Ok(StepReport { examples, outcome })
}

/// [`check_step`] for a `#[test]`: panics with the failure, which names
/// the caller's line.
#[track_caller]
pub fn assert_step(
    manifest_json: &str,
    tool: &str,
    from: &str,
    to: &str,
    direction: Direction,
    custom: &dyn CustomOps,
) {
    if let Err(failure) = check_step(manifest_json, tool, from, to, direction, custom) {
        panic!("{failure}");
    }
}

/// Migrates the source schema's valid examples; the instances its author had
/// in mind give the most readable failure. Returns how many were checked.
fn check_examples(chain: &Chain, custom: &dyn CustomOps) -> Result<usize, StepFailure> {
    let source = compile(&chain.source)?;
    let target = compile(&chain.target)?;
    let mut checked = 0;
    for instance in examples(&chain.source) {
        // Examples need not be valid; only valid ones say anything about the step.
        if !source.is_valid(&instance) {
            continue;
        }
        checked += 1;
        let mut migrated = instance.clone();
        let violations: Vec<Violation> = match apply_all(&chain.ops, &mut migrated, custom) {
            Err(error) => vec![Violation {
                pointer: String::new(),
                schema_path: String::new(),
                message: error.to_string(),
            }],
            Ok(()) => target
                .iter_errors(&migrated)
                .map(|e| Violation {
                    pointer: e.instance_path().as_str().to_owned(),
                    schema_path: e.schema_path().as_str().to_owned(),
                    message: e.to_string(),
                })
                .collect(),
        };
        if !violations.is_empty() {
            return Err(StepFailure::Counterexample(Box::new(Counterexample {
                instance,
                migrated,
                violations,
            })));
        }
    }
    Ok(checked)
}

/// The ops of a step in the order they run, with the schemas at both ends.
struct Chain {
    ops: Vec<Op>,
    source: Value,
    target: Value,
}

impl Chain {
    fn resolve(
        manifest_json: &str,
        tool: &str,
        from: &str,
        to: &str,
        direction: Direction,
    ) -> Result<Self, StepFailure> {
        let setup = |message: String| StepFailure::Setup(message);
        let manifest: Manifest = serde_json::from_str(manifest_json)
            .map_err(|e| setup(format!("the manifest is malformed: {e}")))?;
        let entry = manifest
            .tools
            .iter()
            .find(|t| t.name == tool)
            .ok_or_else(|| setup(format!("the manifest has no tool `{tool}`")))?;
        let index = |version: &str| {
            entry
                .versions
                .iter()
                .position(|v| v.version == version)
                .ok_or_else(|| setup(format!("`{tool}` has no version {version}")))
        };
        let (old, new) = (index(from)?, index(to)?);
        if old >= new {
            return Err(setup(format!("{from} is not older than {to}")));
        }
        let steps = &entry.versions[old + 1..=new];
        let (old, new) = (&entry.versions[old], &entry.versions[new]);
        match direction {
            Direction::Request => Ok(Self {
                ops: steps.iter().flat_map(|s| s.request.clone()).collect(),
                source: Value::Object(old.input.clone()),
                target: Value::Object(new.input.clone()),
            }),
            Direction::Response => {
                let (Some(old_output), Some(new_output)) = (&old.output, &new.output) else {
                    return Err(setup(format!(
                        "`{tool}` {from} and {to} do not both declare an output schema"
                    )));
                };
                let mut ops = Vec::new();
                for step in steps.iter().rev() {
                    ops.extend(invert_all(&step.response).ok_or_else(|| {
                        setup(format!(
                            "a response op of `{tool}` {} cannot be inverted",
                            step.version
                        ))
                    })?);
                }
                Ok(Self {
                    ops,
                    // Results are typed structs, so they carry only the
                    // properties their schema declares.
                    source: prove::close_objects(&Value::Object(new_output.clone())),
                    target: Value::Object(old_output.clone()),
                })
            }
        }
    }
}

fn compile(schema: &Value) -> Result<jsonschema::Validator, StepFailure> {
    jsonschema::validator_for(schema)
        .map_err(|e| StepFailure::Setup(format!("a schema does not compile: {e}")))
}

/// The instances a schema offers itself: its `examples`, then its `default`.
fn examples(schema: &Value) -> Vec<Value> {
    let mut found: Vec<Value> = schema
        .get("examples")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    found.extend(schema.get("default").cloned());
    found
}

/// A seed fixed by the step's names (FNV-1a), so a failure reproduces on
/// every run and every machine while steps still get different instances.
fn seed(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest;
    use crate::migrate::NoCustomOps;
    use serde_json::json;

    /// A manifest version without changes.
    fn version(version: &str, input: Value, output: Option<Value>) -> manifest::Version {
        let object = |v: Value| v.as_object().cloned().expect("a schema object");
        manifest::Version {
            version: version.to_owned(),
            input: object(input),
            output: output.map(object),
            deprecated: None,
            description: None,
            request: Vec::new(),
            response: Vec::new(),
        }
    }

    fn manifest(versions: Vec<manifest::Version>) -> String {
        serde_json::to_string(&Manifest {
            format: manifest::FORMAT,
            server: manifest::Server {
                name: "s".into(),
                version: "1.0.0".into(),
                title: None,
                description: None,
                instructions: None,
                transports: vec![],
                audit: None,
            },
            versioning: Default::default(),
            tenants: vec![],
            tenant_config: None,
            access: None,
            tools: vec![manifest::Tool {
                name: "search".into(),
                title: None,
                description: String::new(),
                module: None,
                annotations: None,
                audit: Default::default(),
                versions,
            }],
        })
        .unwrap()
    }

    fn renamed(rename: bool) -> String {
        let v1 = version(
            "1.0.0",
            json!({
                "type": "object",
                "properties": {"maxResults": {"type": "integer"}},
                "examples": [{"maxResults": 3}, {"maxResults": "not an integer"}],
                "additionalProperties": false,
            }),
            Some(json!({
                "type": "object",
                "required": ["total"],
                "properties": {"total": {"type": "integer"}},
            })),
        );
        let mut v2 = version(
            "2.0.0",
            json!({
                "type": "object",
                "properties": {"limit": {"type": "integer"}},
                "additionalProperties": false,
            }),
            Some(json!({
                "type": "object",
                "required": ["totalCount"],
                "properties": {"totalCount": {"type": "integer"}},
                "examples": [{"totalCount": 4}],
            })),
        );
        if rename {
            v2.request =
                serde_json::from_value(json!([{"rename": {"from": "maxResults", "to": "limit"}}]))
                    .unwrap();
            v2.response =
                serde_json::from_value(json!([{"rename": {"from": "total", "to": "totalCount"}}]))
                    .unwrap();
        }
        manifest(vec![v1, v2])
    }

    fn check(manifest: &str, direction: Direction) -> Result<StepReport, StepFailure> {
        check_step(
            manifest,
            "search",
            "1.0.0",
            "2.0.0",
            direction,
            &NoCustomOps,
        )
    }

    /// `search` 1.0.0 → 2.0.0 with `input` schemas `v1` and `v2`, no ops.
    fn inputs(v1: Value, v2: Value) -> String {
        manifest(vec![version("1.0.0", v1, None), version("2.0.0", v2, None)])
    }

    #[test]
    fn a_faithful_step_holds_both_ways_over_examples_and_the_prover() {
        let manifest = renamed(true);
        for direction in [Direction::Request, Direction::Response] {
            let report = check(&manifest, direction).unwrap();
            // One example of each schema is valid; the other is skipped.
            assert_eq!(report.examples, 1, "{direction:?}");
            assert!(
                matches!(report.outcome, Checked::Proven | Checked::Tested(_)),
                "{direction:?}: {report:?}"
            );
        }
    }

    #[test]
    fn a_step_missing_its_ops_fails_on_an_example_first() {
        let manifest = renamed(false);
        let failure = check(&manifest, Direction::Request).unwrap_err();
        let StepFailure::Counterexample(found) = &failure else {
            panic!("{failure}");
        };
        let Counterexample {
            instance,
            violations,
            ..
        } = found.as_ref();
        assert_eq!(*instance, json!({"maxResults": 3}));
        assert_eq!(violations.len(), 1);
        assert!(failure.to_string().contains("maxResults"), "{failure}");
        let failure = check(&manifest, Direction::Response).unwrap_err();
        let StepFailure::Counterexample(found) = &failure else {
            panic!("{failure}");
        };
        let instance = &found.instance;
        assert_eq!(*instance, json!({"totalCount": 4}));
        assert!(failure.to_string().contains("total"), "{failure}");
    }

    #[test]
    fn without_examples_the_prover_finds_the_counterexample() {
        let manifest = inputs(
            json!({"type": "object", "required": ["n"], "properties": {"n": {"type": "string"}}}),
            json!({"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}),
        );
        let failure = check(&manifest, Direction::Request).unwrap_err();
        let StepFailure::Counterexample(found) = &failure else {
            panic!("{failure}");
        };
        let Counterexample {
            instance,
            violations,
            ..
        } = found.as_ref();
        assert!(instance["n"].is_string(), "{failure}");
        assert_eq!(violations[0].pointer, "/n");
    }

    #[test]
    fn a_step_the_prover_cannot_check_needs_examples() {
        // Look-around is beyond the instance generator.
        let schema = |examples: Value| {
            json!({
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string", "pattern": "^(?=A)[A-Z]{3}$"}},
                "examples": examples,
            })
        };
        // Whether the pattern stays within `maxLength` needs instances.
        let target = json!({"type": "object", "properties": {"code": {"maxLength": 3}}});
        let failure = check(
            &inputs(schema(json!([])), target.clone()),
            Direction::Request,
        )
        .unwrap_err();
        assert!(matches!(failure, StepFailure::Unchecked(_)), "{failure}");
        assert!(failure.to_string().contains("`examples`"), "{failure}");
        let report = check(
            &inputs(schema(json!([{"code": "ABC"}])), target),
            Direction::Request,
        )
        .unwrap();
        // The prover may try the example too.
        assert_eq!(report.examples, 1);
        assert!(
            matches!(
                report.outcome,
                Checked::ExamplesOnly(_) | Checked::Tested(_)
            ),
            "{report:?}"
        );
    }

    #[test]
    fn custom_functions_run_and_their_errors_name_the_function() {
        struct Failing;
        impl CustomOps for Failing {
            fn run(&self, name: &str, _: &mut Value) -> Result<(), String> {
                Err(format!("{name} is not written"))
            }
        }
        let mut v2 = version(
            "2.0.0",
            json!({"type": "object", "properties": {"limit": {"type": "integer"}}}),
            None,
        );
        v2.request =
            serde_json::from_value(json!([{"custom": {"fn": "up", "lossy": true}}])).unwrap();
        let v1 = version("1.0.0", json!({"type": "object"}), None);
        let manifest = manifest(vec![v1, v2]);
        let failure = check_step(
            &manifest,
            "search",
            "1.0.0",
            "2.0.0",
            Direction::Request,
            &Failing,
        )
        .unwrap_err();
        let text = failure.to_string();
        assert!(
            text.starts_with("the migration fails on a valid instance"),
            "{text}"
        );
        assert!(
            text.contains("custom migration `up` failed: up is not written"),
            "{text}"
        );
    }

    #[test]
    fn assert_step_panics_with_the_failure() {
        let manifest = renamed(false);
        let panic = std::panic::catch_unwind(|| {
            assert_step(
                &manifest,
                "search",
                "1.0.0",
                "2.0.0",
                Direction::Request,
                &NoCustomOps,
            )
        })
        .expect_err("the step without its rename fails");
        let message = panic.downcast_ref::<String>().expect("a formatted message");
        let failure = check(&manifest, Direction::Request).unwrap_err();
        assert_eq!(*message, failure.to_string());
        assert_step(
            &renamed(true),
            "search",
            "1.0.0",
            "2.0.0",
            Direction::Request,
            &NoCustomOps,
        );
    }

    #[test]
    fn stale_names_are_setup_failures() {
        let manifest = renamed(true);
        for (tool, from, to) in [
            ("nope", "1.0.0", "2.0.0"),
            ("search", "1.0.0", "9.0.0"),
            ("search", "2.0.0", "1.0.0"),
        ] {
            let result = check_step(&manifest, tool, from, to, Direction::Request, &NoCustomOps);
            assert!(
                matches!(result, Err(StepFailure::Setup(_))),
                "{tool} {from} {to}: {result:?}"
            );
        }
    }

    #[test]
    fn seeds_are_fixed_per_step() {
        assert_eq!(seed(&["a", "1.0.0"]), seed(&["a", "1.0.0"]));
        assert_ne!(seed(&["a", "1.0.0"]), seed(&["a1", ".0.0"]));
    }
}
