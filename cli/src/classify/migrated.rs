//! The shape old values have after a step's ops ran on them, as a schema:
//! the old schema pushed through the ops with the runtime's own
//! `transform_schema`, sharpened where the schema transform has to stay
//! general but the data transform is exact — objects a `move` creates hold
//! only what was moved, and an `add` (or `set_default`) with a value fills
//! it into every request.

use mcpgen_runtime::migrate::{
    Add, FieldPath, Move, Op, Rename, Scoped, SetDefault, transform_schema,
};
use serde_json::{Value, json};

/// Why the ops could not be pushed through the schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Unpushable {
    /// A `custom` op without a `schema` patch: its effect is unknown.
    Opaque(String),
    /// The ops do not fit the schema (validation reports these).
    Invalid(String),
}

/// How requests are filled: request ops fill defaults into the value the
/// handler sees; response ops run backwards, so their fills mean nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fills {
    Request,
    Response,
}

/// `schema` after `ops`.
pub(crate) fn push(schema: &Value, ops: &[Op], fills: Fills) -> Result<Value, Unpushable> {
    let mut shape = schema.clone();
    apply(ops, &mut shape, fills)?;
    Ok(shape)
}

fn apply(ops: &[Op], schema: &mut Value, fills: Fills) -> Result<(), Unpushable> {
    for op in ops {
        match op {
            Op::In(Scoped { path, ops }) => {
                let inner = property_mut(schema, path)
                    .filter(|p| p.get("properties").is_some())
                    .ok_or_else(|| invalid(op))?;
                apply(ops, inner, fills)?;
            }
            Op::Each(Scoped { path, ops }) => {
                let array = property_mut(schema, path)
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| invalid(op))?;
                let items = array.entry("items").or_insert_with(|| json!({}));
                if *items == Value::Bool(true) {
                    *items = json!({});
                }
                apply(ops, items, fills)?;
            }
            Op::Rename(Rename { from, to }) => {
                relocate(op, schema, &from.with_leaf(to))?;
            }
            Op::Move(Move { to, .. }) => relocate(op, schema, to)?,
            Op::Add(Add { path, default }) if fills == Fills::Request => {
                let closed = parent_is_closed(schema, path);
                transform(op, schema)?;
                match default {
                    // Old callers could not send it, so every migrated
                    // request carries exactly the default.
                    Some(value) if closed => {
                        set_property(schema, path, json!({"const": value}));
                        require(schema, path);
                    }
                    Some(_) => require(schema, path),
                    // Nothing is filled and nobody could send it: migrated
                    // requests never have it.
                    None if closed => remove_property(schema, path),
                    None => {}
                }
            }
            Op::SetDefault(SetDefault { path, .. }) if fills == Fills::Request => {
                transform(op, schema)?;
                require(schema, path);
            }
            _ => transform(op, schema)?,
        }
    }
    Ok(())
}

fn transform(op: &Op, schema: &mut Value) -> Result<(), Unpushable> {
    transform_schema(op, schema).map_err(|error| match error.kind {
        mcpgen_runtime::migrate::SchemaErrorKind::Opaque(function) => Unpushable::Opaque(function),
        _ => Unpushable::Invalid(error.to_string()),
    })
}

fn invalid(op: &Op) -> Unpushable {
    Unpushable::Invalid(format!("`{}` does not fit the schema", op.name()))
}

/// Runs a `rename` or `move`, then closes every enclosing object it created:
/// at run time such an object only ever holds the moved value.
fn relocate(op: &Op, schema: &mut Value, to: &FieldPath) -> Result<(), Unpushable> {
    let missing: Vec<FieldPath> = ancestors(to)
        .into_iter()
        .filter(|a| property(schema, a).is_none())
        .collect();
    transform(op, schema)?;
    for created in missing {
        if let Some(Value::Object(object)) = property_mut(schema, &created) {
            object.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
    Ok(())
}

fn ancestors(path: &FieldPath) -> Vec<FieldPath> {
    (1..path.segments().len())
        .filter_map(|depth| FieldPath::parse(&path.segments()[..depth].join(".")).ok())
        .collect()
}

fn property<'s>(schema: &'s Value, path: &FieldPath) -> Option<&'s Value> {
    path.segments()
        .iter()
        .try_fold(schema, |s, key| s.get("properties")?.get(key))
}

fn property_mut<'s>(schema: &'s mut Value, path: &FieldPath) -> Option<&'s mut Value> {
    path.segments()
        .iter()
        .try_fold(schema, |s, key| s.get_mut("properties")?.get_mut(key))
}

fn parent_mut<'s>(schema: &'s mut Value, path: &FieldPath) -> Option<&'s mut Value> {
    path.parents()
        .iter()
        .try_fold(schema, |s, key| s.get_mut("properties")?.get_mut(key))
}

fn parent_is_closed(schema: &Value, path: &FieldPath) -> bool {
    let parent = path
        .parents()
        .iter()
        .try_fold(schema, |s, key| s.get("properties")?.get(key));
    match parent.and_then(Value::as_object) {
        Some(object) => !super::diff::accepts_unknown(object),
        // The op creates the parent, so it holds only what the op puts there.
        None => true,
    }
}

fn set_property(schema: &mut Value, path: &FieldPath, value: Value) {
    if let Some(slot) = property_mut(schema, path) {
        *slot = value;
    }
}

fn remove_property(schema: &mut Value, path: &FieldPath) {
    if let Some(Value::Object(properties)) =
        parent_mut(schema, path).and_then(|p| p.get_mut("properties"))
    {
        properties.shift_remove(path.leaf());
    }
}

fn require(schema: &mut Value, path: &FieldPath) {
    let Some(Value::Object(parent)) = parent_mut(schema, path) else {
        return;
    };
    let required = parent
        .entry("required")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(keys) = required
        && !keys.iter().any(|k| k.as_str() == Some(path.leaf()))
    {
        keys.push(Value::String(path.leaf().to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(value: Value) -> Vec<Op> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn moves_close_the_objects_they_create() {
        let old = json!({"type": "object", "additionalProperties": false, "properties": {"category": {"type": "string"}}});
        let pushed = push(
            &old,
            &ops(json!([{"move": {"from": "category", "to": "filters.category"}}])),
            Fills::Request,
        )
        .unwrap();
        assert_eq!(
            pushed["properties"]["filters"]["additionalProperties"],
            json!(false)
        );
    }

    #[test]
    fn adds_with_defaults_are_always_present_in_requests() {
        let old = json!({"type": "object", "additionalProperties": false, "properties": {"q": {}}});
        let pushed = push(
            &old,
            &ops(json!([{"add": {"path": "sort", "default": "relevance"}}, {"add": {"path": "page"}}])),
            Fills::Request,
        )
        .unwrap();
        assert_eq!(pushed["properties"]["sort"], json!({"const": "relevance"}));
        assert_eq!(pushed["required"], json!(["sort"]));
        assert!(pushed["properties"].get("page").is_none());
        let response = push(
            &old,
            &ops(json!([{"add": {"path": "sort", "default": "relevance"}}])),
            Fills::Response,
        )
        .unwrap();
        assert!(response.get("required").is_none());
    }

    #[test]
    fn opaque_custom_ops_are_reported() {
        let old = json!({"type": "object", "properties": {}});
        assert_eq!(
            push(&old, &ops(json!([{"custom": {"fn": "f"}}])), Fills::Request),
            Err(Unpushable::Opaque("f".into()))
        );
    }
}
