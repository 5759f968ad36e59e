//! Reading a spec: YAML text → typed raw spec plus a source map. This is the
//! only module that knows the spec is YAML.

pub mod raw;
pub mod source;
mod split;

use rayon::prelude::*;
use serde::Deserialize as _;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diag::{Diagnostic, Segment, SpecPath};
use source::Location;

/// The spec format version this mcpgen reads.
pub const FORMAT: u64 = 1;

/// Specs larger than this are refused before parsing.
pub const MAX_SPEC_BYTES: usize = 64 * 1024 * 1024;

/// A spec that parsed and has the right shape.
#[derive(Debug)]
pub struct Loaded {
    /// The typed spec.
    pub spec: raw::Spec,
    /// The text it came from, to locate diagnostics in.
    pub text: String,
}

/// Parses `text`. Returns every shape error found, with locations.
pub fn load(text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    if text.len() > MAX_SPEC_BYTES {
        return Err(vec![
            Diagnostic::error(
                "spec-too-large",
                SpecPath::root(),
                format!(
                    "the spec is {} bytes; the limit is {MAX_SPEC_BYTES}",
                    text.len()
                ),
            )
            .at(Location::default()),
        ]);
    }
    if let Some(spec) = load_in_parts(text) {
        return Ok(Loaded {
            spec,
            text: text.to_owned(),
        });
    }
    let tree = parse_yaml(text).map_err(|d| vec![d])?;
    let mut diagnostics = check_format(&tree);
    if diagnostics.is_empty() {
        // Decoding the tree by value moves its strings and schemas into the
        // spec instead of copying them.
        match decode::<_, raw::Spec>(tree, &SpecPath::root()) {
            Ok(spec) => {
                return Ok(Loaded {
                    spec,
                    text: text.to_owned(),
                });
            }
            Err(first) => {
                diagnostics.push(first);
                // The tree is gone; reading it again is fine on this path.
                let tree = parse_yaml(text).map_err(|d| vec![d])?;
                diagnostics.extend(decode_sections(&tree));
            }
        }
    }
    diagnostics.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    diagnostics.dedup();
    crate::diag::locate(&mut diagnostics, text);
    Err(diagnostics)
}

/// The spec, parsed and decoded a tool at a time in parallel, or `None` when
/// the text cannot be split (see [`split`]) or anything in it is wrong: the
/// whole-document path then finds the same spec, or reports every problem
/// exactly as it always has.
fn load_in_parts(text: &str) -> Option<raw::Spec> {
    let split::Parts { rest, tools } = split::parse(text)?;
    let rest = Value::Object(rest);
    if !check_format(&rest).is_empty() {
        return None;
    }
    // Decoding is compositional: the spec decodes with `tools: []` and every
    // tool decodes on its own exactly when the whole tree decodes, to the
    // same values.
    let (spec, tools) = rayon::join(
        || raw::Spec::deserialize(rest).ok(),
        || {
            tools
                .into_par_iter()
                .map(|tool| raw::Tool::deserialize(tool).ok())
                .collect::<Option<Vec<_>>>()
        },
    );
    let mut spec = spec?;
    spec.tools = tools?;
    Some(spec)
}

/// YAML → JSON tree. serde_yaml bounds nesting depth (128) and alias
/// expansion, so deep documents and alias bombs end here with an error.
fn parse_yaml(text: &str) -> Result<Value, Diagnostic> {
    serde_yaml::from_str::<Value>(text).map_err(|error| {
        let message = error.to_string();
        let (code, help) = if message.contains("recursion limit") {
            (
                "yaml-too-deep",
                Some("a spec nests at most 128 levels deep"),
            )
        } else if message.contains("repetition limit") {
            (
                "yaml-alias-expansion",
                Some("the document expands aliases too often; write the values out"),
            )
        } else {
            ("yaml-syntax", None)
        };
        let location = error
            .location()
            .map(|l| Location {
                line: l.line(),
                column: l.column(),
            })
            .unwrap_or_default();
        let diagnostic =
            Diagnostic::error(code, SpecPath::root(), strip_location(&message)).at(location);
        match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    })
}

