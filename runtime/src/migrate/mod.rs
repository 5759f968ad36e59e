//! The migration engine: declarative ops that move tool arguments from one
//! version's shape to the next (and results back), and the same ops applied
//! to JSON Schemas so a chain can be checked statically.
//!
//! Ops are written old → new. Requests run them forward; results run their
//! inverses (see [`Op::inverse`]) from the handler's version back to the
//! caller's. Applying an op to data is total and quiet about missing fields
//! (renaming an absent key does nothing); applying it to a schema is strict
//! (renaming onto an existing property is an error), so the generator rejects
//! a chain the runtime could not run faithfully.

mod inverse;
mod path;
mod schema;
mod value;

pub use inverse::invert_all;
pub use path::{FieldPath, PathError};
pub use schema::{SchemaError, SchemaErrorKind, property_schema, transform_schema};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One migration op, written in the old → new direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Renames a field in place: `{from: maxResults, to: limit}`.
    Rename(Rename),
    /// Adds a field; when it is absent and a default is given, the default is
    /// filled in.
    Add(Add),
    /// Removes a field.
    Remove(Remove),
    /// Fills a default into a field that is absent.
    SetDefault(SetDefault),
    /// Moves a field to another place, creating enclosing objects on the way
    /// and dropping enclosing objects that it leaves empty.
    Move(Move),
    /// Turns a value into a one-item array: `x` → `[x]`.
    Wrap(Wrap),
    /// Turns an array into its first item: `[x, …]` → `x`.
    Unwrap(Unwrap),
    /// Rewrites individual values, e.g. renamed enum members.
    MapValues(MapValues),
    /// Converts a value to another JSON type.
    Coerce(Coerce),
    /// Narrows a number into a range.
    Clamp(Clamp),
    /// Runs ops inside the object at `path` (their paths are relative to it).
    In(Scoped),
    /// Runs ops on every item of the array at `path` (`.` is the item itself).
    Each(Scoped),
    /// Runs a function the server's author writes (a generated trait method).
    Custom(Custom),
}

/// The `rename` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rename {
    /// The field as the old version names it.
    pub from: FieldPath,
    /// The new key, in the same enclosing object as `from`.
    pub to: String,
}

/// The `add` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Add {
    /// Where the new field lives.
    pub path: FieldPath,
    /// The value old callers get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

/// The `remove` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Remove {
    /// The field the new version no longer has.
    pub path: FieldPath,
    /// The value the field gets back when going new → old (results), which
    /// makes the removal reversible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Acknowledges that the removal loses data (request lists only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lossy: bool,
}

/// The `set_default` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SetDefault {
    /// The field to fill.
    pub path: FieldPath,
    /// The value used when the field is absent.
    pub value: Value,
}

/// The `move` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Move {
    /// Where the field is in the old version.
    pub from: FieldPath,
    /// Where it is in the new version.
    pub to: FieldPath,
}

/// The `wrap` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Wrap {
    /// The value to wrap.
    pub path: FieldPath,
}

/// The `unwrap` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Unwrap {
    /// The array to unwrap; an empty array removes the field.
    pub path: FieldPath,
    /// Acknowledges that items after the first are dropped (request lists only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lossy: bool,
}

/// The `map_values` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MapValues {
    /// The value to rewrite.
    pub path: FieldPath,
    /// Old value → new value. A key matches a string value equal to it, or
    /// any other value whose JSON text equals it (`1`, `true`). Values with
    /// no entry are kept.
    pub map: Map<String, Value>,
    /// New value → old value, for going back. Needed unless `map` is
    /// one-to-one with string results (then it is simply inverted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<Map<String, Value>>,
    /// Acknowledges a mapping that cannot be reversed (request lists only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lossy: bool,
}

/// A JSON type `coerce` converts between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    /// A string.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array (of strings, when converting from a string).
    Array,
}

/// How `coerce` turns a number into an integer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Rounding {
    /// To the nearest integer, halves away from zero.
    #[default]
    Round,
    /// Down.
    Floor,
    /// Up.
    Ceil,
    /// Toward zero.
    Trunc,
}

/// The `coerce` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Coerce {
    /// The value to convert.
    pub path: FieldPath,
    /// Its type in the old version.
    pub from: JsonType,
    /// Its type in the new version.
    pub to: JsonType,
    /// Separator between items when converting string ↔ array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
    /// How number → integer rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounding: Option<Rounding>,
    /// Acknowledges a conversion that loses data, such as number → integer
    /// (request lists only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lossy: bool,
}

/// The `clamp` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Clamp {
    /// The number to narrow.
    pub path: FieldPath,
    /// The smallest value the new version accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<serde_json::Number>,
    /// The largest value the new version accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<serde_json::Number>,
    /// Acknowledges that out-of-range values change (clamping always loses
    /// data, so this must be `true`; request lists only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lossy: bool,
}

/// The `in` and `each` ops.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scoped {
    /// The object (`in`) or array (`each`) the ops apply to.
    pub path: FieldPath,
    /// The ops, with paths relative to the object or item.
    pub ops: Vec<Op>,
}

