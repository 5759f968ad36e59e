//! The schema of migrated values, for proofs: an old schema pushed through a
//! chain of ops with [`transform_schema`], made exact where the data ops are
//! (a field added to a closed object holds exactly its default) and refused
//! where the schema transform only approximates them.
//!
//! A proof needs every migrated value to be valid under the pushed schema.
//! `transform_schema` is written for checking op targets, and some data ops
//! do more than it says: a `coerce` leaves values it cannot convert as they
//! were, a `rename` in an object that allows undeclared properties may find
//! the new name already there, a `set_default` may write a value its schema
//! rejects. Each such case makes [`through`] give up, and the chain is
//! tested on instances instead.

use serde_json::{Map, Value, json};

use super::keywords::{self, Range};
use crate::migrate::{
    Add, Clamp, Coerce, FieldPath, JsonType, MapValues, Move, Op, Remove, Rename, Scoped,
    SetDefault, Unwrap, transform_schema,
};

/// The schema of `ops` applied to values valid under `schema`, or `None`
/// when it cannot be stated exactly enough to prove anything.
pub(super) fn through(schema: &Value, ops: &[Op]) -> Option<Value> {
    let mut pushed = schema.clone();
    for op in ops {
        push(op, &mut pushed)?;
    }
    Some(pushed)
}

fn transform(op: &Op, scope: &mut Value) -> Option<()> {
    transform_schema(op, scope).ok()
}

fn push(op: &Op, scope: &mut Value) -> Option<()> {
    match op {
        Op::Rename(Rename { from, to }) => {
            let to = from.with_leaf(to);
            relocation_is_exact(scope, from, &to)?;
            transform(op, scope)
        }
        Op::Move(Move { from, to }) => {
            relocation_is_exact(scope, from, to)?;
            let created = first_missing_parent(scope, to);
            transform(op, scope)?;
            close_created(scope, to, created);
            Some(())
        }
        Op::Add(Add { path, default }) => {
            writes_are_exact(scope, path).then_some(())?;
            let created = first_missing_parent(scope, path);
            let closed = created.is_some() || parent(scope, path).is_some_and(keywords::is_closed);
            transform(op, scope)?;
            close_created(scope, path, created);
            if closed {
                // The key cannot be there already, so the op decides its value.
                *property_mut(scope, path)? = match default {
                    Some(value) => json!({"const": value, "default": value}),
                    None => Value::Bool(false),
                };
            }
            if default.is_some() {
                require_path(scope, path);
            }
            Some(())
        }
        Op::Remove(Remove { path, .. }) => {
            // The data op leaves an emptied object behind; the schema
            // transform drops it.
            if !path.parents().is_empty()
                && parent(scope, path)
                    .and_then(|p| p.get("properties"))
                    .and_then(Value::as_object)
                    .is_none_or(|p| p.len() < 2)
            {
                return None;
            }
            transform(op, scope)
        }
        Op::SetDefault(SetDefault { path, value }) => {
            writes_are_exact(scope, path).then_some(())?;
            let original = property_mut(scope, path)?.clone();
            transform(op, scope)?;
            let mut either = json!({"anyOf": [original, {"const": value}]});
            either["default"] = value.clone();
            *property_mut(scope, path)? = either;
            require_path(scope, path);
            Some(())
        }
        Op::Wrap(_) => transform(op, scope),
        Op::Unwrap(Unwrap { path, .. }) => {
            let property = property_mut(scope, path)?.as_object()?;
            let never_empty = keywords::count(property, "minItems").unwrap_or(0) >= 1;
            if !is_only(property, "array")
                || property.contains_key("prefixItems")
                || (!never_empty && is_required(scope, path))
            {
                return None;
            }
            transform(op, scope)
        }
        Op::MapValues(MapValues { path, map, .. }) => {
            let original = property_mut(scope, path)?.clone();
            transform(op, scope)?;
            let property = property_mut(scope, path)?;
            // Listed values are mapped one by one; any other value may meet
            // the map or not.
            *property = if let Some(values) = property.get("enum") {
                json!({"enum": values})
            } else if let Some(value) = property.get("const") {
                json!({"const": value})
            } else {
                let targets: Vec<&Value> = map.values().collect();
                json!({"anyOf": [original, {"enum": targets}]})
            };
            Some(())
        }
        Op::Coerce(coerce) => {
            let property = property_mut(scope, &coerce.path)?.as_object()?;
            if !conversion_always_succeeds(property, coerce) {
                return None;
            }
            transform(op, scope)
        }
        Op::Clamp(Clamp { path, min, max, .. }) => {
            let property = property_mut(scope, path)?.as_object()?;
            let range = Range::of(property);
            let integral = is_only(property, "integer");
            let fits = |bound: &Option<serde_json::Number>| {
                bound
                    .as_ref()
                    .and_then(|b| b.as_f64())
                    .is_none_or(|b| !integral || b.fract() == 0.0)
            };
            // A clamp bound outside the old range would produce values the
            // narrowed schema (which keeps the other bound) rejects.
            let inside = min
                .as_ref()
                .and_then(|m| m.as_f64())
                .zip(range.high)
                .is_none_or(|(m, high)| m < high.value)
                && max
                    .as_ref()
                    .and_then(|m| m.as_f64())
                    .zip(range.low)
                    .is_none_or(|(m, low)| m > low.value);
            if range.multiple_of.is_some() || !fits(min) || !fits(max) || !inside {
                return None;
            }
            transform(op, scope)
        }
        Op::In(Scoped { path, ops }) => {
            let probe = Op::In(Scoped {
                path: path.clone(),
                ops: Vec::new(),
            });
            transform(&probe, scope)?;
            let inner = property_mut(scope, path)?;
            ops.iter().try_for_each(|op| push(op, inner))
        }
        Op::Each(Scoped { path, ops }) => {
            let probe = Op::Each(Scoped {
                path: path.clone(),
                ops: Vec::new(),
            });
            transform(&probe, scope)?;
            let property = property_mut(scope, path)?;
            if property.get("prefixItems").is_some() {
                return None;
            }
            let items = property.get_mut("items")?;
            ops.iter().try_for_each(|op| push(op, items))
        }
        Op::Custom(_) => None,
    }
}

