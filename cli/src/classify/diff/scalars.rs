//! The keywords of one schema node that compare as values: annotations,
//! `deprecated`, `default`, `type`, `enum`/`const`, numeric bounds, lengths,
//! `multipleOf`, `pattern`, `format`, `uniqueItems`, and any keyword the
//! diff does not understand.

use mcpgen_runtime::prove::{self, Range};
use serde_json::{Map, Value};

use super::{At, Differ, finite_values, keys};
use crate::classify::Rule;

impl Differ<'_> {
    pub(super) fn docs(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, at: &At) {
        let changed: Vec<&str> = keys(old, new)
            .filter(|k| DOCS.contains(k) || k.starts_with("x-"))
            .filter(|k| old.get(*k) != new.get(*k))
            .collect();
        if !changed.is_empty() {
            self.push(
                Rule::DocsChanged,
                at,
                format!("{} changed", quoted_list(&changed)),
            );
        }
    }

    pub(super) fn deprecation(
        &mut self,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
        at: &At,
    ) {
        let flag = |m: &Map<String, Value>| m.get("deprecated") == Some(&Value::Bool(true));
        match (flag(old), flag(new)) {
            (false, true) => self.push(
                Rule::PropertyDeprecated,
                &at.keyword("deprecated"),
                "now marked deprecated",
            ),
            (true, false) => self.push(
                Rule::DocsChanged,
                &at.keyword("deprecated"),
                "no longer marked deprecated",
            ),
            _ => {}
        }
    }

    pub(super) fn default(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, at: &At) {
        let at = at.keyword("default");
        match (old.get("default"), new.get("default")) {
            (None, Some(value)) => self.push(Rule::DefaultAdded, &at, format!("default {value}")),
            (Some(value), None) => self.push(
                Rule::DefaultRemoved,
                &at,
                format!("default {value} dropped"),
            ),
            (Some(a), Some(b)) if a != b => {
                self.push(Rule::DefaultChanged, &at, format!("default {a} → {b}"))
            }
            _ => {}
        }
    }

    pub(super) fn types(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, at: &At) {
        let (Some(old_types), Some(new_types)) = (types(old), types(new)) else {
            return;
        };
        if same_types(&old_types, &new_types) {
            return;
        }
        let at = at.keyword("type");
        let detail = format!("type {} → {}", show_types(old), show_types(new));
        let rule = match (
            covers(&new_types, &old_types),
            covers(&old_types, &new_types),
        ) {
            (true, _) => Rule::TypeWidened,
            (_, true) => Rule::TypeNarrowed,
            _ => Rule::TypeChanged,
        };
        self.push(rule, &at, detail);
    }

    pub(super) fn values(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, at: &At) {
        let keyword = if new.contains_key("enum") || old.contains_key("enum") {
            "enum"
        } else {
            "const"
        };
        let at = at.keyword(keyword);
        match (finite_values(old), finite_values(new)) {
            (None, None) => {}
            (None, Some(values)) => self.push(
                Rule::ConstraintTightened,
                &at,
                format!("now limited to {}", show_values(&values)),
            ),
            (Some(values), None) => self.push(
                Rule::ConstraintRelaxed,
                &at,
                format!("no longer limited to {}", show_values(&values)),
            ),
            (Some(old_values), Some(new_values)) => {
                let added: Vec<Value> = new_values
                    .iter()
                    .filter(|v| !old_values.contains(v))
                    .cloned()
                    .collect();
                let removed: Vec<Value> = old_values
                    .iter()
                    .filter(|v| !new_values.contains(v))
                    .cloned()
                    .collect();
                if !added.is_empty() {
                    self.push(
                        Rule::EnumValueAdded,
                        &at,
                        format!("{} added", show_values(&added)),
                    );
                }
                if !removed.is_empty() {
                    self.push(
                        Rule::EnumValueRemoved,
                        &at,
                        format!("{} removed", show_values(&removed)),
                    );
                }
            }
        }
    }

    pub(super) fn bounds(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, at: &At) {
        // The same reading of the numeric keywords (the tighter of each
        // inclusive/exclusive pair) as the chain prover's.
        let (old_range, new_range) = (Range::of(old), Range::of(new));
        let named = |bound: Option<prove::Bound>, inclusive, exclusive| {
            bound.map(|b| Bound {
                value: b.value,
                exclusive: b.exclusive,
                keyword: if b.exclusive { exclusive } else { inclusive },
            })
        };
        let lower = |range: Range| named(range.low, "minimum", "exclusiveMinimum");
        let upper = |range: Range| named(range.high, "maximum", "exclusiveMaximum");
        self.bound(lower(old_range), lower(new_range), true, at);
        self.bound(upper(old_range), upper(new_range), false, at);
        for (keyword, is_lower) in [
            ("minLength", true),
            ("maxLength", false),
            ("minItems", true),
            ("maxItems", false),
            ("minProperties", true),
            ("maxProperties", false),
        ] {
            let read = |m: &Map<String, Value>| {
                m.get(keyword).and_then(Value::as_f64).map(|value| Bound {
                    value,
                    exclusive: false,
                    keyword,
                })
            };
            // `minLength: 0` says nothing; treat it as absent.
            let normal = |b: Option<Bound>| b.filter(|b| !(is_lower && b.value == 0.0));
            self.bound(normal(read(old)), normal(read(new)), is_lower, at);
        }
        self.multiple_of(old, new, at);
    }

    /// One bound, lower (`is_lower`) or upper.
    fn bound(&mut self, old: Option<Bound>, new: Option<Bound>, is_lower: bool, at: &At) {
        let tighter = |a: &Bound, b: &Bound| {
            let beyond = if is_lower {
                a.value > b.value
            } else {
                a.value < b.value
            };
            beyond || (a.value == b.value && a.exclusive && !b.exclusive)
        };
        match (old, new) {
            (None, None) => {}
            (None, Some(n)) => self.push(
                Rule::ConstraintTightened,
                &at.keyword(n.keyword),
                format!("{} {} added", n.keyword, number(n.value)),
            ),
            (Some(o), None) => self.push(
                Rule::ConstraintRelaxed,
                &at.keyword(o.keyword),
                format!("{} {} dropped", o.keyword, number(o.value)),
            ),
            (Some(o), Some(n)) => {
                let detail = if o.keyword == n.keyword {
                    format!("{} {} → {}", o.keyword, number(o.value), number(n.value))
                } else {
                    format!(
                        "{} {} → {} {}",
                        o.keyword,
                        number(o.value),
                        n.keyword,
                        number(n.value)
                    )
                };
                if tighter(&n, &o) {
                    self.push(Rule::ConstraintTightened, &at.keyword(n.keyword), detail);
                } else if tighter(&o, &n) {
                    self.push(Rule::ConstraintRelaxed, &at.keyword(n.keyword), detail);
                }
            }
        }
    }

    fn multiple_of(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, at: &At) {
        let read = |m: &Map<String, Value>| m.get("multipleOf").and_then(Value::as_f64);
        let at = at.keyword("multipleOf");
        let divides = |a: f64, b: f64| (b / a).fract() == 0.0;
        match (read(old), read(new)) {
            (None, Some(n)) => self.push(
                Rule::ConstraintTightened,
                &at,
                format!("multipleOf {} added", number(n)),
            ),
            (Some(o), None) => self.push(
                Rule::ConstraintRelaxed,
                &at,
                format!("multipleOf {} dropped", number(o)),
            ),
            (Some(o), Some(n)) if o != n => {
                let detail = format!("multipleOf {} → {}", number(o), number(n));
                let rule = if divides(o, n) {
                    Rule::ConstraintTightened
                } else if divides(n, o) {
                    Rule::ConstraintRelaxed
                } else {
                    Rule::ConstraintChanged
                };
                self.push(rule, &at, detail);
            }
            _ => {}
        }
    }

    pub(super) fn strings(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, at: &At) {
        for keyword in ["pattern", "format"] {
            let at = at.keyword(keyword);
            match (old.get(keyword), new.get(keyword)) {
                (None, Some(n)) => self.push(
                    Rule::ConstraintTightened,
                    &at,
                    format!("{keyword} {n} added"),
                ),
                (Some(o), None) => self.push(
                    Rule::ConstraintRelaxed,
                    &at,
                    format!("{keyword} {o} dropped"),
                ),
                (Some(o), Some(n)) if o != n => {
                    let rule = if keyword == "pattern" {
                        Rule::PatternChanged
                    } else {
                        Rule::ConstraintChanged
                    };
                    self.push(rule, &at, format!("{keyword} {o} → {n}"));
                }
                _ => {}
            }
        }
        let unique = |m: &Map<String, Value>| m.get("uniqueItems") == Some(&Value::Bool(true));
        match (unique(old), unique(new)) {
            (false, true) => self.push(
                Rule::ConstraintTightened,
                &at.keyword("uniqueItems"),
                "items must now be unique",
            ),
            (true, false) => self.push(
                Rule::ConstraintRelaxed,
                &at.keyword("uniqueItems"),
                "items no longer need to be unique",
            ),
            _ => {}
        }
    }

    pub(super) fn unknown(&mut self, old: &Map<String, Value>, new: &Map<String, Value>, at: &At) {
        let changed: Vec<&str> = keys(old, new)
            .filter(|k| !DOCS.contains(k) && !k.starts_with("x-") && !UNDERSTOOD.contains(k))
            .filter(|k| old.get(*k) != new.get(*k))
            .collect();
        for keyword in changed {
            self.push(
                Rule::ConstraintChanged,
                &at.keyword(keyword),
                format!("`{keyword}` changed; mcpgen cannot tell whether it narrows or widens"),
            );
        }
    }
}

