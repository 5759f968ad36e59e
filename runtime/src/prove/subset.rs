//! A static subset check between two JSON Schemas: is every value valid
//! under the first also valid under the second? It reasons keyword by
//! keyword over the ones specs use, and answers [`Verdict::Proven`] only
//! when that follows for certain. Keywords it does not model on the second
//! schema make the answer [`Verdict::Unknown`]; on the first schema they
//! are ignored, which only makes it larger and the check stricter.
//!
//! [`Verdict::Disproven`] names the keyword that lets some value through
//! the first schema and not the second. It assumes that part of the first
//! schema is satisfiable; a counterexample from the instance generator is
//! what settles a chain.

use serde_json::{Map, Value};

use super::keywords::{self, Range};

/// The answer of [`is_subset`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every value the first schema accepts, the second accepts.
    Proven,
    /// Some value the first accepts, the second rejects; why.
    Disproven(String),
    /// The check cannot tell; why.
    Unknown(String),
}

impl Verdict {
    /// Both must hold: the first disproof, else the first unknown.
    fn and(self, other: impl FnOnce() -> Verdict) -> Verdict {
        match self {
            Verdict::Proven => other(),
            Verdict::Unknown(reason) => match other() {
                disproven @ Verdict::Disproven(_) => disproven,
                _ => Verdict::Unknown(reason),
            },
            disproven => disproven,
        }
    }
}

/// Whether every value valid under `a` is valid under `b`. Local `$ref`s
/// resolve against each schema's own root.
pub fn is_subset(a: &Value, b: &Value) -> Verdict {
    let formats_assert = b
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|dialect| {
            ["draft-07", "draft-06", "draft-04"]
                .iter()
                .any(|d| dialect.contains(d))
        });
    Check {
        a_root: a,
        b_root: b,
        formats_assert,
    }
    .sub(a, b, "", 0)
}

/// Keywords of the second schema the check models, per type and in general.
const GENERAL: &[&str] = &[
    "type", "enum", "const", "$ref", "anyOf", "oneOf", "allOf", "format",
];
const NUMERIC: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING: &[&str] = &["minLength", "maxLength", "pattern"];
const ARRAY: &[&str] = &["items", "minItems", "maxItems", "uniqueItems"];
const OBJECT: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
];
/// Nesting past this is taken as a recursive schema.
const MAX_DEPTH: usize = 48;

struct Check<'r> {
    a_root: &'r Value,
    b_root: &'r Value,
    formats_assert: bool,
}

fn at_or_root(at: &str) -> &str {
    if at.is_empty() { "the root" } else { at }
}

