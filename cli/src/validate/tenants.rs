//! Rules about tenant configs: `tenant_config` is a valid JSON Schema, and
//! every tenant's `config` is a mapping that satisfies it.

use serde_json::Value;

use super::schemas::check_json_schema;
use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;

pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) {
    let schema = spec.tenant_config.as_ref().filter(|schema| {
        let path = SpecPath::root().key("tenant_config");
        if !schema.is_object() {
            out.push(
                Diagnostic::error("invalid-json-schema", path, "a schema must be a mapping")
                    .with_help(
                        "write a JSON Schema object, e.g. `{type: object, properties: {...}}`",
                    ),
            );
            return false;
        }
        check_json_schema(&path, schema, out)
    });
    let validator = schema.and_then(|schema| jsonschema::validator_for(schema).ok());
    for (i, tenant) in spec.tenants.iter().enumerate() {
        let path = SpecPath::root().key("tenants").index(i).key("config");
        let empty = Value::Object(serde_json::Map::new());
        let config = match &tenant.config {
            None => &empty,
            Some(config @ Value::Object(_)) => config,
            Some(_) => {
                out.push(
                    Diagnostic::error(
                        "invalid-tenant-config",
                        path,
                        "a tenant's config must be a mapping",
                    )
                    .with_help("handlers read it as a JSON object: write `config: {key: value}`"),
                );
                continue;
            }
        };
        let Some(validator) = &validator else {
            continue;
        };
        for error in validator.iter_errors(config) {
            out.push(
                Diagnostic::error(
                    "invalid-tenant-config",
                    path.pointer(error.instance_path().as_str()),
                    format!(
                        "tenant `{}`'s config does not match `tenant_config`: {error}",
                        tenant.id
                    ),
                )
                .with_help("the server refuses every caller of a tenant whose config fails `tenant_config`"),
            );
        }
    }
}