/// serde_yaml appends " at line L column C"; the location is printed anyway.
/// serde_yaml writes positions into its messages (" at line L column C",
/// sometimes twice); the diagnostic's own location replaces them.
fn strip_location(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(" at line ") {
        out.push_str(&rest[..start]);
        let after = &rest[start + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let line_end = digits(after);
        match after[line_end..].strip_prefix(" column ") {
            Some(column) if line_end > 0 => rest = &column[digits(column)..],
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn check_format(tree: &Value) -> Vec<Diagnostic> {
    let help = format!("start the spec with `mcpgen: {FORMAT}`");
    match tree {
        Value::Object(map) => match map.get("mcpgen") {
            None => vec![
                Diagnostic::error(
                    "missing-format",
                    SpecPath::root(),
                    "the spec does not say its format version",
                )
                .with_help(help),
            ],
            Some(Value::Number(n)) if n.as_u64() == Some(FORMAT) => vec![],
            Some(other) => vec![
                Diagnostic::error(
                    "unsupported-format",
                    SpecPath::root().key("mcpgen"),
                    match other {
                        Value::Number(_) => format!(
                            "spec format {other} is not supported; this mcpgen reads format {FORMAT}"
                        ),
                        _ => format!("the format version must be the number {FORMAT}, not {other}"),
                    },
                )
                .with_help(help),
            ],
        },
        Value::Null => vec![
            Diagnostic::error("empty-spec", SpecPath::root(), "the spec is empty").with_help(help),
        ],
        _ => vec![
            Diagnostic::error(
                "invalid-type",
                SpecPath::root(),
                "the spec must be a mapping",
            )
            .with_help(help),
        ],
    }
}

/// After the whole spec failed to decode, decodes each section on its own so
/// that shape errors in several tools are all reported at once.
fn decode_sections(tree: &Value) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let root = SpecPath::root();
    if let Some(server) = tree.get("server") {
        diagnostics.extend(decode::<_, raw::Server>(server, &root.key("server")).err());
    }
    for (section, decode_item) in [
        (
            "modules",
            decode_item::<raw::Module> as fn(&Value, &SpecPath) -> Option<Diagnostic>,
        ),
        ("tools", decode_item::<raw::Tool>),
    ] {
        if let Some(Value::Array(items)) = tree.get(section) {
            let base = root.key(section);
            diagnostics.extend(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| decode_item(item, &base.index(i))),
            );
        }
    }
    diagnostics
}

fn decode_item<T: DeserializeOwned>(value: &Value, path: &SpecPath) -> Option<Diagnostic> {
    decode::<_, T>(value, path).err()
}

fn decode<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(
    value: D,
    base: &SpecPath,
) -> Result<T, Diagnostic>
where
    D::Error: std::fmt::Display,
{
    serde_path_to_error::deserialize::<_, T>(value).map_err(|error| {
        let mut path = base.clone();
        for segment in error.path().iter() {
            path = match segment {
                serde_path_to_error::Segment::Seq { index } => path.index(*index),
                serde_path_to_error::Segment::Map { key } => path.key(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => path.key(variant.clone()),
                serde_path_to_error::Segment::Unknown => path,
            };
        }
        shape_error(path, error.into_inner().to_string())
    })
}

fn shape_error(path: SpecPath, message: String) -> Diagnostic {
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    {
        // serde reports the enclosing object; point at the offending key.
        let already_there = matches!(path.segments().last(), Some(Segment::Key(k)) if k == field);
        let path = if already_there { path } else { path.key(field) };
        return Diagnostic::error("unknown-field", path, message).at_key();
    }
    if message.starts_with("missing field") {
        return Diagnostic::error("missing-field", path, message);
    }
    if message.starts_with("unknown variant") {
        return Diagnostic::error("unknown-variant", path, message).at_key();
    }
    Diagnostic::error("invalid-type", path, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<(String, String, usize, usize)> {
        load(text)
            .unwrap_err()
            .into_iter()
            .map(|d| {
                let l = d.location.unwrap();
                (d.code.to_owned(), d.path.to_string(), l.line, l.column)
            })
            .collect()
    }

    const HEAD: &str = "mcpgen: 1\nserver: {name: s, version: 1.0.0}\n";

    #[test]
    fn unknown_fields_point_at_the_key() {
        let text = format!(
            "{HEAD}tools:\n  - name: a\n    description: d\n    colour: red\n    versions: []\n"
        );
        assert_eq!(
            errors(&text),
            [("unknown-field".into(), "tools[0].colour".into(), 6, 5)]
        );
    }

    #[test]
    fn shape_errors_in_several_tools_are_all_reported() {
        let text = format!(
            "{HEAD}tools:\n  - {{name: a, description: d, versions: [{{version: 1, input: {{}}}}]}}\n  - {{name: b, versions: []}}\n"
        );
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.0 == "invalid-type" && e.1 == "tools[0].versions[0].version"),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.0 == "missing-field" && e.1 == "tools[1]"),
            "{found:?}"
        );
    }

    #[test]
    fn migration_op_errors_name_the_op() {
        let text = format!(
            "{HEAD}tools:\n  - name: a\n    description: d\n    versions:\n      - version: 1.0.0\n        input: {{type: object}}\n        changes:\n          request:\n            - rename: {{from: a, too: b}}\n"
        );
        let found = errors(&text);
        assert_eq!(found[0].0, "unknown-field");
        assert_eq!(
            found[0].1,
            "tools[0].versions[0].changes.request[0].rename.too"
        );
    }

    #[test]
    fn format_header_is_required_and_checked() {
        assert_eq!(errors("server: {}\n")[0].0, "missing-format");
        assert_eq!(errors("mcpgen: 2\n")[0].0, "unsupported-format");
        assert_eq!(errors("")[0].0, "empty-spec");
        assert_eq!(errors("- 1\n")[0].0, "invalid-type");
    }

    #[test]
    fn positions_are_stripped_from_parser_messages() {
        assert_eq!(
            strip_location(
                "did not find expected ',' at line 8 column 1, while parsing a flow sequence at line 2 column 9"
            ),
            "did not find expected ',', while parsing a flow sequence"
        );
        assert_eq!(strip_location("bad at line x"), "bad at line x");
    }

    #[test]
    fn syntax_errors_carry_the_parser_location() {
        let found = errors("mcpgen: 1\nserver: [\n");
        assert_eq!(found[0].0, "yaml-syntax");
        assert!(found[0].2 >= 2, "{found:?}");
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (prev, name) in "abcdefghi".chars().zip("bcdefghij".chars()) {
            bomb.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        assert_eq!(errors(&bomb)[0].0, "yaml-alias-expansion");
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(errors(&deep)[0].0, "yaml-too-deep");
        let deep_block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(errors(&deep_block)[0].0, "yaml-too-deep");
    }
}