impl Check<'_> {
    /// Whether a schema accepts every value.
    fn constrains_nothing(&self, schema: &Map<String, Value>) -> bool {
        schema.keys().all(|k| {
            keywords::ANNOTATIONS.contains(&k.as_str()) || (k == "format" && !self.formats_assert)
        })
    }

    /// Whether both roots declare the same `$schema`, or neither does.
    fn same_dialect(&self) -> bool {
        self.a_root.get("$schema") == self.b_root.get("$schema")
    }

    fn sub(&self, a: &Value, b: &Value, at: &str, depth: usize) -> Verdict {
        if depth > MAX_DEPTH {
            return Verdict::Unknown(format!("{at}: the schemas nest too deeply"));
        }
        let empty = Map::new();
        let a = match a {
            Value::Bool(false) => return Verdict::Proven,
            Value::Bool(true) => &empty,
            Value::Object(map) => map,
            _ => return Verdict::Unknown(format!("{at}: not a schema")),
        };
        let b = match b {
            Value::Bool(true) => return Verdict::Proven,
            Value::Bool(false) => {
                return if self.constrains_nothing(a) {
                    Verdict::Disproven(format!(
                        "{}: the second schema accepts no value here",
                        at_or_root(at)
                    ))
                } else {
                    Verdict::Unknown(format!("{at}: the second schema accepts no value here"))
                };
            }
            Value::Object(map) => map,
            _ => return Verdict::Unknown(format!("{at}: not a schema")),
        };
        if self.constrains_nothing(b) {
            return Verdict::Proven;
        }
        // Most of a version step leaves most fields alone, and equal
        // schemas accept the same values, whatever keywords they use. Only
        // a reference inside them, or another dialect, could make them mean
        // something else under the other root.
        if a == b && self.same_dialect() && !refers(a) {
            return Verdict::Proven;
        }
        // References: the first's target stands for it (siblings only
        // narrow it); the second needs its target and its siblings.
        if let Some(Value::String(reference)) = a.get("$ref") {
            return match keywords::resolve(self.a_root, reference) {
                Some(target) => self.sub(target, &Value::Object(b.clone()), at, depth + 1),
                None => Verdict::Unknown(format!("{at}: cannot resolve `{reference}`")),
            };
        }
        if let Some(Value::String(reference)) = b.get("$ref") {
            let Some(target) = keywords::resolve(self.b_root, reference) else {
                return Verdict::Unknown(format!("{at}: cannot resolve `{reference}`"));
            };
            let mut rest = b.clone();
            rest.remove("$ref");
            let a_value = Value::Object(a.clone());
            return self
                .sub(&a_value, target, at, depth + 1)
                .and(|| self.sub(&a_value, &Value::Object(rest), at, depth + 1));
        }
        // A union on the first side: every branch must fit.
        for union in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = a.get(union) {
                let mut rest = a.clone();
                rest.remove(union);
                let b_value = Value::Object(b.clone());
                return branches.iter().fold(Verdict::Proven, |verdict, branch| {
                    verdict.and(|| {
                        let merged = Value::Object(keywords::conjoin(&rest, branch));
                        self.sub(&merged, &b_value, at, depth + 1)
                    })
                });
            }
        }
        if let Some(Value::Array(all)) = b.get("allOf") {
            let mut rest = b.clone();
            rest.remove("allOf");
            let a_value = Value::Object(a.clone());
            return all.iter().fold(
                self.sub(&a_value, &Value::Object(rest), at, depth + 1),
                |verdict, branch| verdict.and(|| self.sub(&a_value, branch, at, depth + 1)),
            );
        }
        // Finitely many values: try each.
        if let Some(values) = listed_values(a) {
            return self.values_fit(a, b, values, at);
        }
        let types = types_of(a);
        if types.len() > 1 && (b.contains_key("anyOf") || b.contains_key("oneOf")) {
            // Split the first side by type, so `integer | null` can fit a
            // union of `integer` and `null`.
            return types.iter().fold(Verdict::Proven, |verdict, ty| {
                verdict.and(|| {
                    let mut one = a.clone();
                    one.insert("type".into(), Value::String((*ty).to_owned()));
                    self.sub(
                        &Value::Object(one),
                        &Value::Object(b.clone()),
                        at,
                        depth + 1,
                    )
                })
            });
        }
        for union in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = b.get(union) {
                if union == "oneOf" && !disjoint_by_type(branches) {
                    return Verdict::Unknown(format!(
                        "{at}: `oneOf` branches that may overlap are not analysed"
                    ));
                }
                let mut rest = b.clone();
                rest.remove(union);
                let a_value = Value::Object(a.clone());
                let base = self.sub(&a_value, &Value::Object(rest), at, depth + 1);
                return base.and(|| {
                    let mut reasons = Vec::new();
                    for branch in branches {
                        match self.sub(&a_value, branch, at, depth + 1) {
                            Verdict::Proven => return Verdict::Proven,
                            Verdict::Disproven(reason) | Verdict::Unknown(reason) => {
                                reasons.push(reason)
                            }
                        }
                    }
                    Verdict::Unknown(format!(
                        "{at}: no single branch of `{union}` accepts everything ({})",
                        reasons.join("; ")
                    ))
                });
            }
        }
        if let Some(keyword) = b.keys().find(|k| !is_modelled(k)) {
            return Verdict::Unknown(format!("{}: `{keyword}` is not analysed", at_or_root(at)));
        }
        if b.contains_key("enum") || b.contains_key("const") {
            return if is_open_ended(a, &types) {
                Verdict::Disproven(format!(
                    "{}: the second schema accepts only listed values",
                    at_or_root(at)
                ))
            } else {
                Verdict::Unknown(format!(
                    "{at}: cannot tell whether every value is one of those listed"
                ))
            };
        }
        self.by_type(a, b, &types, at, depth)
    }

    /// Each value of the first side's `enum`/`const` that it accepts must
    /// be accepted by the second.
    fn values_fit(
        &self,
        a: &Map<String, Value>,
        b: &Map<String, Value>,
        values: Vec<Value>,
        at: &str,
    ) -> Verdict {
        // A side that only lists its values (as `add` and `set_default`
        // push them) accepts each of them: no need to compile it.
        let mut constraining = a
            .keys()
            .map(String::as_str)
            .filter(|k| !keywords::ANNOTATIONS.contains(k));
        let only_lists = matches!(
            (constraining.next(), constraining.next()),
            (Some("enum" | "const"), None)
        );
        let uncompiled = || Verdict::Unknown(format!("{at}: the subschemas do not compile alone"));
        let a_check = match only_lists {
            true => None,
            false => match standalone(self.a_root, a) {
                Some(check) => Some(check),
                None => return uncompiled(),
            },
        };
        let Some(b_check) = standalone(self.b_root, b) else {
            return uncompiled();
        };
        for value in values {
            let in_a = a_check.as_ref().is_none_or(|check| check.is_valid(&value));
            if in_a && !b_check.is_valid(&value) {
                return Verdict::Disproven(format!(
                    "{}: {value} is accepted by the first schema and not by the second",
                    at_or_root(at)
                ));
            }
        }
        Verdict::Proven
    }

    fn by_type(
        &self,
        a: &Map<String, Value>,
        b: &Map<String, Value>,
        types: &[&str],
        at: &str,
        depth: usize,
    ) -> Verdict {
        let b_types = types_of(b);
        let integral_a = keywords::Range::of(a)
            .multiple_of
            .is_some_and(|m| m.fract() == 0.0);
        let mut verdict = Verdict::Proven;
        for &ty in types {
            let covered = b_types.contains(&ty)
                || (ty == "integer" && b_types.contains(&"number"))
                || (ty == "number" && integral_a && b_types.contains(&"integer"));
            if !covered {
                return Verdict::Disproven(format!(
                    "{}: {} values are accepted by the first schema and not by the second",
                    at_or_root(at),
                    if ty == "number" {
                        "fractional number"
                    } else {
                        ty
                    }
                ));
            }
            verdict = verdict.and(|| match ty {
                "integer" | "number" => numbers(a, b, ty == "integer", at),
                "string" => self.strings(a, b, at),
                "array" => self.arrays(a, b, at, depth),
                "object" => self.objects(a, b, at, depth),
                _ => Verdict::Proven,
            });
        }
        verdict
    }

    fn strings(&self, a: &Map<String, Value>, b: &Map<String, Value>, at: &str) -> Verdict {
        let mut verdict = lower_count(a, b, "minLength", at, "characters")
            .and(|| upper_count(a, b, "maxLength", at, "characters"));
        if let Some(pattern) = b.get("pattern")
            && a.get("pattern") != Some(pattern)
        {
            verdict = verdict.and(|| {
                Verdict::Unknown(format!(
                    "{at}: whether one pattern implies another is not analysed"
                ))
            });
        }
        if self.formats_assert
            && let Some(format) = b.get("format")
            && a.get("format") != Some(format)
        {
            verdict =
                verdict.and(|| Verdict::Unknown(format!("{at}: format {format} is not analysed")));
        }
        verdict
    }

    fn arrays(
        &self,
        a: &Map<String, Value>,
        b: &Map<String, Value>,
        at: &str,
        depth: usize,
    ) -> Verdict {
        if a.contains_key("prefixItems") {
            return Verdict::Unknown(format!("{at}: `prefixItems` is not analysed"));
        }
        let a_items = a.get("items").cloned().unwrap_or(Value::Bool(true));
        let b_items = b.get("items").cloned().unwrap_or(Value::Bool(true));
        let mut verdict = lower_count(a, b, "minItems", at, "items")
            .and(|| upper_count(a, b, "maxItems", at, "items"));
        if b.get("uniqueItems") == Some(&Value::Bool(true))
            && a.get("uniqueItems") != Some(&Value::Bool(true))
            && keywords::count(a, "maxItems").is_none_or(|max| max > 1)
        {
            verdict = verdict.and(|| {
                Verdict::Disproven(format!(
                    "{}: the first schema accepts repeated items, the second does not",
                    at_or_root(at)
                ))
            });
        }
        verdict.and(|| self.sub(&a_items, &b_items, &format!("{at}/items"), depth + 1))
    }

    fn objects(
        &self,
        a: &Map<String, Value>,
        b: &Map<String, Value>,
        at: &str,
        depth: usize,
    ) -> Verdict {
        if a.contains_key("patternProperties") {
            return Verdict::Unknown(format!("{at}: `patternProperties` is not analysed"));
        }
        let a_required = keywords::required_in(a);
        for name in keywords::required_in(b) {
            if !a_required.contains(&name) {
                return Verdict::Disproven(format!(
                    "{}: `{name}` may be missing, and the second schema requires it",
                    at_or_root(at)
                ));
            }
        }
        let empty = Map::new();
        let a_properties = a
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let b_properties = b
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let open = Value::Bool(true);
        let a_additional = a.get("additionalProperties").unwrap_or(&open);
        let b_additional = b.get("additionalProperties").unwrap_or(&open);
        let mut verdict = Verdict::Proven;
        for name in a_properties.keys().chain(
            b_properties
                .keys()
                .filter(|k| !a_properties.contains_key(*k)),
        ) {
            let a_schema = a_properties.get(name).unwrap_or(a_additional);
            let b_schema = b_properties.get(name).unwrap_or(b_additional);
            let child = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
            verdict = verdict.and(|| {
                if b_schema == &Value::Bool(false) && a_schema != &Value::Bool(false) {
                    return Verdict::Disproven(format!(
                        "{}: `{name}` is accepted by the first schema and not declared by the second, which is closed",
                        at_or_root(at)
                    ));
                }
                self.sub(a_schema, b_schema, &child, depth + 1)
            });
        }
        verdict = verdict.and(|| {
            if *b_additional == Value::Bool(false) && *a_additional != Value::Bool(false) {
                return Verdict::Disproven(format!(
                    "{}: the first schema accepts undeclared properties, the second does not",
                    at_or_root(at)
                ));
            }
            self.sub(a_additional, b_additional, &format!("{at}/*"), depth + 1)
        });
        if let Some(min) = keywords::count(b, "minProperties") {
            let guaranteed = keywords::count(a, "minProperties")
                .unwrap_or(0)
                .max(a_required.len() as u64);
            if guaranteed < min {
                verdict = verdict.and(|| {
                    Verdict::Unknown(format!(
                        "{at}: cannot tell that at least {min} properties are present"
                    ))
                });
            }
        }
        if let Some(max) = keywords::count(b, "maxProperties") {
            let bounded = keywords::count(a, "maxProperties").is_some_and(|m| m <= max)
                || (*a_additional == Value::Bool(false) && a_properties.len() as u64 <= max);
            if !bounded {
                verdict = verdict.and(|| {
                    Verdict::Unknown(format!(
                        "{at}: cannot tell that at most {max} properties are present"
                    ))
                });
            }
        }
        verdict
    }
}

