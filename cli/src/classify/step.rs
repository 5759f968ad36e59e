//! One version step of a tool, classified: the contract findings (what the
//! release number must reflect) and, separately, whether the step's ops
//! carry old arguments and results across (what pinned callers rely on).

use mcpgen_runtime::migrate::{FieldPath, Move, Op, Rename, Scoped};
use serde_json::Value;

use super::diff::{self, At};
use super::migrated::{self, Fills, Unpushable};
use super::{Finding, Impact, Role, Rule};
use crate::spec::raw;

/// A classified version step.
#[derive(Clone, Debug, Default)]
pub struct Step {
    /// Every difference in the contract, graded. Renames and moves that a
    /// `rename`/`move` op declares are reported as such; they still break
    /// callers that send the old shape without naming the old version.
    pub findings: Vec<Finding>,
    /// Whether old arguments reach the new version valid.
    pub request: Migration,
    /// Whether new results reach old callers valid.
    pub response: Migration,
}

impl Step {
    /// The largest impact among the findings: the release this step needs.
    pub fn required(&self) -> Impact {
        self.findings
            .iter()
            .map(|f| f.impact)
            .max()
            .unwrap_or(Impact::None)
    }
}

/// How a step's ops in one direction fare.
#[derive(Clone, Debug, Default)]
pub struct Migration {
    /// The number of ops the step declares in this direction.
    pub ops: usize,
    /// Breaking findings left after running the ops over the old schema:
    /// old values the migration does not make valid.
    pub gaps: Vec<Finding>,
    /// Why the gaps could not be judged (a `custom` op without a `schema`
    /// patch), if so.
    pub unknown: Option<String>,
}

/// Classifies the step from `old` to `new`, two versions of one tool.
pub fn versions(old: &raw::Version, new: &raw::Version) -> Step {
    let (request_ops, response_ops) = match &new.changes {
        Some(changes) => (changes.request.as_slice(), changes.response.as_slice()),
        None => (&[][..], &[][..]),
    };
    let mut step = Step::default();
    step.findings
        .extend(contract(&old.input, &new.input, request_ops, Role::Input));
    step.request = migration(&old.input, &new.input, request_ops, Role::Input);
    match (&old.output, &new.output) {
        (None, Some(_)) => step.findings.push(tool_finding(
            Rule::ToolOutputSchemaAdded,
            "output",
            "declares an output schema",
        )),
        (Some(_), None) => step.findings.push(tool_finding(
            Rule::ToolOutputSchemaRemoved,
            "output",
            "no longer declares an output schema",
        )),
        (Some(old_output), Some(new_output)) => {
            step.findings
                .extend(contract(old_output, new_output, response_ops, Role::Output));
            step.response = migration(old_output, new_output, response_ops, Role::Output);
        }
        (None, None) => {}
    }
    if new.deprecated.is_some() && old.deprecated.is_none() {
        step.findings.push(tool_finding(
            Rule::ToolDeprecated,
            "deprecated",
            format!("{} is deprecated", new.version),
        ));
    }
    // The changes that decide the release first; the walk's order otherwise.
    step.findings
        .sort_by_key(|f| (f.role, std::cmp::Reverse(f.impact)));
    step
}

