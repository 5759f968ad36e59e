//! Rules about access control: principals, roles and their capabilities.
//! Patterns are parsed and matched with the runtime's own matcher, so a
//! pattern `check` accepts is one the server compiles, and one it reports as
//! matching nothing matches nothing at run time either.

use std::collections::HashMap;

use mcpgen_runtime::access::constraints::{parse_duration, parse_instant};
use mcpgen_runtime::access::pattern::{Pattern, tool_resource};
use mcpgen_runtime::access::rules::{ActionName, ArgumentRule, Capability, Constraints};
use serde_json::Value;

use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;

pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) {
    let Some(access) = spec.access.as_ref() else {
        return;
    };
    let root = SpecPath::root().key("access");
    if access.is_empty() {
        out.push(
            Diagnostic::warning(
                "access-denies-everything",
                root,
                "`access` declares no principals or roles: every request is denied",
            )
            .with_help(
                "declare principals and their capabilities, or remove `access` to enforce no rules",
            ),
        );
        return;
    }
    check_ids(spec, &root, out);
    let mut role_reach: HashMap<&str, Vec<bool>> = HashMap::new();
    for (r, role) in access.roles.iter().enumerate() {
        let path = root.key("roles").index(r).key("capabilities");
        role_reach.insert(&role.id, capabilities(spec, &role.capabilities, &path, out));
    }
    let mut reached = vec![false; spec.tools.len()];
    for (p, principal) in access.principals.iter().enumerate() {
        let path = root.key("principals").index(p).key("capabilities");
        let own = capabilities(spec, &principal.capabilities, &path, out);
        let taken = principal
            .roles
            .iter()
            .filter_map(|role| role_reach.get(role.as_str()));
        for reach in std::iter::once(&own).chain(taken) {
            for (tool, hit) in reach.iter().enumerate() {
                reached[tool] |= hit;
            }
        }
    }
    for (t, tool) in spec.tools.iter().enumerate() {
        if !reached[t] {
            out.push(
                Diagnostic::warning(
                    "unreachable-tool",
                    SpecPath::root().key("tools").index(t).key("name"),
                    format!("no principal may execute `{}`", tool.name),
                )
                .with_help("grant it to a principal or a role, or remove the tool"),
            );
        }
    }
}

/// Unique ids, known roles, known tenants.
fn check_ids(spec: &raw::Spec, root: &SpecPath, out: &mut Vec<Diagnostic>) {
    let access = spec.access.as_ref().expect("checked by the caller");
    for (list, ids) in [
        (
            "roles",
            access.roles.iter().map(|r| &r.id).collect::<Vec<_>>(),
        ),
        (
            "principals",
            access.principals.iter().map(|p| &p.id).collect(),
        ),
    ] {
        let mut seen = HashMap::new();
        for (i, id) in ids.into_iter().enumerate() {
            if let Some(first) = seen.insert(id.as_str(), i) {
                out.push(Diagnostic::error(
                    "duplicate-access-id",
                    root.key(list).index(i).key("id"),
                    format!("`{id}` is already declared at access.{list}[{first}]"),
                ));
            }
        }
    }
    for (p, principal) in access.principals.iter().enumerate() {
        let path = root.key("principals").index(p);
        if !spec.tenants.iter().any(|t| t.id == principal.tenant) {
            out.push(
                Diagnostic::error(
                    "unknown-principal-tenant",
                    path.key("tenant"),
                    format!("`{}` is not a declared tenant", principal.tenant),
                )
                .with_help("declare it under `tenants:` (`- id: …`)"),
            );
        }
        for (r, role) in principal.roles.iter().enumerate() {
            if !access.roles.iter().any(|known| known.id == *role) {
                out.push(Diagnostic::error(
                    "unknown-role",
                    path.key("roles").index(r),
                    format!("`{role}` is not a declared role"),
                ));
            }
        }
    }
}

/// Checks a list of capabilities; returns which tools they let a holder
/// execute.
fn capabilities(
    spec: &raw::Spec,
    list: &[Capability],
    path: &SpecPath,
    out: &mut Vec<Diagnostic>,
) -> Vec<bool> {
    let mut reach = vec![false; spec.tools.len()];
    for (i, capability) in list.iter().enumerate() {
        let at = path.index(i);
        let matched = resource(spec, capability, &at, out);
        if capability
            .actions
            .iter()
            .any(|a| matches!(a, ActionName::Execute | ActionName::All))
        {
            for &tool in &matched {
                reach[tool] = true;
            }
        }
        if capability.actions.is_empty() {
            out.push(Diagnostic::error(
                "access-matches-nothing",
                at.key("actions"),
                "the capability lists no actions, so it grants nothing",
            ));
        }
        constraints(
            spec,
            &capability.constraints,
            &matched,
            &at.key("constraints"),
            out,
        );
    }
    reach
}

