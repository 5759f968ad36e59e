//! Rules about a tool's `audit` section: every sensitive path names a
//! property of one of the tool's schemas, so a rename cannot silently leave
//! a secret unredacted.

use serde_json::{Map, Value};

use crate::diag::Diagnostic;
use crate::spec::raw;

pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) {
    for (t, tool) in spec.tools.iter().enumerate() {
        let Some(audit) = &tool.audit else { continue };
        let path = super::tool_path(t).key("audit").key("sensitive");
        for (i, sensitive) in audit.sensitive.iter().enumerate() {
            let segments: Vec<&str> = sensitive.split('.').collect();
            let known = tool.versions.iter().any(|version| {
                [Some(&version.input), version.output.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object)
                    .any(|schema| names(schema, &segments))
            });
            if !known {
                out.push(
                    Diagnostic::error(
                        "unknown-sensitive-path",
                        path.index(i),
                        format!(
                            "`{sensitive}` is not a property of any input or output schema of `{}`",
                            tool.name
                        ),
                    )
                    .with_help("name a property by its dotted path from the top of the schema, e.g. `filters.token`; arrays on the way are entered by their `items`"),
                );
            }
        }
    }
}

/// Whether `segments` walk from `schema` through `properties` (entering
/// array `items` and `allOf`/`anyOf`/`oneOf` branches on the way) to a
/// declared property.
fn names(schema: &Map<String, Value>, segments: &[&str]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return true;
    };
    if first.is_empty() {
        return false;
    }
    if let Some(Value::Object(items)) = schema.get("items")
        && names(items, segments)
    {
        return true;
    }
    let in_branch = ["allOf", "anyOf", "oneOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|branches| {
                branches
                    .iter()
                    .filter_map(Value::as_object)
                    .any(|branch| names(branch, segments))
            })
    });
    in_branch
        || schema
            .get("properties")
            .and_then(|p| p.get(*first))
            .and_then(Value::as_object)
            .is_some_and(|property| names(property, rest))
}
