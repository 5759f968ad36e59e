//! Field paths used by migration ops: `filters.category`, or a JSON Pointer
//! (`/a.b/c`) when a key itself contains a dot.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A path to a field inside a JSON object, one key per segment.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath {
    segments: Vec<String>,
}

/// Why a path string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The string was empty.
    #[error("a field path must not be empty")]
    Empty,
    /// A segment between dots (or slashes) was empty.
    #[error("field path `{0}` has an empty segment")]
    EmptySegment(String),
}

impl FieldPath {
    /// Parses a dotted path, or a JSON Pointer when it starts with `/`. A
    /// lone `.` is the value itself (for ops inside `each` over scalars).
    pub fn parse(text: &str) -> Result<Self, PathError> {
        if text.is_empty() {
            return Err(PathError::Empty);
        }
        if text == "." {
            return Ok(Self {
                segments: Vec::new(),
            });
        }
        let segments: Vec<String> = match text.strip_prefix('/') {
            Some(pointer) => pointer
                .split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect(),
            None => text.split('.').map(str::to_owned).collect(),
        };
        if segments.iter().any(String::is_empty) {
            return Err(PathError::EmptySegment(text.to_owned()));
        }
        Ok(Self { segments })
    }

    /// Whether the path is `.`, the value itself.
    pub fn is_self(&self) -> bool {
        self.segments.is_empty()
    }

    /// The path followed by `rest`.
    pub fn join(&self, rest: &FieldPath) -> Self {
        let mut segments = self.segments.clone();
        segments.extend(rest.segments.iter().cloned());
        Self { segments }
    }

    /// The keys from the root to the field.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The last key (empty for `.`).
    pub fn leaf(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }

    /// The keys of the enclosing objects.
    pub fn parents(&self) -> &[String] {
        &self.segments[..self.segments.len().saturating_sub(1)]
    }

    /// The same parent with another leaf key (what `rename` produces).
    pub fn with_leaf(&self, leaf: &str) -> Self {
        let mut segments = self.parents().to_vec();
        segments.push(leaf.to_owned());
        Self { segments }
    }

    /// Reads the value at this path, if every enclosing value is an object.
    pub fn get<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.segments
            .iter()
            .try_fold(root, |value, key| value.as_object()?.get(key))
    }

    /// The value at this path, mutably.
    pub fn get_mut<'v>(&self, root: &'v mut Value) -> Option<&'v mut Value> {
        self.segments
            .iter()
            .try_fold(root, |value, key| value.as_object_mut()?.get_mut(key))
    }

    /// Removes and returns the value at this path (never the value itself).
    pub fn take(&self, root: &mut Value) -> Option<Value> {
        if self.is_self() {
            return None;
        }
        let parent = self.parent_object_mut(root)?;
        parent.shift_remove(self.leaf())
    }

    /// Writes `value` at this path, creating missing enclosing objects. Returns
    /// the value back when an enclosing value exists but is not an object.
    pub fn insert(&self, root: &mut Value, value: Value) -> Result<(), Value> {
        if self.is_self() {
            *root = value;
            return Ok(());
        }
        let mut current = root;
        for key in self.parents() {
            let Some(object) = current.as_object_mut() else {
                return Err(value);
            };
            current = object
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()));
        }
        match current.as_object_mut() {
            Some(object) => {
                object.insert(self.leaf().to_owned(), value);
                Ok(())
            }
            None => Err(value),
        }
    }

    /// Removes enclosing objects of this path that became empty, innermost first.
    pub fn prune_empty_parents(&self, root: &mut Value) {
        for depth in (1..self.segments.len()).rev() {
            let parent = Self {
                segments: self.segments[..depth].to_vec(),
            };
            let is_empty_object = parent
                .get(root)
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty);
            if !is_empty_object {
                return;
            }
            parent.take(root);
        }
    }

    fn parent_object_mut<'v>(&self, root: &'v mut Value) -> Option<&'v mut Map<String, Value>> {
        self.parents()
            .iter()
            .try_fold(root, |value, key| value.as_object_mut()?.get_mut(key))?
            .as_object_mut()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_self() {
            return f.write_str(".");
        }
        if self.segments.iter().any(|s| s.contains('.')) {
            for segment in &self.segments {
                write!(f, "/{}", segment.replace('~', "~0").replace('/', "~1"))?;
            }
            Ok(())
        } else {
            f.write_str(&self.segments.join("."))
        }
    }
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FieldPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for FieldPath {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FieldPath".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "A dotted path to a field (`filters.category`), a JSON Pointer (`/a.b/c`) when a key contains a dot, or `.` for the value itself."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(text: &str) -> FieldPath {
        FieldPath::parse(text).unwrap()
    }

    #[test]
    fn parses_dotted_and_pointer_forms() {
        assert_eq!(path("a.b").segments(), ["a", "b"]);
        assert_eq!(path("/a.b/c~1d").segments(), ["a.b", "c/d"]);
        assert_eq!(FieldPath::parse(""), Err(PathError::Empty));
        assert!(path(".").is_self());
        assert!(matches!(
            FieldPath::parse("a..b"),
            Err(PathError::EmptySegment(_))
        ));
    }

    #[test]
    fn display_round_trips() {
        for text in ["a", "a.b.c", "/a.b/c", "."] {
            assert_eq!(path(text).to_string(), text);
        }
    }

    #[test]
    fn insert_creates_parents_and_refuses_non_objects() {
        let mut value = json!({"a": 1});
        path("x.y").insert(&mut value, json!(2)).unwrap();
        assert_eq!(value, json!({"a": 1, "x": {"y": 2}}));
        assert_eq!(path("a.b").insert(&mut value, json!(3)), Err(json!(3)));
    }

    #[test]
    fn take_and_prune() {
        let mut value = json!({"f": {"g": {"h": 1}}, "k": 2});
        assert_eq!(path("f.g.h").take(&mut value), Some(json!(1)));
        path("f.g.h").prune_empty_parents(&mut value);
        assert_eq!(value, json!({"k": 2}));
        assert_eq!(path("missing.x").take(&mut value), None);
    }
}
