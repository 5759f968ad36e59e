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
            // A scoped op fails at one of its inner ops; the shape before it
            // is kept to find which.
            let before = matches!(op, Op::In(_) | Op::Each(_)).then(|| shape.clone());
            let failed_at = |before: &Option<Value>| match before {
                Some(before) => failing_op(op, &op_path, before),
                None => op_path.clone(),
            };
            match transform_schema(op, &mut shape) {
                Ok(()) => {}
                Err(error) if matches!(error.kind, SchemaErrorKind::Opaque(_)) => {
                    out.push(
                        Diagnostic::warning("unchecked-custom-op", failed_at(&before).key("fn"), error.to_string()).with_help(
                            "give the op a `schema` (a JSON Merge Patch of what it does) so the ops after it can be checked; \
                             the generated property tests still exercise it",
                        ),
                    );
                    return;
                }
                Err(error) => {
                    out.push(schema_error(
                        &failed_at(&before),
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

/// The innermost op of an `in` or `each` whose schema transform fails, found
/// by replaying the scope's ops on the schema it selects; `op_path` itself
/// when the scope's own path is the problem.
fn failing_op(op: &Op, op_path: &SpecPath, schema: &Value) -> SpecPath {
    let (Op::In(scoped) | Op::Each(scoped)) = op else {
        return op_path.clone();
    };
    let Some(property) = property_schema(schema, &scoped.path) else {
        return op_path.clone();
    };
    let mut inner = match op {
        Op::In(_) if property.get("properties").is_some() => property.clone(),
        Op::Each(_) if allows_array(property) => match property.get("items") {
            None | Some(Value::Bool(true)) => Value::Object(Default::default()),
            Some(items) => items.clone(),
        },
        _ => return op_path.clone(),
    };
    for (k, inner_op) in scoped.ops.iter().enumerate() {
        let before = inner.clone();
        if transform_schema(inner_op, &mut inner).is_err() {
            let inner_path = op_path.key("ops").index(k).key(inner_op.name());
            return failing_op(inner_op, &inner_path, &before);
        }
    }
    op_path.clone()
}

/// Whether `schema` allows arrays (a schema without `type` allows all).
fn allows_array(schema: &Value) -> bool {
    match schema.get("type") {
        None => true,
        Some(Value::String(t)) => t == "array",
        Some(Value::Array(types)) => types.iter().any(|t| t == "array"),
        Some(_) => false,
    }
}

/// Checks that do not need schemas: keys, paths, reversibility.
fn check_form(op: &Op, op_path: &SpecPath, direction: Direction, out: &mut Vec<Diagnostic>) {
    match op {
        Op::Rename(rename) if rename.to.is_empty() || rename.to.contains('.') => out.push(
            Diagnostic::error(
                "invalid-op",
                op_path.key("to"),
                format!("`{}` is not a plain key", rename.to),
            )
            .with_help(
                "`rename` keeps the field in its object; use `move` to change where it lives",
            ),
        ),
        Op::Custom(custom) => {
            // Each name becomes a trait method; point at the one that cannot.
            let names = [
                ("fn", Some(&custom.function)),
                ("inverse", custom.inverse.as_ref()),
            ];
            for (field, name) in names {
                if let Some(name) = name.filter(|n| !is_identifier(n)) {
                    out.push(
                        Diagnostic::error(
                            "invalid-custom-fn",
                            op_path.key(field),
                            format!("`{name}` cannot name a custom migration function, which must be a Rust identifier"),
                        )
                        .with_help("use lower-case letters, digits and `_`, starting with a letter, e.g. `search_v2_to_v3`"),
                    );
                }
            }
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
            .with_help(match op {
                Op::Clamp(_) => "clamping cannot be undone; mark it `lossy: true`".to_owned(),
                _ => format!("{}, or mark it `lossy: true`", how_to_reverse(op)),
            }),
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
