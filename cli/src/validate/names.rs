//! Rules about names: the server, modules and tools.

use std::collections::{HashMap, HashSet};

use super::tool_path;
use crate::diag::{Diagnostic, SpecPath};
use crate::spec::raw;

/// The longest tool name every major MCP host accepts.
const MAX_TOOL_NAME: usize = 64;

const TOOL_NAME_RULE: &str = "MCP hosts accept tool names of 1 to 64 characters from letters, digits, `_` and `-` \
(Claude and OpenAI reject `.`, `/` and anything else, and one bad name hides every tool of the server)";

pub(super) fn check(spec: &raw::Spec, out: &mut Vec<Diagnostic>) {
    check_server_name(&spec.server.name, out);
    let modules = check_modules(spec, out);
    check_tools(spec, &modules, out);
}

fn check_server_name(name: &str, out: &mut Vec<Diagnostic>) {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.len() <= MAX_TOOL_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        out.push(
            Diagnostic::error(
                "invalid-server-name",
                SpecPath::root().key("server").key("name"),
                format!("server name `{name}` is not usable as a crate and binary name"),
            )
            .with_help("use 1 to 64 letters, digits, `-` and `_`, starting with a letter"),
        );
    }
}

fn check_modules<'s>(spec: &'s raw::Spec, out: &mut Vec<Diagnostic>) -> HashSet<&'s str> {
    let mut seen = HashMap::new();
    for (i, module) in spec.modules.iter().enumerate() {
        let path = SpecPath::root().key("modules").index(i).key("name");
        if module.name.trim().is_empty() {
            out.push(Diagnostic::error(
                "invalid-module-name",
                path,
                "a module name must not be empty",
            ));
        } else if let Some(first) = seen.insert(module.name.as_str(), i) {
            out.push(Diagnostic::error(
                "duplicate-module",
                path,
                format!(
                    "module `{}` is already declared at modules[{first}]",
                    module.name
                ),
            ));
        }
    }
    let used: HashSet<&str> = spec
        .tools
        .iter()
        .filter_map(|t| t.module.as_deref())
        .collect();
    for (i, module) in spec.modules.iter().enumerate() {
        if !used.contains(module.name.as_str()) {
            out.push(Diagnostic::warning(
                "unused-module",
                SpecPath::root().key("modules").index(i),
                format!("no tool belongs to module `{}`", module.name),
            ));
        }
    }
    seen.into_keys().collect()
}

fn check_tools(spec: &raw::Spec, modules: &HashSet<&str>, out: &mut Vec<Diagnostic>) {
    if spec.tools.is_empty() {
        out.push(
            Diagnostic::error(
                "no-tools",
                SpecPath::root().key("tools"),
                "the server declares no tools",
            )
            .with_help("add at least one tool"),
        );
    }
    let mut seen = HashMap::new();
    for (i, tool) in spec.tools.iter().enumerate() {
        let name_path = tool_path(i).key("name");
        if let Some(problem) = tool_name_problem(&tool.name) {
            out.push(
                Diagnostic::error(
                    "invalid-tool-name",
                    name_path.clone(),
                    format!("tool name `{}` {problem}", tool.name),
                )
                .with_help(TOOL_NAME_RULE),
            );
        }
        if let Some(first) = seen.insert(tool.name.as_str(), i) {
            out.push(Diagnostic::error(
                "duplicate-tool",
                name_path,
                format!("tool `{}` is already declared at tools[{first}]", tool.name),
            ));
        }
        if tool.description.trim().is_empty() {
            out.push(
                Diagnostic::warning("empty-description", tool_path(i).key("description"), "the description is empty")
                    .with_help("models choose tools by their descriptions; say what the tool does and when to use it"),
            );
        }
        if let Some(module) = &tool.module
            && !modules.contains(module.as_str())
        {
            out.push(
                Diagnostic::error(
                    "unknown-module",
                    tool_path(i).key("module"),
                    format!("module `{module}` is not declared"),
                )
                .with_help("declare it under `modules:` or remove the reference"),
            );
        }
    }
}

fn tool_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".to_owned());
    }
    let length = name.chars().count();
    if length > MAX_TOOL_NAME {
        return Some(format!("is {length} characters long"));
    }
    let bad: Vec<String> = name
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        .map(|c| format!("{c:?}"))
        .collect();
    (!bad.is_empty()).then(|| format!("contains {}", bad.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_name_rule() {
        assert_eq!(tool_name_problem("search_v1-x"), None);
        assert_eq!(tool_name_problem(""), Some("is empty".into()));
        assert_eq!(tool_name_problem("a.b/c"), Some("contains '.', '/'".into()));
        assert_eq!(
            tool_name_problem(&"a".repeat(65)),
            Some("is 65 characters long".into())
        );
        assert_eq!(tool_name_problem(&"a".repeat(64)), None);
    }
}