/// Numeric keywords: the first range must lie inside the second.
fn numbers(a: &Map<String, Value>, b: &Map<String, Value>, integral: bool, at: &str) -> Verdict {
    let (a_range, b_range) = (Range::of(a), Range::of(b));
    let where_ = at_or_root(at);
    let ends = |range: Range| {
        if integral {
            let (low, high) = range.integral();
            (
                low.map(|value| keywords::Bound {
                    value,
                    exclusive: false,
                }),
                high.map(|value| keywords::Bound {
                    value,
                    exclusive: false,
                }),
            )
        } else {
            (range.low, range.high)
        }
    };
    let ((a_low, a_high), (b_low, b_high)) = (ends(a_range), ends(b_range));
    let mut verdict = Verdict::Proven;
    if let Some(b_low) = b_low {
        let inside = a_low.is_some_and(|a_low| {
            a_low.value > b_low.value
                || (a_low.value == b_low.value && (a_low.exclusive || !b_low.exclusive))
        });
        if !inside {
            verdict = Verdict::Disproven(match a_low {
                Some(a_low) => format!(
                    "{where_}: the first schema accepts values down to {}, the second only from {}{}",
                    a_low.value,
                    b_low.value,
                    if b_low.exclusive { " (exclusive)" } else { "" }
                ),
                None => format!(
                    "{where_}: the first schema has no lower bound, the second's is {}",
                    b_low.value
                ),
            });
        }
    }
    if let Some(b_high) = b_high {
        let inside = a_high.is_some_and(|a_high| {
            a_high.value < b_high.value
                || (a_high.value == b_high.value && (a_high.exclusive || !b_high.exclusive))
        });
        if !inside {
            verdict = verdict.and(|| {
                Verdict::Disproven(match a_high {
                    Some(a_high) => format!(
                        "{where_}: the first schema accepts values up to {}, the second only up to {}{}",
                        a_high.value,
                        b_high.value,
                        if b_high.exclusive { " (exclusive)" } else { "" }
                    ),
                    None => format!(
                        "{where_}: the first schema has no upper bound, the second's is {}",
                        b_high.value
                    ),
                })
            });
        }
    }
    if let Some(step) = b_range.multiple_of {
        let divides = a_range
            .multiple_of
            .is_some_and(|mine| (mine / step).fract() == 0.0)
            || (integral && step == 1.0);
        if !divides {
            verdict = verdict.and(|| {
                Verdict::Unknown(format!(
                    "{where_}: cannot tell that every value is a multiple of {step}"
                ))
            });
        }
    }
    verdict
}

