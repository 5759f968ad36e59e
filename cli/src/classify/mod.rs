//! Classifying what changed between two versions of a tool. Every difference
//! becomes a [`Finding`] with a stable rule ID and the semver part it
//! requires, judged by role: an input change breaks when some old-valid value
//! becomes invalid, an output change when the server may now return a value
//! old clients reject (servers are assumed to emit no undeclared properties).
//! The same diff, run after pushing the old schema through the step's ops,
//! says whether the migration carries old values across.

mod diff;
mod impact;
mod migrated;
mod rules;
mod step;

pub use impact::{Impact, Part, capacity, increment, part_for};
pub use rules::{Role, Rule};
pub use step::{Migration, Step, table, tools, versions};

use serde_json::Value;

/// One difference between two versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What kind of change.
    pub rule: Rule,
    /// Which side of the tool.
    pub role: Role,
    /// The release it requires.
    pub impact: Impact,
    /// The data path it is about (`filters.category`, `results[].url`);
    /// empty for the whole value.
    pub path: String,
    /// JSON Pointer into the schema (the new one, where the node exists
    /// there), so tools can point at the spec.
    pub pointer: String,
    /// What changed, in words (`maximum 100 → 50`).
    pub detail: String,
}

impl Finding {
    /// `input limit: constraint.tightened (maximum 100 → 50)`.
    pub fn describe(&self) -> String {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        format!(
            "{} {path}: {} ({})",
            self.role.name(),
            self.rule.id(),
            self.detail
        )
    }
}

/// Compares two whole schemas in `role`.
pub fn schemas(old: &Value, new: &Value, role: Role) -> Vec<Finding> {
    diff::schemas(old, new, role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(old: Value, new: Value, role: Role) -> Vec<(&'static str, Impact)> {
        schemas(&old, &new, role)
            .into_iter()
            .map(|f| (f.rule.id(), f.impact))
            .collect()
    }

    fn object(properties: Value, required: Value) -> Value {
        json!({"type": "object", "additionalProperties": false, "required": required, "properties": properties})
    }

    #[test]
    fn the_same_change_grades_differently_by_role() {
        let old = json!({"type": "string", "enum": ["a"]});
        let new = json!({"type": "string", "enum": ["a", "b"]});
        assert_eq!(
            rules(old.clone(), new.clone(), Role::Input),
            [("enum.value_added", Impact::Minor)]
        );
        assert_eq!(
            rules(old, new, Role::Output),
            [("enum.value_added", Impact::Major)]
        );
    }

    #[test]
    fn removing_an_input_property_breaks_only_closed_objects() {
        let old = object(json!({"a": {}, "b": {}}), json!([]));
        let closed = object(json!({"a": {}}), json!([]));
        let open = json!({"type": "object", "properties": {"a": {}}});
        assert_eq!(
            rules(old.clone(), closed, Role::Input),
            [("property.removed", Impact::Major)]
        );
        assert!(rules(old, open, Role::Input).contains(&("property.removed", Impact::Minor)));
    }

    #[test]
    fn optional_output_property_breaks_closed_old_readers() {
        let old = object(json!({"a": {}}), json!(["a"]));
        let new = object(json!({"a": {}, "b": {}}), json!(["a"]));
        assert_eq!(
            rules(old, new, Role::Output),
            [("property.optional_added", Impact::Major)]
        );
    }

    #[test]
    fn bounds_and_types() {
        assert_eq!(
            rules(
                json!({"type": "integer", "maximum": 100}),
                json!({"type": "integer", "maximum": 50}),
                Role::Input
            ),
            [("constraint.tightened", Impact::Major)]
        );
        assert_eq!(
            rules(
                json!({"type": "integer"}),
                json!({"type": "number"}),
                Role::Input
            ),
            [("type.widened", Impact::Minor)]
        );
        assert_eq!(
            rules(
                json!({"type": "string"}),
                json!({"type": "integer"}),
                Role::Output
            ),
            [("type.changed", Impact::Major)]
        );
        assert_eq!(
            rules(
                json!({"exclusiveMinimum": 0}),
                json!({"minimum": 0}),
                Role::Input
            ),
            [("constraint.relaxed", Impact::Minor)]
        );
    }

    #[test]
    fn a_finite_old_domain_the_new_schema_accepts_is_compatible() {
        assert!(
            rules(
                json!({"const": "a"}),
                json!({"type": "string"}),
                Role::Input
            )
            .iter()
            .all(|(_, impact)| *impact < Impact::Major)
        );
    }

    #[test]
    fn shared_definitions_are_compared_once_where_they_live() {
        let old = json!({"$defs": {"d": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/d"}, "b": {"$ref": "#/$defs/d"}}});
        let new = json!({"$defs": {"d": {"type": "string", "maxLength": 3}}, "properties": {"a": {"$ref": "#/$defs/d"}, "b": {"$ref": "#/$defs/d"}}});
        let found = schemas(&old, &new, Role::Input);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/$defs/d/maxLength");
    }

    #[test]
    fn recursive_definitions_terminate() {
        let old = json!({"$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}}}}, "$ref": "#/$defs/n"});
        let new = json!({"$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}, "v": {}}}}, "$ref": "#/$defs/n"});
        assert_eq!(
            rules(old, new, Role::Input),
            [("property.optional_added", Impact::Minor)]
        );
    }
}