/// The `custom` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Custom {
    /// The method the author implements (old → new), a Rust identifier.
    #[serde(rename = "fn")]
    pub function: String,
    /// The method that goes back (new → old).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverse: Option<String>,
    /// A JSON Merge Patch (RFC 7396) describing what the function does to the
    /// schema, so the chain can still be reasoned about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    /// Acknowledges a function without an inverse (request lists only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lossy: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The functions behind `custom` ops.
pub trait CustomOps: Send + Sync {
    /// Runs the function called `name` on `value`.
    fn run(&self, name: &str, value: &mut Value) -> Result<(), String>;
}

/// No custom functions: any `custom` op fails.
pub struct NoCustomOps;

impl CustomOps for NoCustomOps {
    fn run(&self, name: &str, _: &mut Value) -> Result<(), String> {
        Err(format!("no function `{name}` is registered"))
    }
}

/// Why a migration could not run. Only `custom` ops fail; every other op is
/// total.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("custom migration `{function}` failed: {message}")]
pub struct MigrationError {
    /// The function.
    pub function: String,
    /// What it said.
    pub message: String,
}

impl Op {
    /// Applies the op to a value in the old version's shape.
    pub fn apply(&self, value: &mut Value, custom: &dyn CustomOps) -> Result<(), MigrationError> {
        match self {
            Op::Rename(Rename { from, to }) => relocate(value, from, &from.with_leaf(to)),
            Op::Move(Move { from, to }) => relocate(value, from, to),
            Op::Add(Add { path, default }) => {
                if let Some(default) = default {
                    fill(value, path, default);
                }
            }
            Op::SetDefault(SetDefault {
                path,
                value: default,
            }) => fill(value, path, default),
            Op::Remove(Remove { path, .. }) => {
                path.take(value);
            }
            Op::Wrap(Wrap { path }) => {
                if let Some(target) = path.get_mut(value) {
                    *target = Value::Array(vec![target.take()]);
                }
            }
            Op::Unwrap(Unwrap { path, .. }) => value::unwrap(value, path),
            Op::MapValues(op) => {
                if let Some(target) = op.path.get_mut(value) {
                    value::map(target, &op.map);
                }
            }
            Op::Coerce(op) => {
                if let Some(target) = op.path.get_mut(value) {
                    value::coerce(target, op);
                }
            }
            Op::Clamp(Clamp { path, min, max, .. }) => {
                if let Some(target) = path.get_mut(value) {
                    value::clamp(target, min.as_ref(), max.as_ref());
                }
            }
            Op::In(Scoped { path, ops }) => {
                if let Some(target) = path.get_mut(value).filter(|t| t.is_object()) {
                    apply_all(ops, target, custom)?;
                }
            }
            Op::Each(Scoped { path, ops }) => {
                if let Some(Value::Array(items)) = path.get_mut(value) {
                    for item in items {
                        apply_all(ops, item, custom)?;
                    }
                }
            }
            Op::Custom(Custom { function, .. }) => {
                custom
                    .run(function, value)
                    .map_err(|message| MigrationError {
                        function: function.clone(),
                        message,
                    })?;
            }
        }
        Ok(())
    }

    /// The op's name as written in a spec.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Rename(_) => "rename",
            Op::Add(_) => "add",
            Op::Remove(_) => "remove",
            Op::SetDefault(_) => "set_default",
            Op::Move(_) => "move",
            Op::Wrap(_) => "wrap",
            Op::Unwrap(_) => "unwrap",
            Op::MapValues(_) => "map_values",
            Op::Coerce(_) => "coerce",
            Op::Clamp(_) => "clamp",
            Op::In(_) => "in",
            Op::Each(_) => "each",
            Op::Custom(_) => "custom",
        }
    }
}

/// Applies `ops` in order.
pub fn apply_all(
    ops: &[Op],
    value: &mut Value,
    custom: &dyn CustomOps,
) -> Result<(), MigrationError> {
    ops.iter().try_for_each(|op| op.apply(value, custom))
}

fn relocate(value: &mut Value, from: &FieldPath, to: &FieldPath) {
    let Some(moved) = from.take(value) else {
        return;
    };
    from.prune_empty_parents(value);
    if let Err(moved) = to.insert(value, moved) {
        // The destination's parent is not an object, so the input does not
        // have the old shape; put the value back and let validation report it.
        from.insert(value, moved)
            .expect("the source parent existed a moment ago");
    }
}

