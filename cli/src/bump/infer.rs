//! Inferring a step's migration ops from the old and new schema: what can be
//! read off the schemas (a field that disappeared, one that appeared with a
//! default, one that reappeared elsewhere with the same schema, a bound that
//! narrowed) becomes an op; guesses carry a note for the author to review.

use mcpgen_runtime::migrate::{
    Add, Clamp, FieldPath, Move, Op, Remove, Rename, Scoped, Unwrap, Wrap, transform_schema,
};
use serde_json::{Map, Value};

use crate::classify::{self, Impact, Role};

/// Which way the ops go: requests run them forward; results run their
/// inverses, so response ops must be reversible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `changes.request`.
    Request,
    /// `changes.response`.
    Response,
}

/// An inferred op, and what the author should check about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// The op.
    pub op: Op,
    /// A note for the author, written as a `# review:` comment above it.
    pub review: Option<String>,
    /// For `each`: its ops with their own notes, written inside it.
    pub nested: Vec<Planned>,
}

impl Planned {
    fn new(op: Op, review: Option<String>) -> Self {
        Self {
            op,
            review,
            nested: Vec::new(),
        }
    }
}

/// The ops that carry values of `old` to `new` (both object schemas).
pub fn ops(old: &Value, new: &Value, direction: Direction) -> Vec<Planned> {
    let role = match direction {
        Direction::Request => Role::Input,
        Direction::Response => Role::Output,
    };
    let mut planned = relocations(old, new, role);
    let mut current = old.clone();
    run(&planned, &mut current);

    let mut later = Vec::new();
    let appeared = topmost(new, |path| present(&current, path).is_none());
    for path in topmost(&current, |path| present(new, path).is_none()) {
        let removed = present(&current, &path).cloned().unwrap_or_default();
        later.push(match direction {
            Direction::Request => {
                let review = successor(&path, &removed, &appeared, new).map(|to| {
                    format!(
                        "old calls lose `{path}`; if it became `{to}`, use `rename`/`move` (and `clamp` or `map_values` for its new limits) instead"
                    )
                });
                let op = Op::Remove(Remove {
                    path,
                    default: None,
                    lossy: true,
                });
                Planned::new(op, review)
            }
            Direction::Response => {
                let value = example(&removed);
                let review = format!(
                    "results going back to older callers get `{path}: {value}`; pick the value they should see"
                );
                let op = Op::Remove(Remove {
                    path,
                    default: Some(value),
                    lossy: false,
                });
                Planned::new(op, Some(review))
            }
        });
    }
    run(&later, &mut current);
    planned.append(&mut later);

    for path in topmost(new, |path| present(&current, path).is_none()) {
        let added = present(new, &path).cloned().unwrap_or_default();
        let op = match direction {
            // Old callers never send it; a default makes the handler see it.
            Direction::Request => added.get("default").map(|default| {
                Op::Add(Add {
                    path: path.clone(),
                    default: Some(default.clone()),
                })
            }),
            // Going back, the inverse drops the field, which old readers of a
            // closed object need.
            Direction::Response if !parent_accepts_unknown(&current, &path) => Some(Op::Add(Add {
                path: path.clone(),
                default: None,
            })),
            Direction::Response => None,
        };
        if let Some(op) = op {
            later.push(Planned::new(op, None));
        }
    }
    run(&later, &mut current);
    planned.append(&mut later);

    for (path, old_field) in fields(&current) {
        let Some(new_field) = present(new, &path) else {
            continue;
        };
        later.extend(reshape(&path, &old_field, new_field, role, direction));
    }
    run(&later, &mut current);
    planned.append(&mut later);
    planned
}

/// The one new field of the same JSON type as a removed one, preferring the
/// same object: a likely rename whose schema also changed, which the author
/// should look at.
fn successor(
    path: &FieldPath,
    removed: &Value,
    appeared: &[FieldPath],
    new: &Value,
) -> Option<FieldPath> {
    let ty = removed.get("type")?;
    // A new field with a default is more likely new than renamed.
    let alike: Vec<&FieldPath> = appeared
        .iter()
        .filter(|p| {
            present(new, p).is_some_and(|s| s.get("type") == Some(ty) && s.get("default").is_none())
        })
        .collect();
    let siblings: Vec<&FieldPath> = alike
        .iter()
        .copied()
        .filter(|p| p.parents() == path.parents())
        .collect();
    match (siblings.as_slice(), alike.as_slice()) {
        ([one], _) | ([], [one]) => Some((*one).clone()),
        _ => None,
    }
}