/// Keywords that only annotate: changing them is a documentation change.
const DOCS: &[&str] = &[
    "title",
    "description",
    "examples",
    "$comment",
    "readOnly",
    "writeOnly",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "$id",
    "$schema",
    "$anchor",
    "$dynamicAnchor",
    "$vocabulary",
];

/// Keywords the diff understands; any other keyword that changes is reported
/// as `constraint.changed`.
const UNDERSTOOD: &[&str] = &[
    "deprecated",
    "default",
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "pattern",
    "format",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "anyOf",
    "oneOf",
    "allOf",
    "$ref",
    "$defs",
    "definitions",
];

const ALL_TYPES: &[&str] = &["null", "boolean", "object", "array", "number", "string"];

/// The types a schema allows (`number` includes `integer`); `None` when the
/// `type` keyword is malformed.
fn types(schema: &Map<String, Value>) -> Option<Vec<&str>> {
    match schema.get("type") {
        None => Some(ALL_TYPES.to_vec()),
        Some(Value::String(t)) => Some(vec![t.as_str()]),
        Some(Value::Array(list)) => list.iter().map(Value::as_str).collect(),
        Some(_) => None,
    }
}

/// Whether `outer` allows every type in `inner`.
fn covers(outer: &[&str], inner: &[&str]) -> bool {
    inner
        .iter()
        .all(|t| outer.contains(t) || (*t == "integer" && outer.contains(&"number")))
}

fn same_types(a: &[&str], b: &[&str]) -> bool {
    covers(a, b) && covers(b, a)
}

fn show_types(schema: &Map<String, Value>) -> String {
    match schema.get("type") {
        None => "any".to_owned(),
        Some(Value::String(t)) => t.clone(),
        Some(other) => other.to_string(),
    }
}

#[derive(Clone, Copy)]
struct Bound {
    value: f64,
    exclusive: bool,
    keyword: &'static str,
}

fn number(value: f64) -> String {
    serde_json::Number::from_f64(value)
        .map(|n| {
            if value.fract() == 0.0 && value.abs() < 1e15 {
                format!("{}", value as i64)
            } else {
                n.to_string()
            }
        })
        .unwrap_or_else(|| value.to_string())
}

fn show_values(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
