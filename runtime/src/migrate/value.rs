//! What the value-rewriting ops (`unwrap`, `map_values`, `coerce`, `clamp`)
//! do to a single value. A value that does not have the expected type is
//! left alone: validation reports it.

use serde_json::{Map, Number, Value};

use super::{Coerce, FieldPath, JsonType, Rounding};

pub(super) fn unwrap(root: &mut Value, path: &FieldPath) {
    let Some(Value::Array(items)) = path.get_mut(root) else {
        return;
    };
    match items.first().cloned() {
        Some(first) => {
            let _ = path.insert(root, first);
        }
        None => {
            path.take(root);
        }
    }
}

/// The key a value is looked up by in a `map_values` table.
pub(super) fn map_key(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

pub(super) fn map(value: &mut Value, table: &Map<String, Value>) {
    if let Some(replacement) = table.get(&map_key(value)) {
        *value = replacement.clone();
    }
}

pub(super) fn clamp(value: &mut Value, min: Option<&Number>, max: Option<&Number>) {
    let Some(number) = value.as_f64() else { return };
    if let Some(min) = min.filter(|m| m.as_f64().is_some_and(|m| number < m)) {
        *value = Value::Number(min.clone());
    } else if let Some(max) = max.filter(|m| m.as_f64().is_some_and(|m| number > m)) {
        *value = Value::Number(max.clone());
    }
}

pub(super) fn coerce(value: &mut Value, op: &Coerce) {
    if let Some(converted) = convert(value, op) {
        *value = converted;
    }
}

fn convert(value: &Value, op: &Coerce) -> Option<Value> {
    let separator = op.separator.as_deref().unwrap_or(",");
    match (op.to, value) {
        (JsonType::String, Value::String(_)) => None,
        (JsonType::String, Value::Array(items)) => {
            let parts: Option<Vec<String>> = items.iter().map(scalar_text).collect();
            Some(Value::String(parts?.join(separator)))
        }
        (JsonType::String, other) => scalar_text(other).map(Value::String),
        (JsonType::Integer, Value::String(text)) => {
            text.trim().parse::<i64>().ok().map(Value::from)
        }
        (JsonType::Integer, Value::Number(n)) if n.is_f64() => {
            let x = n.as_f64()?;
            let rounded = match op.rounding.unwrap_or_default() {
                Rounding::Round => x.round(),
                Rounding::Floor => x.floor(),
                Rounding::Ceil => x.ceil(),
                Rounding::Trunc => x.trunc(),
            };
            (rounded.is_finite() && rounded.abs() < 9.0e15).then(|| Value::from(rounded as i64))
        }
        (JsonType::Number, Value::String(text)) => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
        (JsonType::Boolean, Value::String(text)) => match text.trim() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        (JsonType::Array, Value::String(text)) if text.is_empty() => Some(Value::Array(Vec::new())),
        (JsonType::Array, Value::String(text)) => Some(Value::Array(
            text.split(separator)
                .map(|part| Value::String(part.to_owned()))
                .collect(),
        )),
        (JsonType::Array, Value::Array(_)) => None,
        (JsonType::Array, other) => Some(Value::Array(vec![other.clone()])),
        _ => None,
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn coerce_op(from: JsonType, to: JsonType) -> Coerce {
        Coerce {
            path: FieldPath::parse(".").unwrap(),
            from,
            to,
            separator: None,
            rounding: None,
            lossy: false,
        }
    }

    #[test]
    fn conversions_and_refusals() {
        let cases = [
            (JsonType::String, JsonType::Integer, json!("42"), json!(42)),
            (
                JsonType::String,
                JsonType::Integer,
                json!("4x"),
                json!("4x"),
            ),
            (JsonType::Integer, JsonType::String, json!(42), json!("42")),
            (JsonType::Number, JsonType::Integer, json!(2.5), json!(3)),
            (
                JsonType::String,
                JsonType::Boolean,
                json!("true"),
                json!(true),
            ),
            (
                JsonType::Boolean,
                JsonType::String,
                json!(false),
                json!("false"),
            ),
            (
                JsonType::String,
                JsonType::Array,
                json!("a,b"),
                json!(["a", "b"]),
            ),
            (JsonType::String, JsonType::Array, json!(""), json!([])),
            (
                JsonType::Array,
                JsonType::String,
                json!(["a", "b"]),
                json!("a,b"),
            ),
            (
                JsonType::Array,
                JsonType::String,
                json!([{"x": 1}]),
                json!([{"x": 1}]),
            ),
        ];
        for (from, to, mut value, expected) in cases {
            coerce(&mut value, &coerce_op(from, to));
            assert_eq!(value, expected, "{from:?} → {to:?}");
        }
    }

    #[test]
    fn clamp_keeps_in_range_values() {
        let (min, max) = (Number::from(1), Number::from(10));
        for (mut value, expected) in [
            (json!(0), json!(1)),
            (json!(5.5), json!(5.5)),
            (json!(11), json!(10)),
            (json!("x"), json!("x")),
        ] {
            clamp(&mut value, Some(&min), Some(&max));
            assert_eq!(value, expected);
        }
    }
}