/// Renames (same object) and moves (elsewhere) of fields whose schema did
/// not change, when the match is unambiguous both ways.
fn relocations(old: &Value, new: &Value, role: Role) -> Vec<Planned> {
    let old_fields = fields(old);
    let new_fields = fields(new);
    let removed: Vec<&(FieldPath, Value)> = old_fields
        .iter()
        .filter(|(p, _)| present(new, p).is_none())
        .collect();
    let added: Vec<&(FieldPath, Value)> = new_fields
        .iter()
        .filter(|(p, _)| present(old, p).is_none())
        .collect();
    let choices = |from: &(FieldPath, Value)| -> Vec<FieldPath> {
        let matching: Vec<&FieldPath> = added
            .iter()
            .filter(|(_, schema)| same_schema(&from.1, schema, role))
            .map(|(p, _)| p)
            .collect();
        let siblings: Vec<&FieldPath> = matching
            .iter()
            .copied()
            .filter(|p| p.parents() == from.0.parents())
            .collect();
        let chosen = if siblings.is_empty() {
            matching
        } else {
            siblings
        };
        chosen.into_iter().cloned().collect()
    };
    let wanted: Vec<(FieldPath, Vec<FieldPath>)> =
        removed.iter().map(|r| (r.0.clone(), choices(r))).collect();
    let mut planned = Vec::new();
    let mut taken_old: Vec<FieldPath> = Vec::new();
    let mut taken_new: Vec<FieldPath> = Vec::new();
    for (from, choice) in &wanted {
        let [to] = choice.as_slice() else { continue };
        let rivals = wanted.iter().filter(|(_, c)| c.contains(to)).count();
        let nested =
            |taken: &[FieldPath], path: &FieldPath| taken.iter().any(|t| is_within(path, t));
        if rivals != 1 || nested(&taken_old, from) || nested(&taken_new, to) {
            continue;
        }
        taken_old.push(from.clone());
        taken_new.push(to.clone());
        let (op, what) = if to.parents() == from.parents() {
            (
                Op::Rename(Rename {
                    from: from.clone(),
                    to: to.leaf().to_owned(),
                }),
                "rename",
            )
        } else {
            (
                Op::Move(Move {
                    from: from.clone(),
                    to: to.clone(),
                }),
                "move",
            )
        };
        let review = format!(
            "{what} `{from}` → `{to}` inferred from identical schemas; check that they mean the same"
        );
        planned.push(Planned::new(op, Some(review)));
    }
    planned
}

/// Ops for a field both versions have but shaped differently: a scalar that
/// became a list of itself (`wrap`), a list that became its item (`unwrap`),
/// a narrower numeric range (`clamp`, requests only), and changes inside
/// array items (`each`).
fn reshape(
    path: &FieldPath,
    old: &Value,
    new: &Value,
    role: Role,
    direction: Direction,
) -> Vec<Planned> {
    let items = |schema: &Value| schema.get("items").filter(|i| i.is_object()).cloned();
    let is_array = |schema: &Value| schema.get("type").and_then(Value::as_str) == Some("array");
    if !is_array(old) && is_array(new) && items(new).is_some_and(|i| same_schema(old, &i, role)) {
        return vec![Planned::new(Op::Wrap(Wrap { path: path.clone() }), None)];
    }
    if is_array(old) && !is_array(new) && items(old).is_some_and(|i| same_schema(&i, new, role)) {
        let op = Op::Unwrap(Unwrap {
            path: path.clone(),
            lossy: direction == Direction::Request,
        });
        let review = (direction == Direction::Request)
            .then(|| format!("old callers' `{path}` lists keep only their first item"));
        return vec![Planned::new(op, review)];
    }
    if let (Some(old_items), Some(new_items)) = (items(old), items(new))
        && old_items.get("properties").is_some()
        && new_items.get("properties").is_some()
    {
        let inner = ops(&old_items, &new_items, direction);
        if inner.is_empty() {
            return Vec::new();
        }
        let op = Op::Each(Scoped {
            path: path.clone(),
            ops: inner.iter().map(|p| p.op.clone()).collect(),
        });
        return vec![Planned {
            op,
            review: None,
            nested: inner,
        }];
    }
    if direction == Direction::Request
        && let Some(clamp) = clamp(path, old, new)
    {
        return vec![clamp];
    }
    Vec::new()
}