/// Tool-level findings between two definitions of one tool (across specs):
/// annotations and documentation, which the spec keeps per tool.
pub fn tools(old: &raw::Tool, new: &raw::Tool) -> Vec<Finding> {
    let mut findings = Vec::new();
    let docs: Vec<&str> = [
        ("title", old.title != new.title),
        ("description", old.description != new.description),
        (
            "annotations.title",
            old.annotations.as_ref().and_then(|a| a.title.as_ref())
                != new.annotations.as_ref().and_then(|a| a.title.as_ref()),
        ),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    if !docs.is_empty() {
        findings.push(tool_finding(
            Rule::ToolDocsChanged,
            docs[0],
            format!("{} changed", docs.join(", ")),
        ));
    }
    let (old_hints, new_hints) = (hints(old), hints(new));
    let mut less_safe = Vec::new();
    let mut safer = Vec::new();
    for ((name, safe_value), (old_value, new_value)) in
        HINTS.iter().zip(old_hints.iter().zip(&new_hints))
    {
        if old_value == new_value {
            continue;
        }
        let change = format!("{name} {old_value} → {new_value}");
        if *new_value == *safe_value {
            safer.push(change);
        } else {
            less_safe.push(change);
        }
    }
    if !less_safe.is_empty() {
        findings.push(tool_finding(
            Rule::ToolAnnotationsLessSafe,
            "annotations",
            less_safe.join(", "),
        ));
    }
    if !safer.is_empty() {
        findings.push(tool_finding(
            Rule::ToolAnnotationsSafer,
            "annotations",
            safer.join(", "),
        ));
    }
    findings
}

/// Each hint with the value that is the safe one.
const HINTS: &[(&str, bool)] = &[
    ("readOnlyHint", true),
    ("destructiveHint", false),
    ("idempotentHint", true),
    ("openWorldHint", false),
];

/// The hints with MCP's defaults filled in: a tool that says nothing may
/// write, destroy, repeat with effect and reach the open world.
fn hints(tool: &raw::Tool) -> [bool; 4] {
    let a = tool.annotations.clone().unwrap_or_default();
    [
        a.read_only_hint.unwrap_or(false),
        a.destructive_hint.unwrap_or(true),
        a.idempotent_hint.unwrap_or(false),
        a.open_world_hint.unwrap_or(true),
    ]
}

fn tool_finding(rule: Rule, field: &str, detail: impl Into<String>) -> Finding {
    Finding {
        rule,
        role: Role::Tool,
        impact: rule.impact(Role::Tool),
        path: field.to_owned(),
        pointer: String::new(),
        detail: detail.into(),
    }
}

/// The contract diff of one schema, with the removed/added pairs that a
/// `rename` or `move` op connects reported as one renamed or moved property.
fn contract(old: &Value, new: &Value, ops: &[Op], role: Role) -> Vec<Finding> {
    let mut findings = diff::schemas(old, new, role);
    let mut relocations = Vec::new();
    collect_relocations(ops, &At::root(), &At::root(), &mut relocations);
    for relocation in relocations {
        let removed = findings.iter().position(|f| {
            f.rule == Rule::PropertyRemoved && within(&relocation.from.pointer, &f.pointer)
        });
        let added = findings.iter().position(|f| {
            matches!(
                f.rule,
                Rule::PropertyOptionalAdded | Rule::PropertyRequiredAdded
            ) && within(&relocation.to.pointer, &f.pointer)
        });
        let (Some(removed), Some(added)) = (removed, added) else {
            continue;
        };
        let exact = |i: usize, pointer: &str| findings[i].pointer == pointer;
        // A finding about exactly this property is replaced; one about an
        // enclosing object (a new `filters` the move lands in) stays true.
        let mut drop = Vec::new();
        if exact(removed, &relocation.from.pointer) {
            drop.push(removed);
        }
        if exact(added, &relocation.to.pointer) {
            drop.push(added);
        }
        drop.sort_unstable();
        for i in drop.into_iter().rev() {
            findings.remove(i);
        }
        let (rule, verb) = if relocation.rename {
            (Rule::PropertyRenamed, "renamed to")
        } else {
            (Rule::PropertyMoved, "moved to")
        };
        findings.push(Finding {
            rule,
            role,
            impact: rule.impact(role),
            path: relocation.from.path.clone(),
            pointer: relocation.to.pointer.clone(),
            detail: format!("{verb} `{}`", relocation.to.path),
        });
        if let (Some(old_schema), Some(new_schema)) = (
            old.pointer(&relocation.from.pointer),
            new.pointer(&relocation.to.pointer),
        ) {
            findings.extend(diff::subschemas(
                (old, new),
                old_schema,
                new_schema,
                &relocation.to,
                role,
            ));
        }
    }
    findings
}

/// Whether `pointer` is `scope` or inside it, or `scope` inside `pointer`.
fn within(scope: &str, pointer: &str) -> bool {
    let inside = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
    inside(scope, pointer) || inside(pointer, scope)
}

struct Relocation {
    from: At,
    to: At,
    rename: bool,
}

/// Every `rename` and `move` in `ops`, with both ends located in the old and
/// new schemas (`in` and `each` scope their ops).
fn collect_relocations(ops: &[Op], old_scope: &At, new_scope: &At, out: &mut Vec<Relocation>) {
    let at = |scope: &At, path: &FieldPath| {
        path.segments()
            .iter()
            .fold(scope.clone(), |at, key| at.property(key))
    };
    for op in ops {
        match op {
            Op::Rename(Rename { from, to }) => out.push(Relocation {
                from: at(old_scope, from),
                to: at(new_scope, &from.with_leaf(to)),
                rename: true,
            }),
            Op::Move(Move { from, to }) => out.push(Relocation {
                from: at(old_scope, from),
                to: at(new_scope, to),
                rename: false,
            }),
            Op::In(Scoped { path, ops }) => {
                collect_relocations(ops, &at(old_scope, path), &at(new_scope, path), out)
            }
            Op::Each(Scoped { path, ops }) => collect_relocations(
                ops,
                &at(old_scope, path).items(),
                &at(new_scope, path).items(),
                out,
            ),
            _ => {}
        }
    }
}

/// What is left breaking once `ops` ran over `old`.
fn migration(old: &Value, new: &Value, ops: &[Op], role: Role) -> Migration {
    let fills = match role {
        Role::Input => Fills::Request,
        _ => Fills::Response,
    };
    let mut result = Migration {
        ops: ops.len(),
        ..Migration::default()
    };
    match migrated::push(old, ops, fills) {
        Ok(pushed) => {
            result.gaps = diff::schemas(&pushed, new, role)
                .into_iter()
                .filter(|f| f.impact == Impact::Major)
                .collect();
        }
        Err(Unpushable::Opaque(function)) => {
            result.unknown = Some(format!(
                "custom migration `{function}` has no `schema` patch, so its effect is unknown"
            ));
        }
        Err(Unpushable::Invalid(message)) => result.unknown = Some(message),
    }
    result
}

/// The findings as aligned lines: role, impact, rule, path, detail.
pub fn table(findings: &[Finding]) -> String {
    let width = |f: fn(&Finding) -> usize| findings.iter().map(f).max().unwrap_or(0);
    let rule_width = width(|f| f.rule.id().len());
    let path_width = width(|f| f.path.len().max("(root)".len()));
    let mut out = String::new();
    for f in findings {
        let path = if f.path.is_empty() { "(root)" } else { &f.path };
        out.push_str(
            format!(
                "{:<6} {:<5} {:<rule_width$} {:<path_width$} {}\n",
                f.role.name(),
                f.impact.name(),
                f.rule.id(),
                path,
                f.detail
            )
            .trim_end(),
        );
        out.push('\n');
    }
    out
}
