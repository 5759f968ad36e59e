//! JSON Schema → Rust type model for a tool's arguments and result.
//!
//! The schemas are enforced by the runtime's validator before a handler runs,
//! so these types only need to carry valid values conveniently. What maps to
//! what is documented in `docs/spec.md` ("Schemas and Rust types"); anything
//! without a faithful plain-Rust shape falls back to `serde_json::Value`.

use serde_json::{Map, Value};

use super::ident::{Case, RustIdent, Scope};

/// A Rust type used by a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RustType {
    /// `String`.
    String,
    /// `i64`.
    Integer,
    /// `f64`.
    Number,
    /// `bool`.
    Bool,
    /// `Vec<T>`.
    Vec(Box<RustType>),
    /// `BTreeMap<String, T>`.
    Map(Box<RustType>),
    /// `Option<T>` for nullable values.
    Nullable(Box<RustType>),
    /// A generated struct or enum.
    Named(RustIdent),
    /// `serde_json::Value`.
    Value,
}

/// A generated type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeDef {
    /// A struct for an object schema with `properties`.
    Struct(StructDef),
    /// An enum for a string schema with an `enum` of strings.
    Enum(EnumDef),
    /// `type Name = T;` for a root schema that is not a struct.
    Alias {
        /// The alias.
        name: RustIdent,
        /// What it stands for.
        target: RustType,
        /// Doc text.
        doc: String,
    },
}

/// A generated struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructDef {
    /// Type name.
    pub name: RustIdent,
    /// Doc text.
    pub doc: String,
    /// Fields in schema order.
    pub fields: Vec<FieldDef>,
}

/// A struct field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Rust name.
    pub ident: RustIdent,
    /// JSON name.
    pub json_name: String,
    /// Field type (without the `Option` an optional field gets).
    pub ty: RustType,
    /// Whether the property is listed in `required`.
    pub required: bool,
    /// The property's description.
    pub doc: Option<String>,
}

/// A generated enum of string values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumDef {
    /// Type name.
    pub name: RustIdent,
    /// Doc text.
    pub doc: String,
    /// `(variant, JSON value)` in schema order.
    pub variants: Vec<(RustIdent, String)>,
}

/// The types generated for one schema, in the order they are emitted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypeSet {
    /// Root type first, then nested types in discovery order.
    pub defs: Vec<TypeDef>,
}

/// Builds the types of one schema.
pub struct TypeBuilder<'s> {
    scope: &'s mut Scope,
    defs: Vec<TypeDef>,
}

impl<'s> TypeBuilder<'s> {
    /// Types go into `scope`, which holds every name of the tool's module.
    pub fn new(scope: &'s mut Scope) -> Self {
        Self {
            scope,
            defs: Vec::new(),
        }
    }

    /// Lowers `schema` as the root type called `name`, documented by `doc`.
    pub fn root(
        mut self,
        name: &str,
        schema: &Map<String, Value>,
        doc: String,
    ) -> (RustIdent, TypeSet) {
        let ident = self.scope.claim(name, Case::Camel);
        if has_properties(schema) {
            self.push_struct(ident.clone(), schema, doc);
        } else {
            let target = self.lower(name, schema);
            self.defs.insert(
                0,
                TypeDef::Alias {
                    name: ident.clone(),
                    target,
                    doc,
                },
            );
        }
        (ident, TypeSet { defs: self.defs })
    }

    fn push_struct(&mut self, ident: RustIdent, schema: &Map<String, Value>, doc: String) {
        let slot = self.defs.len();
        self.defs.push(TypeDef::Alias {
            name: ident.clone(),
            target: RustType::Value,
            doc: String::new(),
        });
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields = Scope::new();
        let mut defs = Vec::new();
        if let Some(Value::Object(properties)) = schema.get("properties") {
            for (json_name, property) in properties {
                let nested_name = format!("{}{}", ident.name(), sanitize_camel(json_name));
                let ty = match property {
                    Value::Object(property) => self.lower(&nested_name, property),
                    _ => RustType::Value,
                };
                defs.push(FieldDef {
                    ident: fields.claim(json_name, Case::Snake),
                    json_name: json_name.clone(),
                    ty,
                    required: required.contains(&json_name.as_str()),
                    doc: description(property),
                });
            }
        }
        self.defs[slot] = TypeDef::Struct(StructDef {
            name: ident,
            doc,
            fields: defs,
        });
    }

    fn lower(&mut self, name: &str, schema: &Map<String, Value>) -> RustType {
        if ["$ref", "oneOf", "anyOf", "allOf", "not", "if", "const"]
            .iter()
            .any(|k| schema.contains_key(*k))
        {
            return RustType::Value;
        }
        match schema_type(schema) {
            Some((ty, true)) => RustType::Nullable(Box::new(self.lower_type(name, ty, schema))),
            Some((ty, false)) => self.lower_type(name, ty, schema),
            None => RustType::Value,
        }
    }