/// Parses the pattern and finds the tools it matches (at some version);
/// reports patterns that can never match.
fn resource(
    spec: &raw::Spec,
    capability: &Capability,
    at: &SpecPath,
    out: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let path = at.key("resource");
    let text = &capability.resource;
    let pattern = match Pattern::parse(text) {
        Ok(pattern) => pattern,
        Err(error) => {
            out.push(
                Diagnostic::error("invalid-access-resource", path, error.0)
                    .with_help("write `tools/<glob>`, `tools/<glob>@<range>`, `resources/<glob>` or `prompts/<glob>`"),
            );
            return Vec::new();
        }
    };
    let matcher = pattern.matcher();
    let by_name: Vec<usize> = (0..spec.tools.len())
        .filter(|&t| matcher.is_match(tool_resource(&spec.tools[t].name)))
        .collect();
    let nothing =
        |message: String| Diagnostic::error("access-matches-nothing", path.clone(), message);
    if by_name.is_empty() {
        let kind = pattern.glob.split('/').next().unwrap_or_default();
        let message = match kind {
            "resources" | "prompts" => {
                out.push(nothing(format!(
                    "`{text}` can never match: the server declares no {kind}"
                )));
                return Vec::new();
            }
            _ if !pattern.glob.contains(['*', '?']) => format!(
                "`{text}` can never match: there is no tool `{}`",
                pattern.glob.trim_start_matches("tools/")
            ),
            _ => format!("`{text}` can never match: it matches no tool"),
        };
        out.push(nothing(message).with_help(format!("tools: {}", tool_names(spec))));
        return Vec::new();
    }
    let Some(range) = &pattern.range else {
        warn_if_everything(&pattern, capability, at, out);
        return by_name;
    };
    let in_range: Vec<usize> = by_name
        .iter()
        .copied()
        .filter(|&t| {
            spec.tools[t]
                .versions
                .iter()
                .filter_map(|v| semver::Version::parse(&v.version).ok())
                .any(|v| range.matches(&v))
        })
        .collect();
    if in_range.is_empty() {
        out.push(nothing(format!(
            "`{text}` can never match: no version of the matching tools satisfies `{range}`"
        )));
    }
    in_range
}

fn warn_if_everything(
    pattern: &Pattern,
    capability: &Capability,
    at: &SpecPath,
    out: &mut Vec<Diagnostic>,
) {
    if pattern.matches_everything() && capability.actions.contains(&ActionName::All) {
        out.push(
            Diagnostic::warning(
                "access-grants-everything",
                at.key("resource"),
                "the capability grants every action on every resource",
            )
            .with_help("name the tools and actions the holder needs (least privilege)"),
        );
    }
}

fn tool_names(spec: &raw::Spec) -> String {
    let names: Vec<&str> = spec.tools.iter().map(|t| t.name.as_str()).collect();
    names.join(", ")
}

fn constraints(
    spec: &raw::Spec,
    constraints: &Constraints,
    matched: &[usize],
    at: &SpecPath,
    out: &mut Vec<Diagnostic>,
) {
    let bad = |path: SpecPath, message: String| {
        Diagnostic::error("invalid-access-constraint", path, message)
    };
    let mut instant = |key: &str, text: &Option<String>| {
        let parsed = text.as_deref().map(parse_instant)?;
        parsed.map_err(|e| out.push(bad(at.key(key), e))).ok()
    };
    let from = instant("valid_from", &constraints.valid_from);
    let until = instant("valid_until", &constraints.valid_until);
    if let (Some(from), Some(until)) = (from, until)
        && from >= until
    {
        out.push(bad(
            at.key("valid_until"),
            format!("the window is empty: it ends ({until}) no later than it starts ({from})"),
        ));
    }
    if let Some(limit) = &constraints.rate_limit {
        let path = at.key("rate_limit");
        if limit.requests == 0 {
            out.push(bad(
                path.key("requests"),
                "a rate limit must allow at least one request".into(),
            ));
        }
        if let Err(e) = parse_duration(&limit.per) {
            out.push(bad(path.key("per"), e));
        }
    }
    for (name, rule) in &constraints.arguments {
        let path = at.key("arguments").key(name.clone());
        if let Some(message) = malformed(name, rule) {
            out.push(bad(path, message).at_key());
            continue;
        }
        let declared = matched.iter().any(|&t| declares(&spec.tools[t], name));
        if !matched.is_empty() && !declared {
            out.push(
                Diagnostic::warning(
                    "unknown-access-argument",
                    path,
                    format!("no matching tool's newest input schema declares `{name}`; calls without it are denied"),
                )
                .at_key(),
            );
        }
    }
}

fn malformed(name: &str, rule: &ArgumentRule) -> Option<String> {
    if name.split('.').any(str::is_empty) {
        return Some(format!("`{name}` is not a dotted argument path"));
    }
    if *rule == ArgumentRule::default() {
        return Some(format!(
            "`{name}` has no condition (`starts_with`, `one_of`, `min`, `max`)"
        ));
    }
    if let (Some(min), Some(max)) = (rule.min, rule.max)
        && min > max
    {
        return Some(format!("`{name}`: min {min} is greater than max {max}"));
    }
    if rule.one_of.as_ref().is_some_and(Vec::is_empty) {
        return Some(format!("`{name}`: `one_of` is empty, so nothing passes"));
    }
    None
}

/// Whether the newest version's input schema declares the dotted path
/// through `properties`.
fn declares(tool: &raw::Tool, path: &str) -> bool {
    let Some(newest) = tool.versions.last() else {
        return false;
    };
    path.split('.')
        .try_fold(&newest.input, |schema: &Value, key| {
            schema.get("properties")?.get(key)
        })
        .is_some()
}