/// `b`'s lower count `key` must not exceed `a`'s.
fn lower_count(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    key: &str,
    at: &str,
    what: &str,
) -> Verdict {
    match keywords::count(b, key) {
        Some(min) if keywords::count(a, key).unwrap_or(0) < min => Verdict::Disproven(format!(
            "{}: the first schema accepts fewer than {min} {what}, the second does not",
            at_or_root(at)
        )),
        _ => Verdict::Proven,
    }
}

/// `a`'s upper count `key` must not exceed `b`'s.
fn upper_count(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    key: &str,
    at: &str,
    what: &str,
) -> Verdict {
    match keywords::count(b, key) {
        Some(max) if keywords::count(a, key).is_none_or(|mine| mine > max) => {
            Verdict::Disproven(format!(
                "{}: the first schema accepts more than {max} {what}, the second does not",
                at_or_root(at)
            ))
        }
        _ => Verdict::Proven,
    }
}

fn is_modelled(keyword: &str) -> bool {
    [
        GENERAL,
        NUMERIC,
        STRING,
        ARRAY,
        OBJECT,
        keywords::ANNOTATIONS,
    ]
    .iter()
    .any(|list| list.contains(&keyword))
}

/// The types a schema allows by its `type` keyword; other keywords do not
/// restrict the type (`{minimum: 1}` accepts strings).
fn types_of(schema: &Map<String, Value>) -> Vec<&'static str> {
    keywords::declared_types(schema).unwrap_or_else(|| keywords::TYPES.to_vec())
}