fn clamp(path: &FieldPath, old: &Value, new: &Value) -> Option<Planned> {
    let numeric = |s: &Value| {
        matches!(
            s.get("type").and_then(Value::as_str),
            Some("integer" | "number")
        )
    };
    if !numeric(new) {
        return None;
    }
    let bound = |s: &Value, k: &str| s.get(k).and_then(Value::as_f64);
    let narrower = |k: &str, tighter: fn(f64, f64) -> bool| match (bound(old, k), bound(new, k)) {
        (old, Some(new)) if old.is_none_or(|old| tighter(new, old)) => {
            serde_json::Number::from_f64(new).map(|n| normalise(n, new))
        }
        _ => None,
    };
    let min = narrower("minimum", |new, old| new > old);
    let max = narrower("maximum", |new, old| new < old);
    if min.is_none() && max.is_none() {
        return None;
    }
    let range = format!(
        "[{}, {}]",
        min.as_ref().map_or("…".to_owned(), ToString::to_string),
        max.as_ref().map_or("…".to_owned(), ToString::to_string)
    );
    let op = Op::Clamp(Clamp {
        path: path.clone(),
        min,
        max,
        lossy: true,
    });
    let review = format!(
        "old callers' `{path}` is clamped into {range}; check that this is what they should get"
    );
    Some(Planned::new(op, Some(review)))
}

/// Whole numbers as integers, so `50` is not written `50.0`.
fn normalise(number: serde_json::Number, value: f64) -> serde_json::Number {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        serde_json::Number::from(value as i64)
    } else {
        number
    }
}

/// Two subschemas that accept the same values (documentation aside).
fn same_schema(old: &Value, new: &Value, role: Role) -> bool {
    classify::schemas(old, new, role)
        .iter()
        .all(|f| f.impact <= Impact::Patch)
}

/// Every field reachable through nested `properties`, outermost first.
fn fields(schema: &Value) -> Vec<(FieldPath, Value)> {
    let mut out = Vec::new();
    collect(schema, &[], &mut out);
    out
}

fn collect(schema: &Value, prefix: &[String], out: &mut Vec<(FieldPath, Value)>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, subschema) in properties {
        let mut segments = prefix.to_vec();
        segments.push(name.clone());
        let Some(path) = field_path(&segments) else {
            continue;
        };
        out.push((path, subschema.clone()));
        collect(subschema, &segments, out);
    }
}

/// A path from keys; keys with dots or slashes use the pointer form.
fn field_path(segments: &[String]) -> Option<FieldPath> {
    let text = if segments
        .iter()
        .any(|s| s.contains('.') || s.starts_with('/'))
    {
        segments
            .iter()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect::<String>()
    } else {
        segments.join(".")
    };
    FieldPath::parse(&text).ok()
}

/// The subschema of the field at `path`.
fn present<'s>(schema: &'s Value, path: &FieldPath) -> Option<&'s Value> {
    path.segments()
        .iter()
        .try_fold(schema, |s, key| s.get("properties")?.get(key))
}

/// The fields of `schema` for which `gone` holds, skipping those inside one
/// already listed.
fn topmost(schema: &Value, gone: impl Fn(&FieldPath) -> bool) -> Vec<FieldPath> {
    let mut out: Vec<FieldPath> = Vec::new();
    for (path, _) in fields(schema) {
        if gone(&path) && !out.iter().any(|o| is_within(&path, o)) {
            out.push(path);
        }
    }
    out
}

/// Whether `path` is `outer` or inside it.
fn is_within(path: &FieldPath, outer: &FieldPath) -> bool {
    path.segments().starts_with(outer.segments())
}

fn parent_accepts_unknown(schema: &Value, path: &FieldPath) -> bool {
    path.parents()
        .iter()
        .try_fold(schema, |s, key| s.get("properties")?.get(key))
        .and_then(Value::as_object)
        .is_none_or(|parent| {
            !matches!(parent.get("additionalProperties"), Some(Value::Bool(false)))
        })
}

/// Applies the ops to a schema; inferred ops always fit the schema they were
/// inferred from, and any that would not are left for validation to report.
fn run(planned: &[Planned], schema: &mut Value) {
    for p in planned {
        let _ = transform_schema(&p.op, schema);
    }
}