/// Whether `coerce` converts every value its property can hold.
fn conversion_always_succeeds(property: &Map<String, Value>, coerce: &Coerce) -> bool {
    let from = match coerce.from {
        JsonType::String => "string",
        JsonType::Integer => "integer",
        JsonType::Number => "number",
        JsonType::Boolean => "boolean",
        JsonType::Array => "array",
    };
    if !is_only(property, from) {
        return false;
    }
    match (coerce.from, coerce.to) {
        (JsonType::Integer | JsonType::Number | JsonType::Boolean, JsonType::String)
        | (JsonType::String, JsonType::Array)
        | (JsonType::Integer, JsonType::Number) => true,
        (JsonType::Array, JsonType::String) => property
            .get("items")
            .and_then(Value::as_object)
            .is_some_and(|items| {
                ["string", "integer", "number", "boolean"]
                    .iter()
                    .any(|ty| is_only(items, ty))
            }),
        (JsonType::Number, JsonType::Integer) => {
            let range = Range::of(property);
            let finite = |b: Option<keywords::Bound>| b.is_some_and(|b| b.value.abs() < 9.0e15);
            finite(range.low) && finite(range.high)
        }
        _ => false,
    }
}

/// Whether `schema` allows exactly one type, `ty`.
fn is_only(schema: &Map<String, Value>, ty: &str) -> bool {
    keywords::declared_types(schema).is_some_and(|types| types == [ty])
}

