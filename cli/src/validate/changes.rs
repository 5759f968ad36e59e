//! Rules about migration steps: every op reads fields the previous version has
//! (as rewritten by the ops before it), lands on fields the new version has,
//! and can be undone where it has to be: request ops must be reversible or
//! say `lossy: true`; response ops run backwards, so they must be reversible.

use mcpgen_runtime::migrate::{FieldPath, Op, SchemaErrorKind, property_schema, transform_schema};
use serde_json::Value;

use super::version_path;
use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) {
    for (t, tool) in spec.tools.iter().enumerate() {
        for (v, pair) in tool.versions.windows(2).enumerate() {
            let (old, new) = (&pair[0], &pair[1]);
            let Some(changes) = &new.changes else {
                continue;
            };
            let path = version_path(t, v + 1).key("changes");
            let request = Step {
                path: path.key("request"),
                old_version: &old.version,
                old: &old.input,
                new: &new.input,
                direction: Direction::Request,
            };
            request.check(&changes.request, out);
            if changes.response.is_empty() {
                continue;
            }
            match (&old.output, &new.output) {
                (Some(old_output), Some(new_output)) => Step {
                    path: path.key("response"),
                    old_version: &old.version,
                    old: old_output,
                    new: new_output,
                    direction: Direction::Response,
                }
                .check(&changes.response, out),
                _ => out.push(
                    Diagnostic::error(
                        "response-without-output",
                        path.key("response"),
                        "response ops need an `output` schema on this version and the previous one",
                    )
                    .with_help("declare both output schemas, or drop the response ops"),
                ),
            }
        }
    }
}

struct Step<'a> {
    path: SpecPath,
    old_version: &'a str,
    old: &'a Value,
    new: &'a Value,
    direction: Direction,
}

impl Step<'_> {
    fn check(&self, ops: &[Op], out: &mut Vec<Diagnostic>) {
        for (k, op) in ops.iter().enumerate() {
            check_form(op, &self.path.index(k).key(op.name()), self.direction, out);
        }
        let mut shape = self.old.clone();
        for (k, op) in ops.iter().enumerate() {
            let op_path = self.path.index(k).key(op.name());
            match transform_schema(op, &mut shape) {
                Ok(()) => {}
                Err(error) if matches!(error.kind, SchemaErrorKind::Opaque(_)) => {
                    out.push(
                        Diagnostic::warning("unchecked-custom-op", op_path.key("fn"), error.to_string()).with_help(
                            "give the op a `schema` (a JSON Merge Patch of what it does) so the ops after it can be checked; \
                             the generated property tests still exercise it",
                        ),
                    );
                    return;
                }
                Err(error) => {
                    out.push(schema_error(
                        &op_path,
                        error.field,
                        &error.kind,
                        self.old_version,
                    ));
                    continue;
                }
            }
            if let Some((landing, field)) = landing(op)
                && property_schema(self.new, &landing).is_none()
            {
                let what = match self.direction {
                    Direction::Request => "input",
                    Direction::Response => "output",
                };
                out.push(
                    Diagnostic::error(
                        "op-target-missing",
                        op_path.key(field),
                        format!("`{landing}` is not a property of this version's {what} schema"),
                    )
                    .with_help(format!(
                        "declare the field in this version's `{what}`, or fix the op"
                    )),
                );
            }
        }
    }
}