/// A value the schema accepts, for the `default` a removed result field gets
/// back: its own default, `const` or first `enum` value, else the simplest
/// value of its type that meets its bounds.
pub(crate) fn example(schema: &Value) -> Value {
    let Some(map) = schema.as_object() else {
        return Value::Null;
    };
    if let Some(value) = map
        .get("default")
        .or_else(|| map.get("const"))
        .or_else(|| map.get("enum").and_then(|e| e.get(0)))
    {
        return value.clone();
    }
    let ty = match map.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ => "null",
    };
    let number = |key: &str| map.get(key).and_then(Value::as_f64);
    match ty {
        "string" => Value::String("x".repeat(number("minLength").unwrap_or(0.0) as usize)),
        "integer" | "number" => {
            let low = number("minimum").unwrap_or(0.0).max(0.0);
            let value = match number("maximum") {
                Some(high) if high < low => high,
                _ => low,
            };
            serde_json::Number::from_f64(value.ceil())
                .map(|n| Value::Number(normalise(n, value.ceil())))
                .unwrap_or(Value::Null)
        }
        "boolean" => Value::Bool(false),
        "array" => {
            let item = example(map.get("items").unwrap_or(&Value::Null));
            Value::Array(vec![item; number("minItems").unwrap_or(0.0) as usize])
        }
        "object" => {
            let mut object = Map::new();
            let properties = map.get("properties");
            for key in map
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(key) = key.as_str() {
                    let schema = properties.and_then(|p| p.get(key)).unwrap_or(&Value::Null);
                    object.insert(key.to_owned(), example(schema));
                }
            }
            Value::Object(object)
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn inferred(old: Value, new: Value, direction: Direction) -> Vec<Value> {
        ops(&old, &new, direction)
            .into_iter()
            .map(|p| serde_json::to_value(p.op).unwrap())
            .collect()
    }

    fn object(properties: Value) -> Value {
        json!({"type": "object", "additionalProperties": false, "properties": properties})
    }

    #[test]
    fn rename_move_remove_and_add() {
        let old = object(json!({
            "q": {"type": "string"},
            "maxResults": {"type": "integer", "minimum": 1},
            "category": {"type": "string", "enum": ["a", "b"]},
            "legacy": {"type": "boolean"}
        }));
        let new = object(json!({
            "q": {"type": "string"},
            "limit": {"type": "integer", "minimum": 1, "description": "Most results."},
            "filters": {"type": "object", "properties": {"category": {"type": "string", "enum": ["a", "b"]}}},
            "sortBy": {"type": "string", "default": "relevance"}
        }));
        assert_eq!(
            inferred(old, new, Direction::Request),
            [
                json!({"rename": {"from": "maxResults", "to": "limit"}}),
                json!({"move": {"from": "category", "to": "filters.category"}}),
                json!({"remove": {"path": "legacy", "lossy": true}}),
                json!({"add": {"path": "sortBy", "default": "relevance"}}),
            ]
        );
    }

    #[test]
    fn ambiguous_matches_are_not_guessed() {
        let old = object(json!({"a": {"type": "string"}, "b": {"type": "string"}}));
        let new = object(json!({"c": {"type": "string"}, "d": {"type": "string"}}));
        let found = inferred(old, new, Direction::Request);
        assert!(
            found.iter().all(|op| op.get("rename").is_none()),
            "{found:?}"
        );
    }

    #[test]
    fn results_get_reversible_ops() {
        let old = json!({"type": "object", "additionalProperties": false, "required": ["total"], "properties": {
            "total": {"type": "integer", "minimum": 0},
            "results": {"type": "array", "items": {"type": "object", "properties": {"url": {"type": "string"}, "id": {}}}}
        }});
        let new = json!({"type": "object", "additionalProperties": false, "properties": {
            "results": {"type": "array", "items": {"type": "object", "properties": {"link": {"type": "string"}, "id": {}}}},
            "took": {"type": "number"}
        }});
        assert_eq!(
            inferred(old, new, Direction::Response),
            [
                json!({"remove": {"path": "total", "default": 0}}),
                json!({"add": {"path": "took"}}),
                json!({"each": {"path": "results", "ops": [{"rename": {"from": "url", "to": "link"}}]}}),
            ]
        );
    }

    #[test]
    fn narrower_ranges_clamp_and_lists_wrap() {
        let old = object(
            json!({"limit": {"type": "integer", "maximum": 100}, "tag": {"type": "string"}}),
        );
        let new = object(
            json!({"limit": {"type": "integer", "maximum": 50}, "tag": {"type": "array", "items": {"type": "string"}}}),
        );
        assert_eq!(
            inferred(old, new, Direction::Request),
            [
                json!({"clamp": {"path": "limit", "max": 50, "lossy": true}}),
                json!({"wrap": {"path": "tag"}}),
            ]
        );
    }

    #[test]
    fn examples_meet_their_schema() {
        assert_eq!(example(&json!({"type": "integer", "minimum": 3})), json!(3));
        assert_eq!(
            example(&json!({"type": "string", "minLength": 2})),
            json!("xx")
        );
        assert_eq!(
            example(
                &json!({"type": "object", "required": ["a"], "properties": {"a": {"enum": ["z"]}}})
            ),
            json!({"a": "z"})
        );
    }
}