/// Whether moving the value at `from` to `to` does to data what
/// `transform_schema` says it does to the schema.
fn relocation_is_exact(scope: &Value, from: &FieldPath, to: &FieldPath) -> Option<()> {
    if let Some(parent) = parent(scope, from)
        && !from.parents().is_empty()
    {
        // Taking the value out may empty its object, which the data op then
        // drops; the schema only drops objects left with no declared
        // properties. They agree when the object keeps another required
        // property, or, one level down, keeps declared properties and is
        // optional itself.
        let keeps_a_required = keywords::required(parent)
            .iter()
            .any(|name| *name != from.leaf());
        let declared = parent
            .get("properties")
            .and_then(Value::as_object)
            .map_or(0, Map::len);
        let shallow_and_optional = from.parents().len() == 1
            && declared >= 2
            && !keywords::required(scope).contains(&from.parents()[0].as_str());
        if !keeps_a_required && !shallow_and_optional {
            return None;
        }
    }
    // A value that is always there always overwrites the destination; one
    // that may be missing leaves whatever an open object had there.
    (writes_are_exact(scope, to) && (is_always_present(scope, from) || leaf_is_new(scope, to)))
        .then_some(())
}

/// Whether every object on the way to `path` is one the data op can write
/// into as the schema transform assumes: declared objects that exist or
/// may be created whole, or objects created inside a closed one.
fn writes_are_exact(scope: &Value, path: &FieldPath) -> bool {
    let mut current = scope;
    for key in path.parents() {
        match current.get("properties").and_then(|p| p.get(key)) {
            Some(child) => {
                let Some(object) = child.as_object() else {
                    return false;
                };
                // Created on the fly with a single key, it must not need others.
                let creatable = keywords::required(current).contains(&key.as_str())
                    || keywords::required(child).is_empty();
                if !is_only(object, "object") || !creatable {
                    return false;
                }
                current = child;
            }
            None => return keywords::is_closed(current),
        }
    }
    true
}

/// Whether the key `path` names cannot already be in the data: its object
/// is closed or does not exist yet inside a closed one.
fn leaf_is_new(scope: &Value, path: &FieldPath) -> bool {
    first_missing_parent(scope, path).is_some()
        || parent(scope, path).is_some_and(keywords::is_closed)
}

/// Whether the value at `path` is in every valid value.
fn is_always_present(scope: &Value, path: &FieldPath) -> bool {
    let mut current = scope;
    for key in path.segments() {
        if !keywords::required(current).contains(&key.as_str()) {
            return false;
        }
        match current.get("properties").and_then(|p| p.get(key)) {
            Some(child) => current = child,
            None => return false,
        }
    }
    true
}

fn is_required(scope: &Value, path: &FieldPath) -> bool {
    parent(scope, path).is_some_and(|p| keywords::required(p).contains(&path.leaf()))
}

/// How many of `path`'s enclosing objects exist in the schema, when some
/// do not (the op creates the rest).
fn first_missing_parent(scope: &Value, path: &FieldPath) -> Option<usize> {
    let mut current = scope;
    for (depth, key) in path.parents().iter().enumerate() {
        match current.get("properties").and_then(|p| p.get(key)) {
            Some(child) => current = child,
            None => return Some(depth),
        }
    }
    None
}

/// Objects the op created hold only what it put there.
fn close_created(scope: &mut Value, path: &FieldPath, created: Option<usize>) {
    let Some(first) = created else { return };
    for depth in first..path.parents().len() {
        let prefix = &path.segments()[..=depth];
        if let Some(Value::Object(object)) = segments_mut(scope, prefix) {
            object.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
}

/// Marks every key on `path` required: the op fills the value in,
/// creating enclosing objects.
fn require_path(scope: &mut Value, path: &FieldPath) {
    let mut current = scope;
    for key in path.segments() {
        let Some(object) = current.as_object_mut() else {
            return;
        };
        let required = object
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(names) = required
            && !names.iter().any(|n| n.as_str() == Some(key))
        {
            names.push(Value::String(key.clone()));
        }
        match current.get_mut("properties").and_then(|p| p.get_mut(key)) {
            Some(child) => current = child,
            None => return,
        }
    }
}

fn parent<'s>(scope: &'s Value, path: &FieldPath) -> Option<&'s Value> {
    path.parents()
        .iter()
        .try_fold(scope, |s, key| s.get("properties")?.get(key))
}

