//! What the generated crate needs from the migration chains: the distinct
//! functions behind `custom` ops (one trait method each) and the version
//! steps the generated property tests cover.

use mcpgen_runtime::migrate::{Custom, Op};

use super::ident::{Case, RustIdent, Scope};
use super::{Tool, Version};

/// Which list of a step an op belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    /// `changes.request`: arguments, run old → new.
    Request,
    /// `changes.response`: results, run new → old through the inverses.
    Response,
}

impl Direction {
    /// As the spec spells the list.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}

/// One function behind `custom` ops, as the trait declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomFn {
    /// The name the spec and the manifest use; the adapter dispatches on it.
    pub name: String,
    /// The trait method.
    pub method: RustIdent,
    /// Every place the spec names the function, in spec order.
    pub uses: Vec<CustomUse>,
}

/// A place where a spec names a custom function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomUse {
    /// The tool.
    pub tool: String,
    /// The version before the step.
    pub from: semver::Version,
    /// The version the step leads to.
    pub to: semver::Version,
    /// The list the op is in.
    pub direction: Direction,
    /// Whether the function is the op's `inverse` (new → old) rather than its `fn`.
    pub inverse: bool,
}

/// One version step of one tool in one direction, which gets a generated test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepCheck {
    /// The tool.
    pub tool: String,
    /// The older version.
    pub from: semver::Version,
    /// The newer version.
    pub to: semver::Version,
    /// What is migrated: arguments up, or results down.
    pub direction: Direction,
    /// The test function.
    pub test: RustIdent,
}

/// Every distinct custom function of `tools`, in the order the spec first
/// names them. Names are already identifiers (validation checks that);
/// the scope still disambiguates the ones that collide after casing.
pub fn custom_fns(tools: &[Tool]) -> Vec<CustomFn> {
    let mut found: Vec<(String, Vec<CustomUse>)> = Vec::new();
    for tool in tools {
        for (old, new) in steps(tool) {
            for (direction, ops) in [
                (Direction::Request, &new.request),
                (Direction::Response, &new.response),
            ] {
                walk(ops, &mut |custom: &Custom| {
                    let named = std::iter::once((custom.function.as_str(), false))
                        .chain(custom.inverse.as_deref().map(|i| (i, true)));
                    for (name, inverse) in named {
                        let found_use = CustomUse {
                            tool: tool.name.clone(),
                            from: old.version.clone(),
                            to: new.version.clone(),
                            direction,
                            inverse,
                        };
                        match found.iter_mut().find(|(n, _)| n == name) {
                            Some((_, uses)) => uses.push(found_use),
                            None => found.push((name.to_owned(), vec![found_use])),
                        }
                    }
                });
            }
        }
    }
    // Claimed in first-use order, so a collision renames the later name.
    let mut scope = Scope::new();
    found
        .into_iter()
        .map(|(name, uses)| CustomFn {
            method: scope.claim(&name, Case::Snake),
            name,
            uses,
        })
        .collect()
}

/// Every step of every tool that a property test can check: arguments of
/// each step, and results of each step where both versions declare an
/// output schema.
pub fn step_checks(tools: &[Tool]) -> Vec<StepCheck> {
    let mut scope = Scope::new();
    // The functions `src/generated/tests.rs` defines next to the tests.
    scope.reserve("check");
    scope.reserve("custom_ops");
    let mut checks = Vec::new();
    for tool in tools {
        for (old, new) in steps(tool) {
            let mut directions = vec![Direction::Request];
            if old.output.is_some() && new.output.is_some() {
                directions.push(Direction::Response);
            }
            for direction in directions {
                let test = scope.claim(
                    &format!(
                        "{}_{}_to_{}_{}",
                        tool.name,
                        old.version,
                        new.version,
                        direction.name()
                    ),
                    Case::Snake,
                );
                checks.push(StepCheck {
                    tool: tool.name.clone(),
                    from: old.version.clone(),
                    to: new.version.clone(),
                    direction,
                    test,
                });
            }
        }
    }
    checks
}

