//! Rules about migrations: every op reads fields the previous version has (as
//! rewritten by the ops before it) and lands on fields the new version has.

use mcpgen_runtime::migrate::{FieldPath, Op, SchemaErrorKind, property_schema, transform_schema};

use super::version_path;
use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;

pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) {
    for (t, tool) in spec.tools.iter().enumerate() {
        for (v, pair) in tool.versions.windows(2).enumerate() {
            let (old, new) = (&pair[0], &pair[1]);
            if let Some(ops) = &new.changes {
                check_step(&version_path(t, v + 1), old, new, ops, out);
            }
        }
    }
}

fn check_step(
    path: &SpecPath,
    old: &raw::Version,
    new: &raw::Version,
    ops: &[Op],
    out: &mut Vec<Diagnostic>,
) {
    let mut shape = old.input.clone();
    for (k, op) in ops.iter().enumerate() {
        let op_path = path.key("changes").index(k).key(op.name());
        if let Op::Rename(rename) = op
            && (rename.to.is_empty() || rename.to.contains('.'))
        {
            out.push(
                Diagnostic::error(
                    "invalid-op",
                    op_path.key("to"),
                    format!("`{}` is not a plain key", rename.to),
                )
                .with_help(
                    "`rename` keeps the field in its object; use `move` to change where it lives",
                ),
            );
            continue;
        }
        if let Err(error) = transform_schema(op, &mut shape) {
            out.push(schema_error(
                &op_path,
                error.field,
                &error.kind,
                &old.version,
            ));
            continue;
        }
        if let Some(landing) = landing(op)
            && property_schema(&new.input, &landing).is_none()
        {
            out.push(
                Diagnostic::error(
                    "op-target-missing",
                    op_path.key(landing_field(op)),
                    format!(
                        "`{landing}` is not a property of the input schema of {}",
                        new.version
                    ),
                )
                .with_help("declare the field in this version's `input`, or fix the op"),
            );
        }
    }
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
            format!("`{path}` is not a property of {old_version}'s input at this point of the chain"),
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
    }
}

/// Where an op writes, for ops that write.
fn landing(op: &Op) -> Option<FieldPath> {
    match op {
        Op::Rename(r) => Some(r.from.with_leaf(&r.to)),
        Op::Move(m) => Some(m.to.clone()),
        Op::Add(a) => Some(a.path.clone()),
        Op::SetDefault(s) => Some(s.path.clone()),
        Op::Remove(_) => None,
    }
}

fn landing_field(op: &Op) -> &'static str {
    match op {
        Op::Rename(_) | Op::Move(_) => "to",
        _ => "path",
    }
}