/// The values of `enum` or `const`, when the schema lists them.
fn listed_values(schema: &Map<String, Value>) -> Option<Vec<Value>> {
    if let Some(value) = schema.get("const") {
        return Some(vec![value.clone()]);
    }
    schema.get("enum").and_then(Value::as_array).cloned()
}

/// Whether the first side certainly has values outside any finite list:
/// strings, numbers, arrays or objects with no keyword that could pin them
/// down to a few values.
fn is_open_ended(a: &Map<String, Value>, types: &[&str]) -> bool {
    let narrowing = [
        "pattern",
        "format",
        "maxLength",
        "maximum",
        "exclusiveMaximum",
        "maxItems",
        "maxProperties",
        "not",
        "allOf",
        "if",
    ];
    !narrowing.iter().any(|k| a.contains_key(*k))
        && a.get("additionalProperties") != Some(&Value::Bool(false))
        && types
            .iter()
            .any(|t| ["string", "integer", "number", "array", "object"].contains(t))
}

/// Whether `oneOf` branches are told apart by their declared types, so at
/// most one can match and the union is an `anyOf`.
fn disjoint_by_type(branches: &[Value]) -> bool {
    let mut seen: Vec<&str> = Vec::new();
    for branch in branches {
        let Some(types) = branch.as_object().and_then(keywords::declared_types) else {
            return false;
        };
        for ty in types {
            let clash = seen.contains(&ty)
                || (ty == "integer" && seen.contains(&"number"))
                || (ty == "number" && seen.contains(&"integer"));
            if clash {
                return false;
            }
            seen.push(ty);
        }
    }
    true
}

/// Whether a reference keyword appears anywhere in `schema`.
fn refers(schema: &Map<String, Value>) -> bool {
    fn in_value(value: &Value) -> bool {
        match value {
            Value::Object(map) => refers(map),
            Value::Array(items) => items.iter().any(in_value),
            _ => false,
        }
    }
    schema.iter().any(|(key, value)| {
        matches!(key.as_str(), "$ref" | "$dynamicRef" | "$recursiveRef") || in_value(value)
    })
}

