//! Reading the JSON Schema keywords that specs use, shared by the instance
//! generator and the subset check: local `$ref`s, the types a schema allows,
//! numeric bounds and conjunctions of subschemas.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// The seven JSON Schema types, `null` first so the smallest choice of a
/// nullable value is `null`.
pub(super) const TYPES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];

/// Keywords that never reject a value.
pub(super) const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$comment",
    "$defs",
    "$vocabulary",
    "definitions",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

/// The value of `key` in a schema object. Schema objects have a handful of
/// keys, and a scan beats hashing the key, which the instance generator
/// does for every keyword of every value it builds.
pub(super) fn keyword<'m>(schema: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    schema.iter().find_map(|(k, v)| (k == key).then_some(v))
}

/// The subschema a local reference (`#`, `#/$defs/x`) points at.
pub(super) fn resolve<'r>(root: &'r Value, reference: &str) -> Option<&'r Value> {
    let pointer = reference.strip_prefix('#')?;
    let decoded = pointer.replace("%25", "%");
    root.pointer(&decoded)
}

/// The types `schema` allows by its `type` keyword, in [`TYPES`] order, or
/// `None` when it has no `type`.
pub(super) fn declared_types(schema: &Map<String, Value>) -> Option<Vec<&'static str>> {
    let listed: Vec<&str> = match keyword(schema, "type")? {
        Value::String(ty) => vec![ty.as_str()],
        Value::Array(types) => types.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    Some(
        TYPES
            .iter()
            .copied()
            .filter(|ty| listed.contains(ty))
            .collect(),
    )
}

/// The types a value of `schema` has: the declared ones, else what its
/// keywords are about, else every type. Borrowed in the common cases, since
/// the instance generator asks for every value it builds.
pub(super) fn value_types(schema: &Map<String, Value>) -> Cow<'static, [&'static str]> {
    match keyword(schema, "type") {
        Some(Value::String(ty)) => {
            return match TYPES.iter().position(|t| t == ty) {
                Some(i) => Cow::Borrowed(&TYPES[i..=i]),
                None => Cow::Borrowed(&[]),
            };
        }
        Some(_) => return Cow::Owned(declared_types(schema).unwrap_or_default()),
        None => {}
    }
    let has = |keys: &[&str]| schema.keys().any(|k| keys.contains(&k.as_str()));
    let only = |ty: &str| {
        let i = TYPES.iter().position(|t| *t == ty).expect("a known type");
        Cow::Borrowed(&TYPES[i..=i])
    };
    if has(&[
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
    ]) {
        only("object")
    } else if has(&[
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
    ]) {
        only("array")
    } else if has(&["minLength", "maxLength", "pattern", "format"]) {
        only("string")
    } else if has(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        only("number")
    } else {
        Cow::Borrowed(&TYPES)
    }
}

/// Whether `schema` forbids properties it does not declare.
pub(super) fn is_closed(schema: &Value) -> bool {
    schema.get("additionalProperties") == Some(&Value::Bool(false))
        && schema.get("patternProperties").is_none()
}

/// The names in `required`.
pub(super) fn required(schema: &Value) -> Vec<&str> {
    schema.as_object().map(required_in).unwrap_or_default()
}

/// The names in the `required` of a schema object.
pub(super) fn required_in(schema: &Map<String, Value>) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A schema no looser than the conjunction of `base` and `branch`, and no
/// tighter: every value valid under both is valid under it, which is what
/// both the generator (then filtering) and the subset check (on the
/// stronger side) need. `required` is united, `type` intersected,
/// `properties` merged; for any other keyword the branch wins.
pub(super) fn conjoin(base: &Map<String, Value>, branch: &Value) -> Map<String, Value> {
    let mut merged = base.clone();
    let Value::Object(branch) = branch else {
        if *branch == Value::Bool(false) {
            merged.insert("not".into(), Value::Object(Map::new()));
        }
        return merged;
    };
    for (key, value) in branch {
        match (key.as_str(), merged.get_mut(key)) {
            ("required", Some(Value::Array(names))) => {
                for name in value.as_array().into_iter().flatten() {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
            }
            ("properties", Some(Value::Object(properties))) => {
                if let Value::Object(more) = value {
                    for (name, property) in more {
                        properties.insert(name.clone(), property.clone());
                    }
                }
            }
            ("type", Some(existing)) => {
                let ours = declared_types(base).unwrap_or_default();
                let theirs = declared_types(branch).unwrap_or_default();
                let both: Vec<Value> = ours
                    .iter()
                    .filter(|t| {
                        theirs.contains(t) || (**t == "integer" && theirs.contains(&"number"))
                    })
                    .chain(
                        theirs
                            .iter()
                            .filter(|t| **t == "integer" && ours.contains(&"number")),
                    )
                    .map(|t| Value::String((*t).to_owned()))
                    .collect();
                *existing = Value::Array(both);
            }
            _ => {
                merged.insert(key.clone(), value.clone());
            }
        }
    }
    merged
}

/// One end of a numeric range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    /// The limit.
    pub value: f64,
    /// Whether the limit itself is excluded.
    pub exclusive: bool,
}

