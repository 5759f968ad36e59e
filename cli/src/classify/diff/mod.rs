//! The structural diff of two JSON Schemas in one role: walks both schemas
//! together (properties, items, `additionalProperties`, `anyOf`/`oneOf`/
//! `allOf`, local `$ref`s into `$defs`) and turns every difference into a
//! [`Finding`] graded for that role.

mod scalars;
mod shapes;

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::{Finding, Impact, Role, Rule};

/// Deeper than this, two schemas are compared as opaque values (bounds the
/// work on pathological `$ref` chains).
const MAX_DEPTH: usize = 64;

/// Where in both schemas the walk is.
#[derive(Clone, Debug)]
pub(crate) struct At {
    /// JSON Pointer into the schema.
    pub pointer: String,
    /// Data path: `filters.category`, `results[].url`; empty at the root.
    pub path: String,
}

impl At {
    pub(crate) fn root() -> Self {
        Self {
            pointer: String::new(),
            path: String::new(),
        }
    }

    fn keyword(&self, keyword: &str) -> Self {
        Self {
            pointer: format!("{}/{}", self.pointer, escape(keyword)),
            path: self.path.clone(),
        }
    }

    pub(crate) fn property(&self, name: &str) -> Self {
        Self {
            pointer: format!("{}/properties/{}", self.pointer, escape(name)),
            path: if self.path.is_empty() {
                name.to_owned()
            } else {
                format!("{}.{name}", self.path)
            },
        }
    }

    pub(crate) fn items(&self) -> Self {
        Self {
            pointer: format!("{}/items", self.pointer),
            path: format!("{}[]", self.path),
        }
    }

    fn index(&self, keyword: &str, index: usize) -> Self {
        Self {
            pointer: format!("{}/{keyword}/{index}", self.pointer),
            path: self.path.clone(),
        }
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Compares `old` with `new` (both whole schemas) in `role`.
pub(crate) fn schemas(old: &Value, new: &Value, role: Role) -> Vec<Finding> {
    let mut differ = Differ::new(old, new, role);
    differ.node(old, new, &At::root(), 0);
    differ.findings
}

/// Compares two subschemas of `old_root` and `new_root`, reporting at `at`.
pub(crate) fn subschemas(
    roots: (&Value, &Value),
    old: &Value,
    new: &Value,
    at: &At,
    role: Role,
) -> Vec<Finding> {
    let mut differ = Differ::new(roots.0, roots.1, role);
    differ.node(old, new, at, 0);
    differ.findings
}

struct Differ<'a> {
    role: Role,
    old_root: &'a Value,
    new_root: &'a Value,
    findings: Vec<Finding>,
    /// `$ref` pairs already compared: shared definitions are reported once,
    /// and recursive ones terminate.
    seen: HashSet<(String, String)>,
    /// Above zero inside a subtree proven compatible in this role, where
    /// breaking findings would be false alarms.
    proven: usize,
}

impl<'a> Differ<'a> {
    fn new(old_root: &'a Value, new_root: &'a Value, role: Role) -> Self {
        Self {
            role,
            old_root,
            new_root,
            findings: Vec::new(),
            seen: HashSet::new(),
            proven: 0,
        }
    }

    fn push(&mut self, rule: Rule, at: &At, detail: impl Into<String>) {
        let impact = rule.impact(self.role);
        self.push_with(rule, impact, at, detail);
    }

    fn push_with(&mut self, rule: Rule, impact: Impact, at: &At, detail: impl Into<String>) {
        let breaking = impact == Impact::Major;
        if breaking && self.proven > 0 {
            return;
        }
        self.findings.push(Finding {
            rule,
            role: self.role,
            impact,
            path: at.path.clone(),
            pointer: at.pointer.clone(),
            detail: detail.into(),
        });
    }

    /// Whether two subschemas mean the same: equal text, and any `$ref` in
    /// them points at definitions that did not change.
    fn same(&self, old: &Value, new: &Value) -> bool {
        old == new && (!mentions_ref(old) || self.definitions_unchanged())
    }

    fn definitions_unchanged(&self) -> bool {
        ["$defs", "definitions"]
            .iter()
            .all(|k| self.old_root.get(k) == self.new_root.get(k))
    }

    fn node(&mut self, old: &Value, new: &Value, at: &At, depth: usize) {
        if self.same(old, new) {
            return;
        }
        if depth > MAX_DEPTH {
            self.push(Rule::ConstraintChanged, at, "nested too deeply to compare");
            return;
        }
        if reference(old).is_some() || reference(new).is_some() {
            self.references(old, new, at, depth);
            return;
        }
        let (old, new) = (as_schema(old), as_schema(new));
        match (&old, &new) {
            (Schema::Never, Schema::Never) => return,
            (Schema::Never, _) => {
                self.push(
                    Rule::ConstraintRelaxed,
                    at,
                    "accepted no value, now accepts some",
                );
                return;
            }
            (_, Schema::Never) => {
                self.push(Rule::ConstraintTightened, at, "now accepts no value");
                return;
            }
            _ => {}
        }
        let (Schema::Object(old), Schema::Object(new)) = (old, new) else {
            unreachable!("both sides are objects once `false` is handled")
        };
        let proven = self.proves_compatible(&old, &new);
        if proven {
            self.proven += 1;
        }
        self.keywords(&old, &new, at, depth);
        if proven {
            self.proven -= 1;
        }
    }

