//! Rules about JSON Schemas: each one is valid against its meta-schema and
//! compiles, and inputs describe objects.

use rayon::prelude::*;
use serde_json::Value;

use super::{version_path, versions_of};
use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;

/// Dialects whose meta-schemas are bundled (and so checked offline).
const DIALECTS: &[&str] = &[
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "http://json-schema.org/draft-07/schema",
    "http://json-schema.org/draft-07/schema#",
];

/// Checks every schema. Returns whether they are all usable, which the
/// migration rules need.
pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) -> bool {
    // Compiling thousands of schemas is the bulk of validating a large spec,
    // and each is independent: spread them over every core.
    let versions: Vec<_> = versions_of(spec).collect();
    let found: Vec<Diagnostic> = versions
        .par_iter()
        .flat_map_iter(|(t, v, _, version)| {
            let path = version_path(*t, *v);
            let mut found = Vec::new();
            check_schema(&path.key("input"), &version.input, Role::Input, &mut found);
            if let Some(output) = &version.output {
                check_schema(&path.key("output"), output, Role::Output, &mut found);
            }
            found
        })
        .collect();
    let all_usable = found.is_empty();
    out.extend(found);
    all_usable
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Input,
    Output,
}

fn check_schema(path: &SpecPath, schema: &Value, role: Role, out: &mut Vec<Diagnostic>) {
    let Value::Object(map) = schema else {
        out.push(
            Diagnostic::error(
                "invalid-json-schema",
                path.clone(),
                "a schema must be a mapping",
            )
            .with_help("write a JSON Schema object, e.g. `{type: object, properties: {...}}`"),
        );
        return;
    };
    if map.get("type") != Some(&Value::String("object".into())) {
        out.push(match role {
            Role::Input => Diagnostic::error(
                "input-not-object",
                path.key("type"),
                "an input schema must have `type: object` at the top",
            )
            .with_help("MCP passes tool arguments as a JSON object"),
            Role::Output => Diagnostic::error(
                "output-not-object",
                path.key("type"),
                "an output schema must have `type: object` at the top",
            )
            .with_help("MCP requires `outputSchema` to describe an object: structured results are JSON objects"),
        });
    }
    if let Some(dialect) = map.get("$schema")
        && !dialect.as_str().is_some_and(|d| DIALECTS.contains(&d))
    {
        out.push(
            Diagnostic::error(
                "unsupported-dialect",
                path.key("$schema"),
                format!("JSON Schema dialect {dialect} is not supported"),
            )
            .with_help(
                "omit `$schema` (2020-12 is the default) or name 2020-12, 2019-09 or draft-07",
            ),
        );
        return;
    }
    check_json_schema(path, schema, out);
}

/// Checks that `schema` is a valid JSON Schema (against its meta-schema)
/// that compiles. Returns whether it is.
pub(super) fn check_json_schema(
    path: &SpecPath,
    schema: &Value,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let before = out.len();
    let meta = match jsonschema::meta::validator_for(schema) {
        Ok(meta) => meta,
        Err(error) => {
            out.push(Diagnostic::error(
                "invalid-json-schema",
                path.clone(),
                error.to_string(),
            ));
            return false;
        }
    };
    let mut meta_valid = true;
    for error in meta.iter_errors(schema) {
        meta_valid = false;
        out.push(Diagnostic::error(
            "invalid-json-schema",
            path.pointer(error.instance_path().as_str()),
            format!("not a valid JSON Schema: {error}"),
        ));
    }
    // The meta-schema cannot see everything (a regex that does not compile,
    // a `$ref` to nowhere); building the validator the runtime will build can.
    if meta_valid
        && needs_compiling(schema)
        && let Err(error) = jsonschema::validator_for(schema)
    {
        let message = error.to_string();
        // Reference errors carry no location; the `$ref` they are about has it.
        let pointer = match error.instance_path().as_str() {
            "" => ref_mentioned_in(schema, &message, String::new()).unwrap_or_default(),
            pointer => pointer.to_owned(),
        };
        out.push(Diagnostic::error(
            "invalid-json-schema",
            path.pointer(&pointer),
            format!("the schema does not compile: {message}"),
        ));
    }
    out.len() == before
}

/// Whether compiling can find what the meta-schema cannot: only regexes
/// (`pattern`, `patternProperties`) and references can fail to compile in a
/// meta-valid schema. Compiling is most of the cost of checking a large spec,
/// so schemas without either skip it.
fn needs_compiling(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.iter().any(|(key, value)| {
            matches!(
                key.as_str(),
                "pattern" | "patternProperties" | "$ref" | "$dynamicRef" | "$recursiveRef"
            ) || needs_compiling(value)
        }),
        Value::Array(items) => items.iter().any(needs_compiling),
        _ => false,
    }
}

/// The JSON Pointer of the first `$ref` whose target `message` names.
fn ref_mentioned_in(schema: &Value, message: &str, at: String) -> Option<String> {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref")
                && !target.trim_start_matches('#').is_empty()
                && message.contains(target.trim_start_matches('#'))
            {
                return Some(format!("{at}/$ref"));
            }
            map.iter().find_map(|(key, value)| {
                let key = key.replace('~', "~0").replace('/', "~1");
                ref_mentioned_in(value, message, format!("{at}/{key}"))
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| ref_mentioned_in(item, message, format!("{at}/{i}"))),
        _ => None,
    }
}
