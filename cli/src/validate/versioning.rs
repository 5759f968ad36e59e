//! Rules about version selection: the `_meta` prefix, server and tenant pins.

use std::collections::{BTreeMap, HashMap};

use mcpgen_runtime::pins::Selector;

use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;

pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) {
    let versioning = SpecPath::root().key("server").key("versioning");
    check_prefix(
        &spec.server.versioning.meta_prefix,
        &versioning.key("meta_prefix"),
        out,
    );
    check_pins(
        spec,
        &spec.server.versioning.pins,
        &versioning.key("pins"),
        out,
    );
    let mut seen = HashMap::new();
    for (i, tenant) in spec.tenants.iter().enumerate() {
        let path = SpecPath::root().key("tenants").index(i);
        if tenant.id.trim().is_empty() {
            out.push(Diagnostic::error(
                "invalid-tenant",
                path.key("id"),
                "a tenant id must not be empty",
            ));
        } else if let Some(first) = seen.insert(tenant.id.as_str(), i) {
            out.push(Diagnostic::error(
                "duplicate-tenant",
                path.key("id"),
                format!(
                    "tenant `{}` is already declared at tenants[{first}]",
                    tenant.id
                ),
            ));
        }
        check_pins(spec, &tenant.pins, &path.key("pins"), out);
    }
}

/// A reverse-DNS prefix of our own: the protocol reserves
/// `io.modelcontextprotocol` and any prefix whose second label is
/// `modelcontextprotocol` or `mcp`.
fn check_prefix(prefix: &str, path: &SpecPath, out: &mut Vec<Diagnostic>) {
    let labels: Vec<&str> = prefix.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !well_formed {
        out.push(
            Diagnostic::error(
                "invalid-meta-prefix",
                path.clone(),
                format!("`{prefix}` is not a reverse-DNS prefix"),
            )
            .with_help("use dot-separated labels you control, e.g. `com.example.search`"),
        );
    } else if matches!(labels[1], "modelcontextprotocol" | "mcp") {
        out.push(
            Diagnostic::error("invalid-meta-prefix", path.clone(), format!("`{prefix}` is reserved by the MCP specification"))
                .with_help("prefixes whose second label is `modelcontextprotocol` or `mcp` are reserved; use one you control"),
        );
    }
}

fn check_pins(
    spec: &raw::Spec,
    pins: &BTreeMap<String, String>,
    path: &SpecPath,
    out: &mut Vec<Diagnostic>,
) {
    for (tool_name, text) in pins {
        let at = path.key(tool_name.clone());
        let Some(tool) = spec.tools.iter().find(|t| t.name == *tool_name) else {
            out.push(
                Diagnostic::error(
                    "unknown-pin-tool",
                    at.clone(),
                    format!("`{tool_name}` is not a tool"),
                )
                .at_key(),
            );
            continue;
        };
        match Selector::parse(text) {
            Err(message) => out.push(
                Diagnostic::error("invalid-pin", at, message)
                    .with_help("pin an exact version (`1.0.0`) or a range (`^1`)"),
            ),
            Ok(selector) => {
                let matches = tool
                    .versions
                    .iter()
                    .filter_map(|v| semver::Version::parse(&v.version).ok())
                    .any(|v| selector.matches(&v));
                if !matches {
                    out.push(Diagnostic::error(
                        "pin-matches-nothing",
                        at,
                        format!("no version of `{tool_name}` matches `{text}`"),
                    ));
                }
            }
        }
    }
}