fn steps(tool: &Tool) -> impl Iterator<Item = (&Version, &Version)> {
    tool.versions.windows(2).map(|pair| (&pair[0], &pair[1]))
}

/// Calls `visit` on every `custom` op of `ops`, inside `in` and `each` too.
fn walk(ops: &[Op], visit: &mut impl FnMut(&Custom)) {
    for op in ops {
        match op {
            Op::Custom(custom) => visit(custom),
            Op::In(scoped) | Op::Each(scoped) => walk(&scoped.ops, visit),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, json};

    fn version(v: &str, request: serde_json::Value, output: bool) -> Version {
        Version {
            version: semver::Version::parse(v).unwrap(),
            description: None,
            input: Map::new(),
            output: output.then(Map::new),
            deprecated: None,
            request: serde_json::from_value(request).unwrap(),
            response: Vec::new(),
        }
    }

    fn tool(name: &str, versions: Vec<Version>) -> Tool {
        Tool {
            name: name.to_owned(),
            module_ident: super::super::ident::sanitize(name, Case::Module),
            method_ident: super::super::ident::sanitize(name, Case::Snake),
            trait_ident: super::super::ident::sanitize(name, Case::Camel),
            title: None,
            description: String::new(),
            module: None,
            annotations: None,
            audit: Default::default(),
            versions,
            input_type: super::super::ident::sanitize("In", Case::Camel),
            output_type: None,
            types: Default::default(),
        }
    }

    #[test]
    fn custom_fns_are_found_at_any_depth_once_each_with_inverses() {
        let tools = [tool(
            "search",
            vec![
                version("1.0.0", json!([]), false),
                version(
                    "2.0.0",
                    json!([
                        {"custom": {"fn": "split", "inverse": "join"}},
                        {"in": {"path": "a", "ops": [
                            {"each": {"path": "b", "ops": [{"custom": {"fn": "type", "lossy": true}}]}}
                        ]}},
                    ]),
                    false,
                ),
                version(
                    "3.0.0",
                    json!([{"custom": {"fn": "split", "lossy": true}}]),
                    false,
                ),
            ],
        )];
        let found = custom_fns(&tools);
        let names: Vec<(&str, String)> = found
            .iter()
            .map(|f| (f.name.as_str(), f.method.to_string()))
            .collect();
        assert_eq!(
            names,
            [
                ("split", "split".to_owned()),
                ("join", "join".to_owned()),
                ("type", "r#type".to_owned()),
            ]
        );
        assert_eq!(found[0].uses.len(), 2);
        assert!(found[1].uses[0].inverse);
        assert_eq!(found[2].uses[0].to.to_string(), "2.0.0");
    }

    #[test]
    fn names_that_collide_after_casing_get_distinct_methods() {
        let tools = [tool(
            "t",
            vec![
                version("1.0.0", json!([]), false),
                version(
                    "2.0.0",
                    json!([
                        {"custom": {"fn": "a_b", "lossy": true}},
                        {"custom": {"fn": "a__b", "lossy": true}},
                    ]),
                    false,
                ),
            ],
        )];
        let methods: Vec<String> = custom_fns(&tools)
            .iter()
            .map(|f| f.method.to_string())
            .collect();
        assert_eq!(methods, ["a_b", "a_b_2"]);
    }

    #[test]
    fn results_are_checked_only_where_both_versions_have_an_output() {
        let tools = [
            tool(
                "read",
                vec![
                    version("1.0.0", json!([]), true),
                    version("1.1.0", json!([]), false),
                    version("2.0.0-beta.1", json!([]), true),
                ],
            ),
            tool(
                "sum",
                vec![
                    version("1.0.0", json!([]), true),
                    version("2.0.0", json!([]), true),
                ],
            ),
        ];
        let checks: Vec<String> = step_checks(&tools)
            .iter()
            .map(|c| c.test.to_string())
            .collect();
        assert_eq!(
            checks,
            [
                "read_1_0_0_to_1_1_0_request",
                "read_1_1_0_to_2_0_0_beta_1_request",
                "sum_1_0_0_to_2_0_0_request",
                "sum_1_0_0_to_2_0_0_response",
            ]
        );
    }
}
