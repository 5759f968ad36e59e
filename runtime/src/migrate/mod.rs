//! The migration engine: declarative ops that move tool arguments from one
//! version's shape to the next, and the same ops applied to JSON Schemas so a
//! chain can be checked statically.
//!
//! Ops are written old → new. Applying them to data is total and quiet about
//! missing fields (renaming an absent key does nothing); applying them to a
//! schema is strict (renaming onto an existing property is an error), so the
//! generator rejects a chain the runtime could not run faithfully.

mod path;
mod schema;

pub use path::{FieldPath, PathError};
pub use schema::{SchemaError, SchemaErrorKind, property_schema, transform_schema};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One migration step, written in the old → new direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Renames a field in place: `{from: maxResults, to: limit}`.
    Rename(Rename),
    /// Adds a field; when the caller left it out and a default is given, the
    /// default is filled in.
    Add(Add),
    /// Removes a field.
    Remove(Remove),
    /// Fills a default into a field that the caller left out.
    SetDefault(SetDefault),
    /// Moves a field to another place, creating enclosing objects on the way
    /// and dropping enclosing objects that it leaves empty.
    Move(Move),
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
    /// The field the new version no longer takes.
    pub path: FieldPath,
}

/// The `set_default` op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SetDefault {
    /// The field to fill.
    pub path: FieldPath,
    /// The value used when the caller left the field out.
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

impl Op {
    /// Applies the op to arguments in the old version's shape.
    pub fn apply(&self, args: &mut Value) {
        match self {
            Op::Rename(Rename { from, to }) => relocate(args, from, &from.with_leaf(to)),
            Op::Move(Move { from, to }) => relocate(args, from, to),
            Op::Add(Add { path, default }) => {
                if let Some(default) = default {
                    fill(args, path, default);
                }
            }
            Op::SetDefault(SetDefault { path, value }) => fill(args, path, value),
            Op::Remove(Remove { path }) => {
                path.take(args);
            }
        }
    }

    /// The op's name as written in a spec.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Rename(_) => "rename",
            Op::Add(_) => "add",
            Op::Remove(_) => "remove",
            Op::SetDefault(_) => "set_default",
            Op::Move(_) => "move",
        }
    }
}

/// Applies `ops` in order.
pub fn apply_all(ops: &[Op], args: &mut Value) {
    for op in ops {
        op.apply(args);
    }
}

fn relocate(args: &mut Value, from: &FieldPath, to: &FieldPath) {
    let Some(value) = from.take(args) else {
        return;
    };
    from.prune_empty_parents(args);
    if let Err(value) = to.insert(args, value) {
        // The destination's parent is not an object, so the caller's input does
        // not have the old shape; put the value back and let validation report it.
        from.insert(args, value)
            .expect("the source parent existed a moment ago");
    }
}

fn fill(args: &mut Value, path: &FieldPath, value: &Value) {
    if path.get(args).is_none() {
        // A non-object parent means the input is malformed; validation reports it.
        let _ = path.insert(args, value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(yaml_like: Value) -> Vec<Op> {
        serde_json::from_value(yaml_like).unwrap()
    }

    #[test]
    fn seed_chain_moves_arguments_up_two_versions() {
        let chain = ops(json!([
            {"rename": {"from": "maxResults", "to": "limit"}},
            {"add": {"path": "sortBy", "default": "relevance"}},
            {"move": {"from": "category", "to": "filters.category"}},
            {"move": {"from": "dateRange", "to": "filters.dateRange"}},
        ]));
        let mut args = json!({"query": "rust", "maxResults": 3, "category": "news"});
        apply_all(&chain, &mut args);
        assert_eq!(
            args,
            json!({"query": "rust", "limit": 3, "sortBy": "relevance", "filters": {"category": "news"}})
        );
    }

    #[test]
    fn ops_are_quiet_about_missing_fields() {
        let chain = ops(json!([
            {"rename": {"from": "a", "to": "b"}},
            {"move": {"from": "c", "to": "d.e"}},
            {"remove": {"path": "x.y"}},
            {"add": {"path": "z"}},
        ]));
        let mut args = json!({"q": 1});
        apply_all(&chain, &mut args);
        assert_eq!(args, json!({"q": 1}));
    }

    #[test]
    fn defaults_never_overwrite_caller_values() {
        let chain = ops(json!([
            {"set_default": {"path": "limit", "value": 10}},
            {"add": {"path": "sortBy", "default": "relevance"}},
        ]));
        let mut args = json!({"limit": 3, "sortBy": "date"});
        apply_all(&chain, &mut args);
        assert_eq!(args, json!({"limit": 3, "sortBy": "date"}));
    }

    #[test]
    fn move_into_a_non_object_leaves_the_input_for_validation() {
        let chain = ops(json!([{"move": {"from": "a", "to": "b.c"}}]));
        let mut args = json!({"a": 1, "b": 2});
        apply_all(&chain, &mut args);
        assert_eq!(args, json!({"a": 1, "b": 2}));
    }

    #[test]
    fn move_out_of_a_nested_object_prunes_it() {
        let chain = ops(json!([{"move": {"from": "filters.category", "to": "category"}}]));
        let mut args = json!({"filters": {"category": "x"}});
        apply_all(&chain, &mut args);
        assert_eq!(args, json!({"category": "x"}));
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
