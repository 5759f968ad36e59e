//! Writing values as YAML block text the way specs are written by hand:
//! block mappings and lists, short leaf mappings on one line in flow style
//! (`{ from: a, to: b }`), plain scalars wherever YAML reads them back as
//! the same string, double quotes otherwise.

use serde_json::{Map, Value};

/// Lines longer than this fall back from flow to block style.
const WIDTH: usize = 100;

/// `key: value` at `indent`, the value nested below when it does not fit
/// on the line.
pub(crate) fn entry(out: &mut String, key: &str, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    let key = scalar_text(key, false);
    match value {
        Value::Object(map) if !fits_flow(value, indent + key.len() + 2) => {
            out.push_str(&format!("{pad}{key}:\n"));
            mapping(out, map, indent + 2);
        }
        Value::Array(items) if !fits_flow(value, indent + key.len() + 2) => {
            out.push_str(&format!("{pad}{key}:\n"));
            for item in items {
                list_item(out, item, indent + 2, None);
            }
        }
        _ => {
            let text = flow(value).unwrap_or_else(|| scalar(value, false));
            out.push_str(&format!("{pad}{key}: {text}\n"));
        }
    }
}

/// Every entry of `map` at `indent`.
pub(crate) fn mapping(out: &mut String, map: &Map<String, Value>, indent: usize) {
    for (key, value) in map {
        entry(out, key, value, indent);
    }
}

/// `- value` at `indent`, preceded by a `# review:` comment when given.
pub(crate) fn list_item(out: &mut String, value: &Value, indent: usize, review: Option<&str>) {
    let pad = " ".repeat(indent);
    if let Some(note) = review {
        comment(out, &format!("review: {note}"), indent);
    }
    match value {
        Value::Object(map) if !map.is_empty() && !fits_flow(value, indent + 2) => {
            let mut nested = String::new();
            mapping(&mut nested, map, indent + 2);
            // The first entry shares the dash's line.
            out.push_str(&pad);
            out.push_str("- ");
            out.push_str(&nested[indent + 2..]);
        }
        Value::Array(items) if !items.is_empty() && !fits_flow(value, indent + 2) => {
            out.push_str(&format!("{pad}-\n"));
            for item in items {
                list_item(out, item, indent + 2, None);
            }
        }
        _ => {
            let text = flow(value).unwrap_or_else(|| scalar(value, false));
            out.push_str(&format!("{pad}- {text}\n"));
        }
    }
}

/// `# text` at `indent`, one line.
pub(crate) fn comment(out: &mut String, text: &str, indent: usize) {
    let line = text.replace(['\n', '\r'], " ");
    out.push_str(&format!("{}# {line}\n", " ".repeat(indent)));
}

fn fits_flow(value: &Value, used: usize) -> bool {
    flow(value).is_some_and(|text| used + text.len() <= WIDTH)
}

/// The one-line form of a scalar, an empty collection, or a collection of
/// scalars; `None` for anything deeper.
fn flow(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) if map.is_empty() => Some("{}".to_owned()),
        Value::Array(items) if items.is_empty() => Some("[]".to_owned()),
        Value::Object(map) => {
            let entries: Option<Vec<String>> = map
                .iter()
                .map(|(k, v)| leaf(v).map(|v| format!("{}: {v}", scalar_text(k, true))))
                .collect();
            Some(format!("{{ {} }}", entries?.join(", ")))
        }
        Value::Array(items) => {
            let items: Option<Vec<String>> = items.iter().map(leaf).collect();
            Some(format!("[{}]", items?.join(", ")))
        }
        scalar_value => Some(scalar(scalar_value, false)),
    }
}

/// A value inside a flow collection: a scalar or an empty collection.
fn leaf(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) if map.is_empty() => Some("{}".to_owned()),
        Value::Array(items) if items.is_empty() => Some("[]".to_owned()),
        Value::Object(_) | Value::Array(_) => None,
        scalar_value => Some(scalar(scalar_value, true)),
    }
}

/// A scalar as YAML text; `in_flow` when it sits inside `{…}` or `[…]`.
pub(crate) fn scalar(value: &Value, in_flow: bool) -> String {
    match value {
        Value::String(text) => scalar_text(text, in_flow),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

fn scalar_text(text: &str, in_flow: bool) -> String {
    if is_plain(text, in_flow) {
        text.to_owned()
    } else {
        Value::String(text.to_owned()).to_string()
    }
}

/// Whether `text` can be written unquoted and read back as the same string.
fn is_plain(text: &str, in_flow: bool) -> bool {
    const INDICATORS: &str = "-?:,[]{}#&*!|>'\"%@`";
    let Some(first) = text.chars().next() else {
        return false;
    };
    if INDICATORS.contains(first)
        || text.trim() != text
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || text.chars().any(char::is_control)
        || (in_flow && text.contains([',', '[', ']', '{', '}']))
    {
        return false;
    }
    // What YAML would read it as: `true`, `10`, `1.0` and `null` are not strings.
    matches!(serde_yaml::from_str::<Value>(text), Ok(Value::String(read)) if read == text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(value: Value) -> String {
        let mut out = String::new();
        mapping(&mut out, value.as_object().unwrap(), 2);
        out
    }

    #[test]
    fn block_with_flow_leaves() {
        let value = json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "minLength": 1, "description": "Words, quoted: yes."},
                "sortBy": {"enum": ["a", "b"], "default": "a"}
            },
            "required": ["query"]
        });
        assert_eq!(
            render(value),
            "  type: object\n  properties:\n    query: { type: string, minLength: 1, description: \"Words, quoted: yes.\" }\n    sortBy:\n      enum: [a, b]\n      default: a\n  required: [query]\n"
        );
    }

    #[test]
    fn list_items_and_comments() {
        let mut out = String::new();
        list_item(
            &mut out,
            &json!({"rename": {"from": "a", "to": "b"}}),
            4,
            Some("check it"),
        );
        list_item(
            &mut out,
            &json!({"each": {"path": "r", "ops": [{"remove": {"path": "x", "lossy": true}}]}}),
            4,
            None,
        );
        assert_eq!(
            out,
            "    # review: check it\n    - rename: { from: a, to: b }\n    - each:\n        path: r\n        ops:\n          - remove: { path: x, lossy: true }\n"
        );
    }

    #[test]
    fn scalars_read_back_as_themselves() {
        for text in [
            "true", "10", "1.0", "null", "", " x", "a: b", "#x", "-", "3.0.0", "x,y", "é",
        ] {
            for in_flow in [false, true] {
                let written = scalar_text(text, in_flow);
                let doc = if in_flow {
                    format!("[{written}]")
                } else {
                    written.clone()
                };
                let read: Value = serde_yaml::from_str(&doc).unwrap();
                let read = if in_flow { read[0].clone() } else { read };
                assert_eq!(
                    read,
                    Value::String(text.to_owned()),
                    "{text:?} as {written}"
                );
            }
        }
    }
}
