//! Ops applied to JSON Schemas: pushing an old input schema through a chain of
//! ops yields the shape the migrated arguments have, which the generator
//! compares with the new version's schema.

use serde_json::{Map, Value, json};

use super::{Add, FieldPath, Move, Op, Remove, Rename, SetDefault};

/// Why an op cannot be applied to a schema.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct SchemaError {
    /// What went wrong.
    pub kind: SchemaErrorKind,
    /// Which of the op's fields the problem is about (`from`, `to`, `path`).
    pub field: &'static str,
}

/// The kinds of [`SchemaError`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchemaErrorKind {
    /// The op reads a field the schema does not declare.
    #[error("`{0}` is not a property of the schema at this point of the chain")]
    Missing(FieldPath),
    /// The op writes a field the schema already declares.
    #[error("`{0}` is already a property of the schema at this point of the chain")]
    Exists(FieldPath),
    /// An enclosing schema of the path does not describe an object with `properties`.
    #[error("`{0}` is inside a value that is not an object with declared properties")]
    NotAnObject(FieldPath),
}

/// Applies `op` to `schema`, the schema of the arguments before the op.
pub fn transform_schema(op: &Op, schema: &mut Value) -> Result<(), SchemaError> {
    match op {
        Op::Rename(Rename { from, to }) => {
            relocate(schema, from, &from.with_leaf(to)).map_err(|(kind, field)| SchemaError {
                kind,
                field: if field == "to" { "to" } else { "from" },
            })
        }
        Op::Move(Move { from, to }) => {
            relocate(schema, from, to).map_err(|(kind, field)| SchemaError { kind, field })
        }
        Op::Add(Add { path, default }) => {
            let at = |kind| SchemaError {
                kind,
                field: "path",
            };
            if property_schema(schema, path).is_some() {
                return Err(at(SchemaErrorKind::Exists(path.clone())));
            }
            let mut added = json!({});
            if let Some(default) = default {
                added["default"] = default.clone();
            }
            insert_property(schema, path, added, false).map_err(at)
        }
        Op::Remove(Remove { path }) => {
            take_property(schema, path)
                .map(drop)
                .map_err(|kind| SchemaError {
                    kind,
                    field: "path",
                })
        }
        Op::SetDefault(SetDefault { path, value }) => match property_mut(schema, path) {
            Some(Value::Object(property)) => {
                property.insert("default".into(), value.clone());
                Ok(())
            }
            Some(Value::Bool(true)) => {
                *property_mut(schema, path).expect("just found") = json!({"default": value});
                Ok(())
            }
            _ => Err(SchemaError {
                kind: SchemaErrorKind::Missing(path.clone()),
                field: "path",
            }),
        },
    }
}

fn relocate(
    schema: &mut Value,
    from: &FieldPath,
    to: &FieldPath,
) -> Result<(), (SchemaErrorKind, &'static str)> {
    if property_schema(schema, from).is_none() {
        return Err((SchemaErrorKind::Missing(from.clone()), "from"));
    }
    if property_schema(schema, to).is_some() {
        return Err((SchemaErrorKind::Exists(to.clone()), "to"));
    }
    let required = is_required(schema, from);
    let moved = take_property(schema, from).map_err(|kind| (kind, "from"))?;
    insert_property(schema, to, moved, required).map_err(|kind| (kind, "to"))
}

/// The subschema of the property at `path`.
pub fn property_schema<'s>(schema: &'s Value, path: &FieldPath) -> Option<&'s Value> {
    path.segments()
        .iter()
        .try_fold(schema, |s, key| s.get("properties")?.get(key))
}

fn property_mut<'s>(schema: &'s mut Value, path: &FieldPath) -> Option<&'s mut Value> {
    path.segments()
        .iter()
        .try_fold(schema, |s, key| s.get_mut("properties")?.get_mut(key))
}

fn parent_mut<'s>(
    schema: &'s mut Value,
    path: &FieldPath,
) -> Result<&'s mut Map<String, Value>, SchemaErrorKind> {
    let mut current = schema;
    for key in path.parents() {
        current = current
            .get_mut("properties")
            .and_then(|p| p.get_mut(key))
            .ok_or_else(|| SchemaErrorKind::Missing(path.clone()))?;
    }
    current
        .as_object_mut()
        .ok_or_else(|| SchemaErrorKind::NotAnObject(path.clone()))
}

fn is_required(schema: &Value, path: &FieldPath) -> bool {
    let parent = path
        .parents()
        .iter()
        .try_fold(schema, |s, key| s.get("properties")?.get(key));
    parent
        .and_then(|p| p.get("required"))
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|k| k.as_str() == Some(path.leaf())))
}

fn take_property(schema: &mut Value, path: &FieldPath) -> Result<Value, SchemaErrorKind> {
    let parent = parent_mut(schema, path)?;
    let taken = parent
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .and_then(|p| p.shift_remove(path.leaf()))
        .ok_or_else(|| SchemaErrorKind::Missing(path.clone()))?;
    if let Some(Value::Array(required)) = parent.get_mut("required") {
        required.retain(|k| k.as_str() != Some(path.leaf()));
        if required.is_empty() {
            parent.shift_remove("required");
        }
    }
    prune_emptied_objects(schema, path);
    Ok(taken)
}