/// The numeric range of a schema: `minimum`/`exclusiveMinimum` and
/// `maximum`/`exclusiveMaximum` (2019-09 and later, and draft-07, write
/// exclusive bounds as numbers), the tighter of each pair.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Range {
    /// The lower end.
    pub low: Option<Bound>,
    /// The upper end.
    pub high: Option<Bound>,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
}

impl Range {
    /// The range `schema` allows.
    pub fn of(schema: &Map<String, Value>) -> Self {
        let number = |key: &str| keyword(schema, key).and_then(Value::as_f64);
        let pick = |inclusive: Option<f64>, exclusive: Option<f64>, lower: bool| {
            let candidates = [
                inclusive.map(|value| Bound {
                    value,
                    exclusive: false,
                }),
                exclusive.map(|value| Bound {
                    value,
                    exclusive: true,
                }),
            ];
            candidates.into_iter().flatten().reduce(|a, b| {
                let a_tighter = if lower {
                    a.value > b.value || (a.value == b.value && a.exclusive)
                } else {
                    a.value < b.value || (a.value == b.value && a.exclusive)
                };
                if a_tighter { a } else { b }
            })
        };
        Self {
            low: pick(number("minimum"), number("exclusiveMinimum"), true),
            high: pick(number("maximum"), number("exclusiveMaximum"), false),
            multiple_of: number("multipleOf").filter(|m| *m > 0.0),
        }
    }

    /// The range over integers: bounds rounded inward and made inclusive.
    pub(super) fn integral(self) -> (Option<f64>, Option<f64>) {
        let low = self.low.map(|b| {
            if b.exclusive {
                b.value.floor() + 1.0
            } else {
                b.value.ceil()
            }
        });
        let high = self.high.map(|b| {
            if b.exclusive {
                b.value.ceil() - 1.0
            } else {
                b.value.floor()
            }
        });
        (low, high)
    }
}

/// An unsigned keyword such as `minLength`.
pub(super) fn count(schema: &Map<String, Value>, key: &str) -> Option<u64> {
    keyword(schema, key).and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn types_are_declared_or_inferred() {
        assert_eq!(
            declared_types(&map(json!({"type": ["string", "null"]}))),
            Some(vec!["null", "string"])
        );
        assert_eq!(*value_types(&map(json!({"maxLength": 3}))), ["string"]);
        assert_eq!(*value_types(&map(json!({"type": "integer"}))), ["integer"]);
        assert!(value_types(&map(json!({"type": "bogus"}))).is_empty());
        assert_eq!(value_types(&map(json!({}))).len(), 7);
    }

    #[test]
    fn ranges_keep_the_tighter_bound() {
        let range = Range::of(&map(
            json!({"minimum": 1, "exclusiveMinimum": 1, "maximum": 9.5}),
        ));
        assert_eq!(
            range.low,
            Some(Bound {
                value: 1.0,
                exclusive: true
            })
        );
        assert_eq!(range.integral(), (Some(2.0), Some(9.0)));
    }

    #[test]
    fn conjunctions_unite_required_and_intersect_types() {
        let merged = conjoin(
            &map(json!({"type": ["integer", "string"], "required": ["a"]})),
            &json!({"type": ["number"], "required": ["b"]}),
        );
        assert_eq!(merged["type"], json!(["integer"]));
        assert_eq!(merged["required"], json!(["a", "b"]));
    }

    #[test]
    fn references_resolve_locally() {
        let root = json!({"$defs": {"a": {"type": "string"}}});
        assert_eq!(
            resolve(&root, "#/$defs/a"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(resolve(&root, "other.json#/a"), None);
    }
}