    fn keywords(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        at: &At,
        depth: usize,
    ) {
        self.docs(old, new, at);
        self.deprecation(old, new, at);
        self.default(old, new, at);
        self.types(old, new, at);
        self.values(old, new, at);
        self.bounds(old, new, at);
        self.strings(old, new, at);
        if has_any(
            old,
            new,
            &["properties", "required", "additionalProperties"],
        ) {
            self.object(old, new, at, depth);
        }
        if has_any(old, new, &["items", "prefixItems"]) {
            self.array(old, new, at, depth);
        }
        for keyword in ["anyOf", "oneOf"] {
            self.branches(keyword, old, new, at, depth);
        }
        self.all_of(old, new, at, depth);
        self.unknown(old, new, at);
    }

    /// A finite old domain (`enum`/`const`) whose every value the new schema
    /// accepts is compatible for inputs whatever else changed; for outputs,
    /// the same holds the other way round.
    fn proves_compatible(&self, old: &Map<String, Value>, new: &Map<String, Value>) -> bool {
        let (finite, root, other) = match self.role {
            Role::Output => (new, self.old_root, old),
            _ => (old, self.new_root, new),
        };
        let Some(values) = finite_values(finite) else {
            return false;
        };
        let mut schema = other.clone();
        // Local `$ref`s resolve against the document: carry its definitions.
        for defs in ["$defs", "definitions"] {
            if let Some(found) = root.get(defs) {
                schema.entry(defs).or_insert_with(|| found.clone());
            }
        }
        match jsonschema::validator_for(&Value::Object(schema)) {
            Ok(validator) => values.iter().all(|value| validator.is_valid(value)),
            Err(_) => false,
        }
    }

    fn references(&mut self, old: &Value, new: &Value, at: &At, depth: usize) {
        let (old_ref, new_ref) = (reference(old), reference(new));
        let key = match (old_ref, new_ref) {
            (Some(o), Some(n)) if o == n => (o.to_owned(), n.to_owned()),
            _ => (
                format!("{}@{}", old_ref.unwrap_or(""), at.pointer),
                format!("{}@{}", new_ref.unwrap_or(""), at.pointer),
            ),
        };
        if !self.seen.insert(key) {
            return;
        }
        // The same definition on both sides: compare it once, where it lives.
        if let (Some(o), Some(n)) = (old_ref, new_ref)
            && o == n
        {
            match (resolve(self.old_root, o), resolve(self.new_root, n)) {
                (Some(old_target), Some(new_target)) => {
                    let target = At {
                        pointer: o.trim_start_matches('#').to_owned(),
                        path: at.path.clone(),
                    };
                    self.node(old_target, new_target, &target, depth + 1);
                    self.node(&siblings(old), &siblings(new), at, depth + 1);
                }
                _ => self.push(
                    Rule::ConstraintChanged,
                    at,
                    format!("`$ref: {o}` does not resolve to a local definition"),
                ),
            }
            return;
        }
        // Different targets, or a reference on one side only: compare what
        // each side means, here.
        match (
            inline(self.old_root, old, old_ref),
            inline(self.new_root, new, new_ref),
        ) {
            (Some(old), Some(new)) => self.node(&old, &new, at, depth + 1),
            _ => self.push(
                Rule::ConstraintChanged,
                at,
                "a `$ref` does not resolve to a local definition",
            ),
        }
    }
}

/// A schema, with `true` as `{}`.
enum Schema {
    Never,
    Object(Map<String, Value>),
}

fn as_schema(value: &Value) -> Schema {
    match value {
        Value::Bool(false) => Schema::Never,
        Value::Object(map) => Schema::Object(map.clone()),
        _ => Schema::Object(Map::new()),
    }
}

fn mentions_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(mentions_ref),
        Value::Array(items) => items.iter().any(mentions_ref),
        _ => false,
    }
}

fn reference(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// The local definition `reference` points at.
fn resolve<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    let fragment = reference.strip_prefix('#')?;
    if fragment.is_empty() {
        return Some(root);
    }
    root.pointer(&fragment.replace("%25", "%"))
}

/// `value` with its `$ref` replaced by what it points at (its other keywords
/// kept, as they apply alongside).
fn inline(root: &Value, value: &Value, reference: Option<&str>) -> Option<Value> {
    let Some(reference) = reference else {
        return Some(value.clone());
    };
    let mut merged = match resolve(root, reference)? {
        Value::Object(target) => target.clone(),
        Value::Bool(true) => Map::new(),
        other => return Some(other.clone()),
    };
    if let Value::Object(own) = siblings(value) {
        merged.extend(own);
    }
    Some(Value::Object(merged))
}

fn siblings(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| *k != "$ref")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn keys<'m>(
    old: &'m Map<String, Value>,
    new: &'m Map<String, Value>,
) -> impl Iterator<Item = &'m str> {
    old.keys().map(String::as_str).chain(
        new.keys()
            .map(String::as_str)
            .filter(|k| !old.contains_key(*k)),
    )
}

fn has_any(old: &Map<String, Value>, new: &Map<String, Value>, keywords: &[&str]) -> bool {
    keywords
        .iter()
        .any(|k| old.contains_key(*k) || new.contains_key(*k))
}

pub(crate) fn required(schema: &Map<String, Value>) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Whether an object schema accepts properties it does not declare, with any
/// value.
pub(crate) fn accepts_unknown(schema: &Map<String, Value>) -> bool {
    let open = |keyword: &str| match schema.get(keyword) {
        None | Some(Value::Bool(true)) => true,
        Some(Value::Object(extra)) => extra.is_empty(),
        Some(_) => false,
    };
    open("additionalProperties") && open("unevaluatedProperties")
}

/// The values an `enum` or `const` allows (`None`: not limited).
fn finite_values(schema: &Map<String, Value>) -> Option<Vec<Value>> {
    match (schema.get("const"), schema.get("enum")) {
        (Some(value), _) => Some(vec![value.clone()]),
        (None, Some(Value::Array(values))) => Some(values.clone()),
        _ => None,
    }
}