/// Drops enclosing object schemas that the removal left without properties,
/// mirroring what the data transform does with emptied objects.
fn prune_emptied_objects(schema: &mut Value, path: &FieldPath) {
    for depth in (1..path.segments().len()).rev() {
        let parent = FieldPath::parse(&path.segments()[..depth].join("."))
            .expect("segments of a valid path are non-empty");
        let emptied = property_schema(schema, &parent)
            .and_then(|p| p.get("properties"))
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty);
        if !emptied {
            return;
        }
        let _ = take_property(schema, &parent);
    }
}

fn insert_property(
    schema: &mut Value,
    path: &FieldPath,
    subschema: Value,
    required: bool,
) -> Result<(), SchemaErrorKind> {
    let mut current = schema;
    for key in path.parents() {
        let object = current
            .as_object_mut()
            .ok_or_else(|| SchemaErrorKind::NotAnObject(path.clone()))?;
        if required {
            require(object, key);
        }
        let properties = object
            .entry("properties")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or_else(|| SchemaErrorKind::NotAnObject(path.clone()))?;
        current = properties
            .entry(key.clone())
            .or_insert_with(|| json!({"type": "object", "properties": {}}));
        if current.get("properties").is_none() {
            return Err(SchemaErrorKind::NotAnObject(path.clone()));
        }
    }
    let object = current
        .as_object_mut()
        .ok_or_else(|| SchemaErrorKind::NotAnObject(path.clone()))?;
    if required {
        require(object, path.leaf());
    }
    object
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| SchemaErrorKind::NotAnObject(path.clone()))?
        .insert(path.leaf().to_owned(), subschema);
    Ok(())
}

fn require(object: &mut Map<String, Value>, key: &str) {
    let required = object
        .entry("required")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(keys) = required
        && !keys.iter().any(|k| k.as_str() == Some(key))
    {
        keys.push(Value::String(key.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(value: Value) -> Op {
        serde_json::from_value(value).unwrap()
    }

    fn v1() -> Value {
        json!({
            "type": "object",
            "required": ["query"],
            "properties": {
                "query": {"type": "string"},
                "maxResults": {"type": "integer"},
                "category": {"type": "string"}
            }
        })
    }

    #[test]
    fn rename_keeps_required_and_position_of_others() {
        let mut schema = v1();
        transform_schema(
            &op(json!({"rename": {"from": "query", "to": "q"}})),
            &mut schema,
        )
        .unwrap();
        assert_eq!(schema["required"], json!(["q"]));
        assert_eq!(schema["properties"]["q"], json!({"type": "string"}));
        assert!(schema["properties"].get("query").is_none());
    }

    #[test]
    fn move_creates_the_enclosing_object() {
        let mut schema = v1();
        transform_schema(
            &op(json!({"move": {"from": "category", "to": "filters.category"}})),
            &mut schema,
        )
        .unwrap();
        assert_eq!(
            schema["properties"]["filters"],
            json!({"type": "object", "properties": {"category": {"type": "string"}}})
        );
    }

    #[test]
    fn moving_a_required_field_keeps_it_required_at_every_level() {
        let mut schema = v1();
        transform_schema(
            &op(json!({"move": {"from": "query", "to": "q.text"}})),
            &mut schema,
        )
        .unwrap();
        assert_eq!(schema["required"], json!(["q"]));
        assert_eq!(schema["properties"]["q"]["required"], json!(["text"]));
    }

    #[test]
    fn strictness_errors_name_the_offending_field() {
        let mut schema = v1();
        let onto_existing = transform_schema(
            &op(json!({"rename": {"from": "maxResults", "to": "query"}})),
            &mut schema,
        );
        assert_eq!(onto_existing.unwrap_err().field, "to");
        let missing = transform_schema(&op(json!({"remove": {"path": "nope"}})), &mut schema);
        assert_eq!(
            missing.unwrap_err(),
            SchemaError {
                kind: SchemaErrorKind::Missing(FieldPath::parse("nope").unwrap()),
                field: "path"
            }
        );
        let into_scalar = transform_schema(
            &op(json!({"move": {"from": "maxResults", "to": "query.limit"}})),
            &mut schema,
        );
        assert_eq!(into_scalar.unwrap_err().field, "to");
    }

    #[test]
    fn add_and_set_default_record_defaults() {
        let mut schema = v1();
        transform_schema(
            &op(json!({"add": {"path": "sortBy", "default": "relevance"}})),
            &mut schema,
        )
        .unwrap();
        transform_schema(
            &op(json!({"set_default": {"path": "maxResults", "value": 10}})),
            &mut schema,
        )
        .unwrap();
        assert_eq!(
            schema["properties"]["sortBy"],
            json!({"default": "relevance"})
        );
        assert_eq!(schema["properties"]["maxResults"]["default"], json!(10));
    }

    #[test]
    fn moving_the_last_field_out_prunes_the_object() {
        let mut schema = json!({"type": "object", "properties": {"f": {"type": "object", "properties": {"c": {}}}}});
        transform_schema(
            &op(json!({"move": {"from": "f.c", "to": "c"}})),
            &mut schema,
        )
        .unwrap();
        assert_eq!(schema, json!({"type": "object", "properties": {"c": {}}}));
    }
}
