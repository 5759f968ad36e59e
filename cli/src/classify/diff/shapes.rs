//! The keywords of one schema node that hold other schemas: an object's
//! `properties`, `required` and `additionalProperties`, an array's `items`
//! and `prefixItems`, and the `anyOf`/`oneOf`/`allOf` combinators.

use serde_json::{Map, Value, json};

use super::{At, Differ, accepts_unknown, required};
use crate::classify::{Impact, Role, Rule};

impl Differ<'_> {
    pub(super) fn object(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        at: &At,
        depth: usize,
    ) {
        let empty = Map::new();
        let old_props = old
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_props = new
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (old_required, new_required) = (required(old), required(new));
        for (name, old_schema) in old_props {
            let here = at.property(name);
            let was_required = old_required.contains(&name.as_str());
            let is_required = new_required.contains(&name.as_str());
            match new_props.get(name) {
                Some(new_schema) => {
                    self.node(old_schema, new_schema, &here, depth + 1);
                    match (was_required, is_required) {
                        (false, true) => self.push(Rule::RequiredAdded, &here, "now required"),
                        (true, false) => {
                            self.push(Rule::RequiredRemoved, &here, "no longer required")
                        }
                        _ => {}
                    }
                }
                None => {
                    let impact = match self.role {
                        // An input that still accepts unknown properties
                        // ignores the old one; a closed one rejects it.
                        Role::Input if accepts_unknown(new) => Impact::Minor,
                        Role::Output if !was_required => Impact::Minor,
                        _ => Impact::Major,
                    };
                    let detail = if was_required {
                        "no longer declared; it was required"
                    } else {
                        "no longer declared"
                    };
                    self.push_with(Rule::PropertyRemoved, impact, &here, detail);
                }
            }
        }
        for name in new_props.keys().filter(|k| !old_props.contains_key(*k)) {
            let here = at.property(name);
            if new_required.contains(&name.as_str()) {
                self.push(Rule::PropertyRequiredAdded, &here, "new, required");
            } else {
                // Old clients validating a result against a closed object
                // reject the property they do not know.
                let impact = if self.role == Role::Output && !accepts_unknown(old) {
                    Impact::Major
                } else {
                    Rule::PropertyOptionalAdded.impact(self.role)
                };
                self.push_with(Rule::PropertyOptionalAdded, impact, &here, "new, optional");
            }
        }
        let declared = |name: &&str| old_props.contains_key(*name) || new_props.contains_key(*name);
        for name in new_required
            .iter()
            .filter(|n| !old_required.contains(n) && !declared(n))
        {
            self.push(
                Rule::RequiredAdded,
                &at.property(name),
                "now required (not declared in `properties`)",
            );
        }
        for name in old_required
            .iter()
            .filter(|n| !new_required.contains(n) && !declared(n))
        {
            self.push(
                Rule::RequiredRemoved,
                &at.property(name),
                "no longer required (not declared in `properties`)",
            );
        }
        self.additional(old, new, at, depth);
    }

    fn additional(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        at: &At,
        depth: usize,
    ) {
        let read = |m: &Map<String, Value>| match m.get("additionalProperties") {
            None | Some(Value::Bool(true)) => json!({}),
            Some(other) => other.clone(),
        };
        let (old_extra, new_extra) = (read(old), read(new));
        let here = At {
            pointer: format!("{}/additionalProperties", at.pointer),
            path: if at.path.is_empty() {
                "*".to_owned()
            } else {
                format!("{}.*", at.path)
            },
        };
        match (
            old_extra == Value::Bool(false),
            new_extra == Value::Bool(false),
        ) {
            (false, true) => self.push(
                Rule::ConstraintTightened,
                &here,
                "properties it does not declare are no longer accepted",
            ),
            (true, false) => self.push(
                Rule::ConstraintRelaxed,
                &here,
                "properties it does not declare are now accepted",
            ),
            (false, false) => self.node(&old_extra, &new_extra, &here, depth + 1),
            (true, true) => {}
        }
    }

    pub(super) fn array(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        at: &At,
        depth: usize,
    ) {
        let tuple = |m: &Map<String, Value>| match (m.get("prefixItems"), m.get("items")) {
            (Some(Value::Array(items)), _) | (None, Some(Value::Array(items))) => {
                Some(items.clone())
            }
            _ => None,
        };
        match (tuple(old), tuple(new)) {
            (None, None) => {}
            (Some(o), Some(n)) if o.len() == n.len() => {
                let keyword = if new.contains_key("prefixItems") {
                    "prefixItems"
                } else {
                    "items"
                };
                for (i, (o, n)) in o.iter().zip(&n).enumerate() {
                    let here = At {
                        path: format!("{}[{i}]", at.path),
                        ..at.index(keyword, i)
                    };
                    self.node(o, n, &here, depth + 1);
                }
            }
            (o, n) if o != n => self.push(
                Rule::ConstraintChanged,
                &at.keyword("prefixItems"),
                "the tuple layout changed",
            ),
            _ => {}
        }
        let items = |m: &Map<String, Value>| match m.get("items") {
            Some(items @ (Value::Object(_) | Value::Bool(_))) => items.clone(),
            _ => json!({}),
        };
        self.node(&items(old), &items(new), &at.items(), depth + 1);
    }

    pub(super) fn branches(
        &mut self,
        keyword: &str,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        at: &At,
        depth: usize,
    ) {
        let here = at.keyword(keyword);
        match (old.get(keyword), new.get(keyword)) {
            (None, None) => {}
            (None, Some(_)) => self.push(
                Rule::ConstraintTightened,
                &here,
                format!("`{keyword}` added"),
            ),
            (Some(_), None) => self.push(
                Rule::ConstraintRelaxed,
                &here,
                format!("`{keyword}` dropped"),
            ),
            (Some(Value::Array(o)), Some(Value::Array(n))) => {
                // Identical branches match wherever they are; the rest pair up
                // in order, and what is left over was added or removed.
                let (old_left, new_left) = self.unmatched(o, n);
                for (i, j) in old_left.iter().zip(&new_left) {
                    self.node(&o[*i], &n[*j], &at.index(keyword, *j), depth + 1);
                }
                for j in new_left.iter().skip(old_left.len()) {
                    self.push(
                        Rule::TypeWidened,
                        &at.index(keyword, *j),
                        format!("`{keyword}` branch added"),
                    );
                }
                for i in old_left.iter().skip(new_left.len()) {
                    self.push(
                        Rule::TypeNarrowed,
                        &at.index(keyword, *i),
                        format!("`{keyword}` branch removed"),
                    );
                }
            }
            _ => self.push(
                Rule::ConstraintChanged,
                &here,
                format!("`{keyword}` changed"),
            ),
        }
    }

    pub(super) fn all_of(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        at: &At,
        depth: usize,
    ) {
        let list = |m: &Map<String, Value>| match m.get("allOf") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        let (o, n) = (list(old), list(new));
        let (old_left, new_left) = self.unmatched(&o, &n);
        for (i, j) in old_left.iter().zip(&new_left) {
            self.node(&o[*i], &n[*j], &at.index("allOf", *j), depth + 1);
        }
        for j in new_left.iter().skip(old_left.len()) {
            self.push(
                Rule::ConstraintTightened,
                &at.index("allOf", *j),
                "`allOf` entry added",
            );
        }
        for i in old_left.iter().skip(new_left.len()) {
            self.push(
                Rule::ConstraintRelaxed,
                &at.index("allOf", *i),
                "`allOf` entry removed",
            );
        }
    }

    /// The entries of two lists that have no identical counterpart on the
    /// other side, by index.
    fn unmatched(&self, old: &[Value], new: &[Value]) -> (Vec<usize>, Vec<usize>) {
        let old_left = (0..old.len())
            .filter(|i| !new.iter().any(|n| self.same(&old[*i], n)))
            .collect();
        let new_left = (0..new.len())
            .filter(|j| !old.iter().any(|o| self.same(o, &new[*j])))
            .collect();
        (old_left, new_left)
    }
}
