//! Ops applied to JSON Schemas: pushing an old input schema through a chain of
//! ops yields the shape the migrated arguments have, which the generator
//! compares with the new version's schema.

use serde_json::{Map, Value, json};

use super::{
    Add, Clamp, Coerce, Custom, FieldPath, JsonType, MapValues, Move, Op, Remove, Rename, Scoped,
    SetDefault, Unwrap, Wrap,
};

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
    /// The value at the path does not have the type the op works on.
    #[error("`{0}` is not declared as {1}")]
    WrongType(FieldPath, &'static str),
    /// A `custom` op without a `schema` patch: what it does to the schema is unknown.
    #[error(
        "custom migration `{0}` declares no `schema` patch, so its effect on the schema is unknown"
    )]
    Opaque(String),
}

/// Applies `op` to `schema`, the schema of the value before the op.
pub fn transform_schema(op: &Op, schema: &mut Value) -> Result<(), SchemaError> {
    let at = |field: &'static str| move |kind| SchemaError { kind, field };
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
            if property_schema(schema, path).is_some() {
                return Err(at("path")(SchemaErrorKind::Exists(path.clone())));
            }
            let mut added = json!({});
            if let Some(default) = default {
                added["default"] = default.clone();
            }
            insert_property(schema, path, added, false).map_err(at("path"))
        }
        Op::Remove(Remove { path, .. }) => {
            take_property(schema, path).map(drop).map_err(at("path"))
        }
        Op::SetDefault(SetDefault { path, value }) => {
            let property = existing(schema, path).map_err(at("path"))?;
            as_object(property).insert("default".into(), value.clone());
            Ok(())
        }
        Op::Wrap(Wrap { path }) => {
            let property = existing(schema, path).map_err(at("path"))?;
            *property = json!({"type": "array", "items": property.take()});
            Ok(())
        }
        Op::Unwrap(Unwrap { path, .. }) => {
            let property = existing(schema, path).map_err(at("path"))?;
            if !allows_type(property, "array") {
                return Err(at("path")(SchemaErrorKind::WrongType(
                    path.clone(),
                    "array",
                )));
            }
            *property = property.get("items").cloned().unwrap_or_else(|| json!({}));
            Ok(())
        }
        Op::MapValues(MapValues { path, map, .. }) => {
            let property = as_object(existing(schema, path).map_err(at("path"))?);
            for keyword in ["enum", "examples"] {
                if let Some(Value::Array(values)) = property.get_mut(keyword) {
                    let mut mapped: Vec<Value> = Vec::with_capacity(values.len());
                    for value in values.iter_mut() {
                        super::value::map(value, map);
                        if !mapped.contains(value) {
                            mapped.push(value.take());
                        }
                    }
                    *values = mapped;
                }
            }
            for keyword in ["const", "default"] {
                if let Some(value) = property.get_mut(keyword) {
                    super::value::map(value, map);
                }
            }
            Ok(())
        }
        Op::Coerce(op) => coerce(schema, op).map_err(at("path")),
        Op::Clamp(Clamp { path, min, max, .. }) => {
            let property = existing(schema, path).map_err(at("path"))?;
            if !allows_type(property, "number") && !allows_type(property, "integer") {
                return Err(at("path")(SchemaErrorKind::WrongType(
                    path.clone(),
                    "number",
                )));
            }
            let property = as_object(property);
            narrow(property, "minimum", min.as_ref(), |new, old| new > old);
            narrow(property, "maximum", max.as_ref(), |new, old| new < old);
            Ok(())
        }
        Op::In(Scoped { path, ops }) => {
            let property = existing(schema, path).map_err(at("path"))?;
            if property.get("properties").is_none() {
                return Err(at("path")(SchemaErrorKind::NotAnObject(path.clone())));
            }
            ops.iter().try_for_each(|op| transform_schema(op, property))
        }
        Op::Each(Scoped { path, ops }) => {
            let property = existing(schema, path).map_err(at("path"))?;
            if !allows_type(property, "array") {
                return Err(at("path")(SchemaErrorKind::WrongType(
                    path.clone(),
                    "array",
                )));
            }
            let items = as_object(property)
                .entry("items")
                .or_insert_with(|| json!({}));
            if *items == Value::Bool(true) {
                *items = json!({});
            }
            ops.iter().try_for_each(|op| transform_schema(op, items))
        }
        Op::Custom(Custom {
            function,
            schema: patch,
            ..
        }) => match patch {
            Some(patch) => {
                json_patch::merge(schema, patch);
                Ok(())
            }
            None => Err(at("fn")(SchemaErrorKind::Opaque(function.clone()))),
        },
    }
}

/// The property at `path`, which must exist. `true` schemas become `{}` so
/// keywords can be added to them.
fn existing<'s>(schema: &'s mut Value, path: &FieldPath) -> Result<&'s mut Value, SchemaErrorKind> {
    let property =
        property_mut(schema, path).ok_or_else(|| SchemaErrorKind::Missing(path.clone()))?;
    if *property == Value::Bool(true) {
        *property = json!({});
    }
    if property.is_object() {
        Ok(property)
    } else {
        Err(SchemaErrorKind::NotAnObject(path.clone()))
    }
}

fn as_object(schema: &mut Value) -> &mut Map<String, Value> {
    schema
        .as_object_mut()
        .expect("`existing` only returns object schemas")
}

/// Whether `schema` allows values of `ty` (a schema without `type` allows all).
fn allows_type(schema: &Value, ty: &str) -> bool {
    match schema.get("type") {
        None => true,
        Some(Value::String(t)) => t == ty || (ty == "number" && t == "integer"),
        Some(Value::Array(types)) => types.iter().any(|t| t == ty),
        Some(_) => false,
    }
}

fn narrow(
    schema: &mut Map<String, Value>,
    keyword: &str,
    bound: Option<&serde_json::Number>,
    tighter: impl Fn(f64, f64) -> bool,
) {
    let Some(bound) = bound else { return };
    let current = schema.get(keyword).and_then(Value::as_f64);
    if current.is_none_or(|current| bound.as_f64().is_some_and(|b| tighter(b, current))) {
        schema.insert(keyword.to_owned(), Value::Number(bound.clone()));
    }
}

fn coerce(schema: &mut Value, op: &Coerce) -> Result<(), SchemaErrorKind> {
    let property = existing(schema, &op.path)?;
    let from = type_name(op.from);
    if !allows_type(property, from) {
        return Err(SchemaErrorKind::WrongType(op.path.clone(), from));
    }
    // Keywords that describe the value survive; the type's constraints do not.
    let mut converted = Map::new();
    for keyword in ["title", "description"] {
        if let Some(value) = property.get(keyword) {
            converted.insert(keyword.to_owned(), value.clone());
        }
    }
    converted.insert("type".into(), json!(type_name(op.to)));
    if op.to == JsonType::Array {
        let items = match op.from {
            JsonType::String => json!({"type": "string"}),
            _ => property.clone(),
        };
        converted.insert("items".into(), items);
    }
    *property = Value::Object(converted);
    Ok(())
}

fn type_name(ty: JsonType) -> &'static str {
    match ty {
        JsonType::String => "string",
        JsonType::Integer => "integer",
        JsonType::Number => "number",
        JsonType::Boolean => "boolean",
        JsonType::Array => "array",
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