    fn lower_type(&mut self, name: &str, ty: &str, schema: &Map<String, Value>) -> RustType {
        if let Some(values) = schema.get("enum") {
            return self
                .string_enum(name, ty, values, schema)
                .unwrap_or(RustType::Value);
        }
        match ty {
            "string" => RustType::String,
            "integer" => RustType::Integer,
            "number" => RustType::Number,
            "boolean" => RustType::Bool,
            "array" => match schema.get("items") {
                Some(Value::Object(items)) => {
                    RustType::Vec(Box::new(self.lower(&format!("{name}Item"), items)))
                }
                _ => RustType::Vec(Box::new(RustType::Value)),
            },
            "object" if has_properties(schema) => {
                let ident = self.scope.claim(name, Case::Camel);
                let doc = description_of(schema).unwrap_or_else(|| format!("The `{name}` object."));
                self.push_struct(ident.clone(), schema, doc);
                RustType::Named(ident)
            }
            "object" => match schema.get("additionalProperties") {
                Some(Value::Object(values)) => {
                    RustType::Map(Box::new(self.lower(&format!("{name}Value"), values)))
                }
                _ => RustType::Map(Box::new(RustType::Value)),
            },
            _ => RustType::Value,
        }
    }

    fn string_enum(
        &mut self,
        name: &str,
        ty: &str,
        values: &Value,
        schema: &Map<String, Value>,
    ) -> Option<RustType> {
        let mut values: Vec<&str> = values
            .as_array()?
            .iter()
            .map(Value::as_str)
            .collect::<Option<_>>()?;
        if ty != "string" || values.is_empty() {
            return None;
        }
        // JSON Schema allows repeated enum values; one variant per value.
        let mut seen = std::collections::HashSet::new();
        values.retain(|v| seen.insert(*v));
        let ident = self.scope.claim(name, Case::Camel);
        let mut variant_scope = Scope::new();
        let variants = values
            .iter()
            .map(|v| (variant_scope.claim(v, Case::Camel), (*v).to_owned()))
            .collect();
        let doc = description_of(schema).unwrap_or_else(|| format!("The values of `{name}`."));
        self.defs.push(TypeDef::Enum(EnumDef {
            name: ident.clone(),
            doc,
            variants,
        }));
        Some(RustType::Named(ident))
    }
}

fn sanitize_camel(text: &str) -> String {
    super::ident::sanitize(text, Case::Camel).name().to_owned()
}

fn has_properties(schema: &Map<String, Value>) -> bool {
    matches!(schema.get("properties"), Some(Value::Object(p)) if !p.is_empty())
        && !["$ref", "oneOf", "anyOf", "allOf", "not", "if"]
            .iter()
            .any(|k| schema.contains_key(*k))
}

/// The schema's single type, and whether `null` is also allowed.
fn schema_type(schema: &Map<String, Value>) -> Option<(&str, bool)> {
    match schema.get("type")? {
        Value::String(ty) if ty != "null" => Some((ty, false)),
        Value::Array(types) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            let nullable = names.contains(&"null");
            match names
                .iter()
                .filter(|t| **t != "null")
                .collect::<Vec<_>>()
                .as_slice()
            {
                [single] => Some((single, nullable)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn description(schema: &Value) -> Option<String> {
    schema.get("description")?.as_str().map(str::to_owned)
}

fn description_of(schema: &Map<String, Value>) -> Option<String> {
    schema.get("description")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build(schema: Value) -> TypeSet {
        let mut scope = Scope::new();
        TypeBuilder::new(&mut scope)
            .root("SearchInput", schema.as_object().unwrap(), "doc".into())
            .1
    }

    fn field_types(set: &TypeSet) -> Vec<(String, RustType, bool)> {
        match &set.defs[0] {
            TypeDef::Struct(s) => s
                .fields
                .iter()
                .map(|f| (f.ident.to_string(), f.ty.clone(), f.required))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn scalars_arrays_and_requiredness() {
        let set = build(json!({
            "type": "object",
            "required": ["query"],
            "properties": {
                "query": {"type": "string"},
                "limit": {"type": "integer"},
                "score": {"type": ["number", "null"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "any": {},
                "union": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "type": {"type": "boolean"}
            }
        }));
        assert_eq!(
            field_types(&set),
            [
                ("query".into(), RustType::String, true),
                ("limit".into(), RustType::Integer, false),
                (
                    "score".into(),
                    RustType::Nullable(Box::new(RustType::Number)),
                    false
                ),
                (
                    "tags".into(),
                    RustType::Vec(Box::new(RustType::String)),
                    false
                ),
                ("any".into(), RustType::Value, false),
                ("union".into(), RustType::Value, false),
                ("r#type".into(), RustType::Bool, false),
            ]
        );
    }

    #[test]
    fn nested_objects_and_enums_become_named_types() {
        let set = build(json!({
            "type": "object",
            "properties": {
                "filters": {"type": "object", "properties": {"category": {"type": "string"}}},
                "sortBy": {"type": "string", "enum": ["relevance", "date", "relevance"]},
                "mixed": {"enum": ["a", 1]}
            }
        }));
        let names: Vec<String> = set
            .defs
            .iter()
            .map(|d| match d {
                TypeDef::Struct(s) => s.name.to_string(),
                TypeDef::Enum(e) => e.name.to_string(),
                TypeDef::Alias { name, .. } => name.to_string(),
            })
            .collect();
        assert_eq!(
            names,
            ["SearchInput", "SearchInputFilters", "SearchInputSortBy"]
        );
        assert_eq!(field_types(&set)[2].1, RustType::Value);
    }

    #[test]
    fn an_object_without_properties_is_an_alias_to_a_map() {
        let set = build(json!({"type": "object"}));
        assert!(matches!(
            &set.defs[0],
            TypeDef::Alias {
                target: RustType::Map(_),
                ..
            }
        ));
    }
}