/// Checks that do not need schemas: keys, paths, reversibility.
fn check_form(op: &Op, op_path: &SpecPath, direction: Direction, out: &mut Vec<Diagnostic>) {
    match op {
        Op::Rename(rename) if rename.to.is_empty() || rename.to.contains('.') => out.push(
            Diagnostic::error("invalid-op", op_path.key("to"), format!("`{}` is not a plain key", rename.to))
                .with_help("`rename` keeps the field in its object; use `move` to change where it lives"),
        ),
        Op::Custom(custom) if !is_identifier(&custom.function) || custom.inverse.as_deref().is_some_and(|i| !is_identifier(i)) => {
            out.push(
                Diagnostic::error("invalid-custom-fn", op_path.key("fn"), "custom migration functions are named by Rust identifiers")
                    .with_help("use lower-case letters, digits and `_`, starting with a letter, e.g. `search_v2_to_v3`"),
            )
        }
        _ => {}
    }
    if let Some(field) = self_path_field(op) {
        out.push(
            Diagnostic::error("invalid-op", op_path.key(field), format!("`{}` cannot work on `.`", op.name()))
                .with_help("`.` (the value itself) is only for value ops (wrap, unwrap, map_values, coerce, clamp, each) inside `each`"),
        );
    }
    if let Op::In(scoped) | Op::Each(scoped) = op {
        for (k, inner) in scoped.ops.iter().enumerate() {
            check_form(
                inner,
                &op_path.key("ops").index(k).key(inner.name()),
                direction,
                out,
            );
        }
        return;
    }
    match direction {
        Direction::Request if op.inverse().is_none() && !op.declared_lossy() => out.push(
            Diagnostic::error(
                "irreversible-op",
                op_path.clone(),
                format!(
                    "this `{}` loses data and says neither how to undo it nor that it is lossy",
                    op.name()
                ),
            )
            .with_help(format!("{}, or mark it `lossy: true`", how_to_reverse(op))),
        ),
        Direction::Response if op.declared_lossy() || op.inverse().is_none() => out.push(
            Diagnostic::error(
                "lossy-response-op",
                op_path.clone(),
                format!(
                    "results run this `{}` backwards, and it cannot be undone",
                    op.name()
                ),
            )
            .with_help(format!(
                "{}; `lossy` ops are for requests only",
                how_to_reverse(op)
            )),
        ),
        _ => {}
    }
}

fn how_to_reverse(op: &Op) -> &'static str {
    match op {
        Op::Remove(_) => "give `default:` (the value older readers get back)",
        Op::MapValues(_) => "give `reverse:` (new value → old value)",
        Op::Custom(_) => "give `inverse:` (the function that goes back)",
        Op::Clamp(_) => "clamping cannot be undone",
        _ => "drop `lossy: true` if the op can be undone",
    }
}

/// The field of a structural op that names `.`, which only value ops accept.
fn self_path_field(op: &Op) -> Option<&'static str> {
    match op {
        Op::Rename(r) if r.from.is_self() => Some("from"),
        Op::Move(m) if m.from.is_self() => Some("from"),
        Op::Move(m) if m.to.is_self() => Some("to"),
        Op::Add(a) if a.path.is_self() => Some("path"),
        Op::Remove(r) if r.path.is_self() => Some("path"),
        Op::SetDefault(s) if s.path.is_self() => Some("path"),
        Op::In(s) if s.path.is_self() => Some("path"),
        _ => None,
    }
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn schema_error(
    op_path: &SpecPath,
    field: &'static str,
    kind: &SchemaErrorKind,
    old_version: &str,
) -> Diagnostic {
    let at = op_path.key(field);
    match kind {
        SchemaErrorKind::Missing(path) => Diagnostic::error(
            "op-source-missing",
            at,
            format!("`{path}` is not a property of {old_version}'s schema at this point of the chain"),
        )
        .with_help("ops apply in order to the previous version's schema; check the name and the ops before this one"),
        SchemaErrorKind::Exists(path) => Diagnostic::error(
            "op-target-exists",
            at,
            format!("`{path}` already exists at this point of the chain; the op would overwrite it"),
        )
        .with_help("remove or rename the existing field first"),
        SchemaErrorKind::NotAnObject(path) => Diagnostic::error(
            "op-not-object",
            at,
            format!("`{path}` goes through a value that is not an object with declared properties"),
        ),
        SchemaErrorKind::WrongType(path, expected) => Diagnostic::error(
            "op-wrong-type",
            at,
            format!("`{path}` is not declared as {expected} at this point of the chain"),
        )
        .with_help("the op works on a different type; check the op and the previous version's schema"),
        SchemaErrorKind::Opaque(function) => Diagnostic::warning(
            "unchecked-custom-op",
            at,
            format!("custom migration `{function}` has no `schema` patch"),
        ),
    }
}

/// Where an op leaves a value, and the op field naming it.
fn landing(op: &Op) -> Option<(FieldPath, &'static str)> {
    let path = match op {
        Op::Rename(r) => return Some((r.from.with_leaf(&r.to), "to")),
        Op::Move(m) => return Some((m.to.clone(), "to")),
        Op::Add(a) => &a.path,
        Op::SetDefault(s) => &s.path,
        Op::Wrap(w) => &w.path,
        Op::Unwrap(u) => &u.path,
        Op::MapValues(m) => &m.path,
        Op::Coerce(c) => &c.path,
        Op::Clamp(c) => &c.path,
        Op::In(s) | Op::Each(s) => &s.path,
        Op::Remove(_) | Op::Custom(_) => return None,
    };
    Some((path.clone(), "path"))
}