fn property_mut<'s>(scope: &'s mut Value, path: &FieldPath) -> Option<&'s mut Value> {
    segments_mut(scope, path.segments())
}

fn segments_mut<'s>(scope: &'s mut Value, segments: &[String]) -> Option<&'s mut Value> {
    segments
        .iter()
        .try_fold(scope, |s, key| s.get_mut("properties")?.get_mut(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{NoCustomOps, apply_all};
    use crate::prove::Generator;
    use proptest::prelude::*;

    fn ops(list: Value) -> Vec<Op> {
        serde_json::from_value(list).unwrap()
    }

    fn closed() -> Value {
        json!({
            "type": "object",
            "required": ["query"],
            "additionalProperties": false,
            "properties": {
                "query": {"type": "string"},
                "maxResults": {"type": "integer", "maximum": 100},
                "category": {"type": "string"}
            }
        })
    }

    #[test]
    fn added_fields_of_closed_objects_are_exactly_their_default() {
        let pushed = through(
            &closed(),
            &ops(json!([
                {"add": {"path": "sortBy", "default": "relevance"}},
                {"add": {"path": "note"}},
                {"move": {"from": "category", "to": "filters.category"}}
            ])),
        )
        .unwrap();
        assert_eq!(
            pushed["properties"]["sortBy"],
            json!({"const": "relevance", "default": "relevance"})
        );
        assert_eq!(pushed["properties"]["note"], json!(false));
        assert_eq!(pushed["required"], json!(["query", "sortBy"]));
        assert_eq!(
            pushed["properties"]["filters"]["additionalProperties"],
            json!(false)
        );
    }

    #[test]
    fn open_objects_keep_what_an_extra_property_could_be() {
        let mut open = closed();
        open.as_object_mut().unwrap().remove("additionalProperties");
        let pushed = through(
            &open,
            &ops(json!([{"add": {"path": "sortBy", "default": "x"}}])),
        )
        .unwrap();
        assert_eq!(pushed["properties"]["sortBy"], json!({"default": "x"}));
        // An optional field renamed onto a name an extra property may hold.
        assert!(
            through(
                &open,
                &ops(json!([{"rename": {"from": "category", "to": "c"}}]))
            )
            .is_none()
        );
        // A required one always overwrites it.
        assert!(
            through(
                &open,
                &ops(json!([{"rename": {"from": "query", "to": "q"}}]))
            )
            .is_some()
        );
    }

    #[test]
    fn inexact_ops_give_up() {
        for op in [
            json!({"coerce": {"path": "category", "from": "string", "to": "integer"}}),
            json!({"custom": {"fn": "f", "schema": {}}}),
            json!({"clamp": {"path": "maxResults", "min": 200, "lossy": true}}),
        ] {
            assert!(
                through(&closed(), &ops(json!([op.clone()]))).is_none(),
                "{op}"
            );
        }
        assert!(
            through(
                &closed(),
                &ops(
                    json!([{"coerce": {"path": "maxResults", "from": "integer", "to": "string"}}])
                )
            )
            .is_some()
        );
    }

    #[test]
    fn map_values_lists_what_may_come_out() {
        let schema = json!({"type": "object", "properties": {"s": {"type": "string", "enum": ["a", "b"]}, "t": {"type": "string"}}});
        let pushed = through(
            &schema,
            &ops(json!([
                {"map_values": {"path": "s", "map": {"a": 1}}},
                {"map_values": {"path": "t", "map": {"a": 1}}}
            ])),
        )
        .unwrap();
        assert_eq!(pushed["properties"]["s"], json!({"enum": [1, "b"]}));
        assert_eq!(
            pushed["properties"]["t"],
            json!({"anyOf": [{"type": "string"}, {"enum": [1]}]})
        );
    }

    /// A schema with a field of each kind the ops touch, closed or open.
    fn rich(closed: bool) -> Value {
        let mut schema = json!({
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": "string", "minLength": 1},
                "b": {"type": "integer", "minimum": 0, "maximum": 10},
                "c": {"type": "string", "enum": ["p", "q"]},
                "d": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                "e": {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "boolean"}}},
                "f": {"type": ["string", "null"]},
                "n": {"type": "number", "minimum": -5, "maximum": 5}
            }
        });
        if closed {
            schema["additionalProperties"] = json!(false);
            schema["properties"]["e"]["additionalProperties"] = json!(false);
        }
        schema
    }

    fn op_pool() -> Vec<Op> {
        ops(json!([
            {"rename": {"from": "b", "to": "b2"}},
            {"rename": {"from": "a", "to": "a2"}},
            {"add": {"path": "g", "default": 1}},
            {"add": {"path": "h"}},
            {"add": {"path": "k.l", "default": "z"}},
            {"remove": {"path": "c", "default": "p"}},
            {"remove": {"path": "e.x"}},
            {"set_default": {"path": "b", "value": 5}},
            {"set_default": {"path": "c", "value": "zz"}},
            {"set_default": {"path": "e.y", "value": true}},
            {"move": {"from": "a", "to": "e.a"}},
            {"move": {"from": "b", "to": "m.b"}},
            {"move": {"from": "e.x", "to": "x"}},
            {"wrap": {"path": "f"}},
            {"unwrap": {"path": "d"}},
            {"map_values": {"path": "c", "map": {"p": 1}}},
            {"map_values": {"path": "a", "map": {"a": 7}}},
            {"coerce": {"path": "b", "from": "integer", "to": "string"}},
            {"coerce": {"path": "a", "from": "string", "to": "integer"}},
            {"coerce": {"path": "n", "from": "number", "to": "integer"}},
            {"coerce": {"path": "d", "from": "array", "to": "string"}},
            {"clamp": {"path": "b", "max": 3, "lossy": true}},
            {"clamp": {"path": "n", "min": 0.5, "lossy": true}},
            {"in": {"path": "e", "ops": [{"rename": {"from": "x", "to": "x2"}}, {"add": {"path": "z", "default": 0}}]}},
            {"each": {"path": "d", "ops": [{"map_values": {"path": ".", "map": {"a": "b"}}}]}}
        ]))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// What proofs rest on: every value the ops make of a valid value
        /// is valid under the pushed schema.
        #[test]
        fn migrated_values_fit_the_pushed_schema(
            closed in any::<bool>(),
            picks in proptest::collection::vec(0..25usize, 1..4),
            seed in any::<u64>(),
        ) {
            let from = rich(closed);
            let pool = op_pool();
            let chain: Vec<Op> = picks.iter().map(|i| pool[*i].clone()).collect();
            if let Some(pushed) = through(&from, &chain) {
                let validator = jsonschema::validator_for(&pushed).expect("the pushed schema compiles");
                for value in Generator::new(&from).unwrap().instances(seed, 16) {
                    let mut migrated = value.clone();
                    apply_all(&chain, &mut migrated, &NoCustomOps).unwrap();
                    prop_assert!(
                        validator.is_valid(&migrated),
                        "{value} became {migrated}, outside {pushed}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_pool_is_mostly_exact_on_closed_objects() {
        let pushed = op_pool()
            .iter()
            .filter(|op| through(&rich(true), std::slice::from_ref(op)).is_some())
            .count();
        assert!(pushed >= 15, "only {pushed} ops push through");
    }
}