fn fill(value: &mut Value, path: &FieldPath, default: &Value) {
    if path.get(value).is_none() {
        // A non-object parent means the input is malformed; validation reports it.
        let _ = path.insert(value, default.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(list: Value) -> Vec<Op> {
        serde_json::from_value(list).unwrap()
    }

    fn run(list: Value, mut value: Value) -> Value {
        apply_all(&ops(list), &mut value, &NoCustomOps).unwrap();
        value
    }

    #[test]
    fn seed_chain_moves_arguments_up_two_versions() {
        let chain = json!([
            {"rename": {"from": "maxResults", "to": "limit"}},
            {"add": {"path": "sortBy", "default": "relevance"}},
            {"move": {"from": "category", "to": "filters.category"}},
            {"move": {"from": "dateRange", "to": "filters.dateRange"}},
        ]);
        assert_eq!(
            run(
                chain,
                json!({"query": "rust", "maxResults": 3, "category": "news"})
            ),
            json!({"query": "rust", "limit": 3, "sortBy": "relevance", "filters": {"category": "news"}})
        );
    }

    #[test]
    fn ops_are_quiet_about_missing_fields() {
        let chain = json!([
            {"rename": {"from": "a", "to": "b"}},
            {"move": {"from": "c", "to": "d.e"}},
            {"remove": {"path": "x.y"}},
            {"add": {"path": "z"}},
            {"wrap": {"path": "w"}},
            {"unwrap": {"path": "u", "lossy": true}},
            {"map_values": {"path": "m", "map": {"a": "b"}}},
            {"coerce": {"path": "n", "from": "string", "to": "integer"}},
            {"clamp": {"path": "k", "max": 5, "lossy": true}},
            {"in": {"path": "i", "ops": [{"remove": {"path": "q"}}]}},
            {"each": {"path": "e", "ops": [{"remove": {"path": "q"}}]}},
        ]);
        assert_eq!(run(chain, json!({"q": 1})), json!({"q": 1}));
    }

    #[test]
    fn defaults_never_overwrite_values() {
        let chain = json!([
            {"set_default": {"path": "limit", "value": 10}},
            {"add": {"path": "sortBy", "default": "relevance"}},
        ]);
        assert_eq!(
            run(chain, json!({"limit": 3, "sortBy": "date"})),
            json!({"limit": 3, "sortBy": "date"})
        );
    }

    #[test]
    fn move_into_a_non_object_leaves_the_input_for_validation() {
        let chain = json!([{"move": {"from": "a", "to": "b.c"}}]);
        assert_eq!(run(chain, json!({"a": 1, "b": 2})), json!({"a": 1, "b": 2}));
    }

    #[test]
    fn move_out_of_a_nested_object_prunes_it() {
        let chain = json!([{"move": {"from": "filters.category", "to": "category"}}]);
        assert_eq!(
            run(chain, json!({"filters": {"category": "x"}})),
            json!({"category": "x"})
        );
    }

    #[test]
    fn value_ops() {
        let chain = json!([
            {"wrap": {"path": "tag"}},
            {"unwrap": {"path": "ids", "lossy": true}},
            {"map_values": {"path": "sort", "map": {"date": "newest", "1": "one"}}},
            {"coerce": {"path": "limit", "from": "string", "to": "integer"}},
            {"coerce": {"path": "tags", "from": "string", "to": "array", "separator": ","}},
            {"clamp": {"path": "size", "min": 1, "max": 50, "lossy": true}},
        ]);
        assert_eq!(
            run(
                chain,
                json!({"tag": "a", "ids": [3, 4], "sort": "date", "limit": "7", "tags": "x,y", "size": 80})
            ),
            json!({"tag": ["a"], "ids": 3, "sort": "newest", "limit": 7, "tags": ["x", "y"], "size": 50})
        );
    }

    #[test]
    fn in_and_each_scope_their_ops() {
        let chain = json!([
            {"in": {"path": "filters", "ops": [{"rename": {"from": "cat", "to": "category"}}]}},
            {"each": {"path": "results", "ops": [{"rename": {"from": "url", "to": "link"}}]}},
            {"each": {"path": "tags", "ops": [{"map_values": {"path": ".", "map": {"a": "A"}}}]}},
        ]);
        assert_eq!(
            run(
                chain,
                json!({"filters": {"cat": "x"}, "results": [{"url": "u1"}, {"url": "u2", "id": 2}], "tags": ["a", "b"]})
            ),
            json!({"filters": {"category": "x"}, "results": [{"link": "u1"}, {"link": "u2", "id": 2}], "tags": ["A", "b"]})
        );
    }

    #[test]
    fn custom_ops_call_the_registered_function() {
        struct Double;
        impl CustomOps for Double {
            fn run(&self, name: &str, value: &mut Value) -> Result<(), String> {
                match name {
                    "double" => {
                        value["n"] = json!(value["n"].as_i64().unwrap_or(0) * 2);
                        Ok(())
                    }
                    other => Err(format!("unknown {other}")),
                }
            }
        }
        let chain = ops(json!([{"custom": {"fn": "double"}}]));
        let mut value = json!({"n": 4});
        apply_all(&chain, &mut value, &Double).unwrap();
        assert_eq!(value, json!({"n": 8}));
        let missing = ops(json!([{"custom": {"fn": "nope"}}]));
        assert_eq!(
            apply_all(&missing, &mut value, &Double)
                .unwrap_err()
                .function,
            "nope"
        );
    }

    #[test]
    fn unknown_op_and_unknown_field_are_rejected() {
        assert!(serde_json::from_value::<Op>(json!({"explode": {}})).is_err());
        assert!(
            serde_json::from_value::<Op>(json!({"rename": {"from": "a", "to": "b", "x": 1}}))
                .is_err()
        );
    }
}
