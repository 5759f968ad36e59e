//! Prose files rendered from the tera templates in `templates/`, which are
//! embedded at build time.

use mcpgen_runtime::migrate::Op;
use serde::Serialize;
use tera::{Context, Tera};

use crate::ir::{Ir, Tool, Version};
use crate::spec::raw::Transport;

const README: &str = include_str!("../../../templates/README.md.tera");
const TOOLS: &str = include_str!("../../../templates/TOOLS.md.tera");

/// Every template, by name (a test renders each one).
pub const TEMPLATES: &[(&str, &str)] = &[("README.md", README), ("TOOLS.md", TOOLS)];

#[derive(Serialize)]
struct ServerView<'a> {
    name: &'a str,
    version: String,
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct ToolView<'a> {
    name: &'a str,
    title: Option<&'a str>,
    module: Option<&'a str>,
    description: String,
    current: String,
    versions: Vec<VersionView>,
    input: String,
    output: Option<String>,
}

#[derive(Serialize)]
struct VersionView {
    version: String,
    status: String,
    changes: String,
}

/// The generated crate's `README.md`.
pub fn readme(ir: &Ir) -> String {
    let transports: Vec<&str> = ir
        .server
        .transports
        .iter()
        .map(|t| match t {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
        })
        .collect();
    let mut context = Context::new();
    context.insert("server", &server_view(ir));
    context.insert("spec_file", &ir.spec_file);
    context.insert("tool_count", &ir.tools.len());
    context.insert("transports", &transports);
    context.insert("meta_prefix", &ir.versioning.meta_prefix);
    context.insert("has_custom", &!ir.custom_fns.is_empty());
    context.insert("has_steps", &!ir.step_checks.is_empty());
    render("README.md", &context)
}

/// `TOOLS.md`: every tool with its versions, changes and current schemas.
pub fn tools_md(ir: &Ir, marker: &str) -> String {
    let tools: Vec<ToolView> = ir.tools.iter().map(tool_view).collect();
    let mut context = Context::new();
    context.insert("marker", marker);
    context.insert("server", &server_view(ir));
    context.insert("tools", &tools);
    render("TOOLS.md", &context)
}

fn render(name: &str, context: &Context) -> String {
    let mut tera = Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    tera.add_raw_templates(TEMPLATES.iter().copied())
        .expect("embedded templates parse");
    let mut text = tera
        .render(name, context)
        .unwrap_or_else(|e| panic!("template {name} failed to render: {e:?}"));
    // Templates end with a newline; normalise blank runs at the end.
    while text.ends_with("\n\n") {
        text.pop();
    }
    text
}

fn server_view(ir: &Ir) -> ServerView<'_> {
    ServerView {
        name: &ir.server.name,
        version: ir.server.version.to_string(),
        description: ir.server.description.as_deref(),
    }
}

fn tool_view(tool: &Tool) -> ToolView<'_> {
    let newest = tool.newest();
    ToolView {
        name: &tool.name,
        title: tool.title.as_deref(),
        module: tool.module.as_deref(),
        description: quote_markdown(&tool.description),
        current: newest.version.to_string(),
        versions: tool
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| version_view(i, v))
            .collect(),
        input: pretty(&newest.input),
        output: newest.output.as_ref().map(pretty),
    }
}

fn version_view(index: usize, version: &Version) -> VersionView {
    let status = match &version.deprecated {
        None => "served".to_owned(),
        Some(d) => {
            let mut status = format!("deprecated: {}", d.message);
            if let Some(sunset) = &d.sunset {
                status.push_str(&format!(" (sunset {sunset})"));
            }
            status
        }
    };
    // A description is a sentence; the op summaries follow it as clauses.
    let mut changes: Vec<String> = version
        .description
        .iter()
        .map(|d| d.trim_end().trim_end_matches('.').to_owned())
        .collect();
    if !version.request.is_empty() {
        changes.push(format!("arguments: {}", describe_ops(&version.request)));
    }
    if !version.response.is_empty() {
        changes.push(format!("results: {}", describe_ops(&version.response)));
    }
    let changes = match (index, changes.is_empty()) {
        (0, _) => "first version".to_owned(),
        (_, true) => "compatible".to_owned(),
        _ => changes.join("; "),
    };
    VersionView {
        version: version.version.to_string(),
        status: status.replace('|', "\\|").replace('\n', " "),
        changes: changes.replace('|', "\\|").replace('\n', " "),
    }
}

fn describe_ops(ops: &[Op]) -> String {
    ops.iter().map(describe_op).collect::<Vec<_>>().join(", ")
}

fn describe_op(op: &Op) -> String {
    match op {
        Op::Rename(r) => format!("rename `{}` → `{}`", r.from, r.to),
        Op::Add(a) => match &a.default {
            Some(default) => format!("add `{}` (default `{default}`)", a.path),
            None => format!("add `{}`", a.path),
        },
        Op::Remove(r) => format!("remove `{}`", r.path),
        Op::SetDefault(s) => format!("default `{}` = `{}`", s.path, s.value),
        Op::Move(m) => format!("move `{}` → `{}`", m.from, m.to),
        Op::Wrap(w) => format!("wrap `{}` in an array", w.path),
        Op::Unwrap(u) => format!("unwrap `{}` to its first item", u.path),
        Op::MapValues(m) => {
            let pairs: Vec<String> = m
                .map
                .iter()
                .map(|(from, to)| format!("`{from}` → `{to}`"))
                .collect();
            format!("map `{}`: {}", m.path, pairs.join(", "))
        }
        Op::Coerce(c) => {
            let name = |t| {
                serde_json::to_value(t)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            };
            format!("`{}` from {} to {}", c.path, name(c.from), name(c.to))
        }
        Op::Clamp(c) => {
            let bound = |b: &Option<serde_json::Number>| {
                b.as_ref().map_or("…".to_owned(), ToString::to_string)
            };
            format!("clamp `{}` to {}..{}", c.path, bound(&c.min), bound(&c.max))
        }
        Op::In(s) => format!("in `{}`: {}", s.path, describe_ops(&s.ops)),
        Op::Each(s) => format!("each of `{}`: {}", s.path, describe_ops(&s.ops)),
        Op::Custom(c) => format!("custom `{}`", c.function),
    }
}

/// Spec text as a Markdown block quote: whatever Markdown it holds (an
/// unclosed code fence, a `#` heading) stays inside the quote instead of
/// swallowing the rest of the page.
fn quote_markdown(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|line| {
            if line.is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn pretty(schema: &serde_json::Map<String, serde_json::Value>) -> String {
    serde_json::to_string_pretty(schema).expect("a schema serialises")
}
