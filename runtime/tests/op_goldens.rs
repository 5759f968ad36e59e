//! Golden files for every migration op: what it does to data going forward,
//! what its inverse does to the result, and what it does to a schema. One
//! reviewed snapshot per op, so a change in any of the three shows up as a
//! diff.

use mcpgen_runtime::migrate::{CustomOps, Op, apply_all, invert_all, transform_schema};
use serde_json::{Value, json};

/// The functions behind the `custom` golden.
struct Functions;

impl CustomOps for Functions {
    fn run(&self, name: &str, value: &mut Value) -> Result<(), String> {
        let Some(Value::String(text)) = value.get_mut("code") else {
            return Ok(());
        };
        *text = match name {
            "upper" => text.to_uppercase(),
            "lower" => text.to_lowercase(),
            other => return Err(format!("no function `{other}`")),
        };
        Ok(())
    }
}

/// Runs `op` forward on `data`, back through its inverse, and over
/// `schema`, and records all three.
fn golden(op: Value, data: Value, schema: Value) -> Value {
    let ops: Vec<Op> = vec![serde_json::from_value(op.clone()).expect("the op parses")];
    let mut forward = data.clone();
    apply_all(&ops, &mut forward, &Functions).expect("the op runs");
    let inverse = invert_all(&ops);
    let back = inverse.as_ref().map(|inverse| {
        let mut back = forward.clone();
        apply_all(inverse, &mut back, &Functions).expect("the inverse runs");
        back
    });
    let mut transformed = schema.clone();
    let schema_after = match transform_schema(&ops[0], &mut transformed) {
        Ok(()) => transformed,
        Err(error) => json!({"error": error.to_string()}),
    };
    json!({
        "op": op,
        "forward": {"before": data, "after": forward},
        "inverse": {
            "ops": inverse,
            "after": back,
            "restores": back.as_ref() == Some(&data),
        },
        "schema": {"before": schema, "after": schema_after},
    })
}

fn search_schema() -> Value {
    json!({
        "type": "object",
        "required": ["query"],
        "additionalProperties": false,
        "properties": {
            "query": {"type": "string"},
            "maxResults": {"type": "integer", "minimum": 1, "maximum": 100},
            "category": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "sort": {"type": "string", "enum": ["date", "relevance"]},
            "limit": {"type": "string"},
            "code": {"type": "string"}
        }
    })
}

#[test]
fn rename() {
    insta::assert_json_snapshot!(golden(
        json!({"rename": {"from": "maxResults", "to": "max"}}),
        json!({"query": "rust", "maxResults": 3}),
        search_schema(),
    ));
}

#[test]
fn add() {
    insta::assert_json_snapshot!(golden(
        json!({"add": {"path": "sortBy", "default": "relevance"}}),
        json!({"query": "rust"}),
        search_schema(),
    ));
}

#[test]
fn remove() {
    insta::assert_json_snapshot!(golden(
        json!({"remove": {"path": "category", "default": "all"}}),
        json!({"query": "rust", "category": "news"}),
        search_schema(),
    ));
}

#[test]
fn set_default() {
    insta::assert_json_snapshot!(golden(
        json!({"set_default": {"path": "maxResults", "value": 10}}),
        json!({"query": "rust"}),
        search_schema(),
    ));
}

#[test]
fn move_() {
    insta::assert_json_snapshot!(
        "move",
        golden(
            json!({"move": {"from": "category", "to": "filters.category"}}),
            json!({"query": "rust", "category": "news"}),
            search_schema(),
        )
    );
}

#[test]
fn wrap() {
    insta::assert_json_snapshot!(golden(
        json!({"wrap": {"path": "category"}}),
        json!({"query": "rust", "category": "news"}),
        search_schema(),
    ));
}

#[test]
fn unwrap() {
    insta::assert_json_snapshot!(golden(
        json!({"unwrap": {"path": "tags"}}),
        json!({"query": "rust", "tags": ["a"]}),
        search_schema(),
    ));
}

#[test]
fn map_values() {
    insta::assert_json_snapshot!(golden(
        json!({"map_values": {"path": "sort", "map": {"date": "newest", "relevance": "best"}}}),
        json!({"query": "rust", "sort": "date"}),
        search_schema(),
    ));
}

#[test]
fn coerce() {
    insta::assert_json_snapshot!(golden(
        json!({"coerce": {"path": "limit", "from": "string", "to": "integer"}}),
        json!({"query": "rust", "limit": "25"}),
        search_schema(),
    ));
}

#[test]
fn clamp() {
    insta::assert_json_snapshot!(golden(
        json!({"clamp": {"path": "maxResults", "max": 50, "lossy": true}}),
        json!({"query": "rust", "maxResults": 80}),
        search_schema(),
    ));
}

#[test]
fn in_() {
    insta::assert_json_snapshot!(
        "in",
        golden(
            json!({"in": {"path": "filters", "ops": [{"rename": {"from": "cat", "to": "category"}}]}}),
            json!({"query": "rust", "filters": {"cat": "news", "lang": "en"}}),
            json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "filters": {"type": "object", "required": ["cat"], "properties": {"cat": {"type": "string"}, "lang": {"type": "string"}}}
                }
            }),
        )
    );
}

#[test]
fn each() {
    insta::assert_json_snapshot!(golden(
        json!({"each": {"path": "results", "ops": [{"rename": {"from": "url", "to": "link"}}]}}),
        json!({"total": 2, "results": [{"url": "https://a.example"}, {"url": "https://b.example", "id": 2}]}),
        json!({
            "type": "object",
            "properties": {
                "total": {"type": "integer"},
                "results": {"type": "array", "items": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}, "id": {"type": "integer"}}}}
            }
        }),
    ));
}

#[test]
fn custom() {
    insta::assert_json_snapshot!(golden(
        json!({"custom": {"fn": "upper", "inverse": "lower", "schema": {"properties": {"code": {"pattern": "^[A-Z]*$"}}}}}),
        json!({"query": "rust", "code": "abc"}),
        search_schema(),
    ));
}