/// A subschema compiled on its own, with its root's definitions.
fn standalone(root: &Value, schema: &Map<String, Value>) -> Option<jsonschema::Validator> {
    let mut alone = schema.clone();
    for key in ["$defs", "definitions", "$schema"] {
        if let Some(value) = root.get(key)
            && !alone.contains_key(key)
        {
            alone.insert(key.into(), value.clone());
        }
    }
    jsonschema::validator_for(&Value::Object(alone)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn proven(a: Value, b: Value) {
        assert_eq!(is_subset(&a, &b), Verdict::Proven, "{a} ⊆ {b}");
    }

    fn disproven(a: Value, b: Value) -> String {
        match is_subset(&a, &b) {
            Verdict::Disproven(reason) => reason,
            other => panic!("{a} ⊆ {b}: expected a disproof, got {other:?}"),
        }
    }

    fn unknown(a: Value, b: Value) {
        assert!(
            matches!(is_subset(&a, &b), Verdict::Unknown(_)),
            "{a} ⊆ {b}: {:?}",
            is_subset(&a, &b)
        );
    }

    #[test]
    fn proven_cases() {
        proven(
            json!({"type": "integer", "minimum": 1, "maximum": 50}),
            json!({"type": "number", "minimum": 0, "maximum": 100}),
        );
        proven(
            json!({"type": "integer", "exclusiveMaximum": 51}),
            json!({"type": "integer", "maximum": 50}),
        );
        proven(
            json!({"const": "relevance"}),
            json!({"type": "string", "enum": ["relevance", "date"]}),
        );
        proven(
            json!({"enum": ["a", 1]}),
            json!({"type": ["string", "integer"]}),
        );
        proven(
            json!({"type": "string", "minLength": 2, "maxLength": 5}),
            json!({"type": "string", "minLength": 1}),
        );
        proven(
            json!({"type": ["integer", "null"]}),
            json!({"anyOf": [{"type": "integer"}, {"type": "null"}]}),
        );
        proven(
            json!({"type": "array", "items": {"type": "integer"}, "maxItems": 3, "uniqueItems": true}),
            json!({"type": "array", "items": {"type": "number"}, "maxItems": 10}),
        );
        proven(
            json!({"type": "object", "required": ["a", "b"], "additionalProperties": false, "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}),
            json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "b": {"type": "number"}, "c": {"type": "boolean"}}}),
        );
        proven(
            json!({"$ref": "#/$defs/x", "$defs": {"x": {"type": "string", "format": "date"}}}),
            json!({"type": "string", "format": "date"}),
        );
        proven(
            json!({"type": "string"}),
            json!({"type": "string", "format": "date"}),
        );
        proven(json!(false), json!({"type": "string"}));
        proven(json!({"type": "string"}), json!(true));
    }

    #[test]
    fn disproven_cases() {
        let tightened = disproven(
            json!({"type": "object", "properties": {"limit": {"type": "integer", "maximum": 100}}}),
            json!({"type": "object", "properties": {"limit": {"type": "integer", "maximum": 50}}}),
        );
        assert!(
            tightened.contains("/limit") && tightened.contains("100"),
            "{tightened}"
        );
        disproven(json!({"type": "string"}), json!({"type": "integer"}));
        disproven(json!({"type": "number"}), json!({"type": "integer"}));
        disproven(
            json!({"type": "object", "properties": {"a": {}}}),
            json!({"type": "object", "required": ["a"]}),
        );
        disproven(
            json!({"type": "object"}),
            json!({"type": "object", "additionalProperties": false}),
        );
        disproven(json!({"enum": ["a", "b"]}), json!({"enum": ["a"]}));
        disproven(json!({"type": "string"}), json!({"enum": ["a"]}));
        disproven(
            json!({"type": "array"}),
            json!({"type": "array", "maxItems": 2}),
        );
        disproven(
            json!({"type": "integer"}),
            json!({"type": "integer", "minimum": 0}),
        );
    }

    #[test]
    fn equal_subschemas_are_proven_whatever_their_keywords() {
        // `not` and `patternProperties` are not analysed, but the schemas
        // around them are the same on both sides.
        let name = json!({"type": "string", "not": {"const": "root"}, "maxLength": 8});
        proven(
            json!({"type": "object", "additionalProperties": false, "properties": {"name": name.clone()}}),
            json!({"type": "object", "additionalProperties": false, "properties": {"name": name, "note": {"type": "string"}}}),
        );
        proven(
            json!({"type": "object", "patternProperties": {"^x-": {"type": "string"}}}),
            json!({"type": "object", "patternProperties": {"^x-": {"type": "string"}}}),
        );
    }

    #[test]
    fn listed_values_are_checked_against_both_sides() {
        // Only listed: each value is the first side's.
        let reason = disproven(
            json!({"const": 9}),
            json!({"type": "integer", "maximum": 5}),
        );
        assert!(reason.contains('9'), "{reason}");
        proven(
            json!({"enum": [1, 2]}),
            json!({"type": "integer", "maximum": 5}),
        );
        // Listed and constrained: 9 is not the first side's after all.
        proven(
            json!({"enum": [1, 9], "maximum": 5}),
            json!({"type": "integer", "maximum": 5}),
        );
        proven(json!({"const": 7, "enum": [1]}), json!({"enum": [1]}));
    }

    #[test]
    fn equal_subschemas_with_references_are_checked_under_their_roots() {
        let reason = disproven(
            json!({"type": "object", "properties": {"x": {"$ref": "#/$defs/d"}}, "$defs": {"d": {"type": "string"}}}),
            json!({"type": "object", "properties": {"x": {"$ref": "#/$defs/d"}}, "$defs": {"d": {"type": "integer"}}}),
        );
        assert!(reason.contains("/x"), "{reason}");
    }

    #[test]
    fn equal_subschemas_under_other_dialects_go_through_the_analysis() {
        // Equal, they would be proven; analysed, `not` is not modelled.
        let properties = json!({"code": {"type": "string", "not": {"const": "XXX"}}});
        unknown(
            json!({"type": "object", "properties": properties.clone()}),
            json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": properties}),
        );
    }

    #[test]
    fn unknown_cases() {
        unknown(
            json!({"type": "string"}),
            json!({"type": "string", "pattern": "^a"}),
        );
        unknown(json!({"type": "string"}), json!({"not": {"const": "x"}}));
        unknown(
            json!({"type": "integer"}),
            json!({"oneOf": [{"minimum": 0}, {"maximum": 10}]}),
        );
        unknown(
            json!({"type": "string", "pattern": "^[ab]$"}),
            json!({"enum": ["a", "b"]}),
        );
        unknown(
            json!({"type": "number"}),
            json!({"type": "number", "multipleOf": 0.5}),
        );
        unknown(
            json!({"type": "string"}),
            json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "string", "format": "date"}),
        );
    }

    #[test]
    fn proofs_hold_on_generated_instances() {
        let pool = [
            json!({"type": "integer", "minimum": 1, "maximum": 50}),
            json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 100}),
            json!({"type": "number", "minimum": 0}),
            json!({"type": ["integer", "null"]}),
            json!({"anyOf": [{"type": "integer"}, {"type": "null"}]}),
            json!({"oneOf": [{"type": "string", "maxLength": 3}, {"type": "boolean"}]}),
            json!({"type": "string", "enum": ["a", "b"]}),
            json!({"type": "string", "maxLength": 2}),
            json!({"type": "array", "items": {"type": "integer", "minimum": 0}, "maxItems": 3, "uniqueItems": true}),
            json!({"type": "array", "items": {"type": "number"}}),
            json!({"type": "object", "required": ["a"], "additionalProperties": false, "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}),
            json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}),
            json!({"type": "object", "properties": {"a": {"type": "string", "minLength": 1}, "b": {"type": "number"}}}),
            json!({"$ref": "#/$defs/d", "$defs": {"d": {"type": "object", "required": ["a", "b"], "properties": {"a": {"const": "x"}, "b": {"type": "integer", "maximum": 5}}}}}),
        ];
        let mut proven = 0;
        for (i, a) in pool.iter().enumerate() {
            let instances = crate::prove::Generator::new(a)
                .unwrap()
                .instances(i as u64, 32);
            assert!(!instances.is_empty(), "{a} gives no instances");
            assert_eq!(is_subset(a, a), Verdict::Proven, "{a} ⊆ itself");
            for b in &pool {
                if is_subset(a, b) == Verdict::Proven {
                    proven += 1;
                    let check = jsonschema::validator_for(b).unwrap();
                    for value in &instances {
                        assert!(
                            check.is_valid(value),
                            "{a} ⊆ {b} was proven, yet {value} fails"
                        );
                    }
                }
            }
        }
        // Reflexivity alone gives one per schema; containments add more.
        assert!(proven > pool.len() + 8, "only {proven} proofs");
    }
}
