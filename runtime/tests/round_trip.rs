//! Property tests of the lens law the runtime relies on: for ops that claim
//! to round-trip ([`Op::round_trips`]), migrating a value forward and then
//! back through the inverse restores it, for every value the old schema
//! accepts. Values come from the schema's instance generator (seeded by
//! proptest) and, for the structural ops, from proptest's own JSON.

use mcpgen_runtime::migrate::{NoCustomOps, Op, apply_all, invert_all};
use mcpgen_runtime::prove::Generator;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Old schemas are closed, as round trips are promised only for values the
/// old version accepts: an undeclared `sortBy` would survive an `add` and
/// then be removed by its inverse.
fn cases() -> Vec<(Value, Vec<Op>)> {
    let search = json!({
        "type": "object",
        "required": ["query"],
        "additionalProperties": false,
        "properties": {
            "query": {"type": "string", "minLength": 1},
            "maxResults": {"type": "integer", "minimum": 1, "maximum": 100},
            "category": {"type": "string"},
            "sort": {"type": "string", "enum": ["date", "relevance", "title"]},
            "tag": {"type": ["string", "null"]},
            "filters": {
                "type": "object",
                "additionalProperties": false,
                "properties": {"cat": {"type": "string"}, "lang": {"type": "string", "enum": ["en", "fr"]}}
            },
            "results": {
                "type": "array",
                "maxItems": 4,
                "items": {
                    "type": "object",
                    "required": ["url"],
                    "additionalProperties": false,
                    "properties": {"url": {"type": "string", "format": "uri"}, "kind": {"enum": ["a", "b"]}}
                }
            }
        }
    });
    let ops = |list: Value| -> Vec<Op> { serde_json::from_value(list).expect("ops parse") };
    vec![
        (
            search.clone(),
            ops(json!([{"rename": {"from": "maxResults", "to": "limit"}}])),
        ),
        (
            search.clone(),
            ops(json!([{"add": {"path": "sortBy", "default": "relevance"}}])),
        ),
        (search.clone(), ops(json!([{"add": {"path": "page"}}]))),
        (
            search.clone(),
            ops(json!([{"move": {"from": "category", "to": "where.category"}}])),
        ),
        (
            search.clone(),
            ops(json!([{"move": {"from": "filters.cat", "to": "category2"}}])),
        ),
        (search.clone(), ops(json!([{"wrap": {"path": "tag"}}]))),
        (
            search.clone(),
            ops(
                json!([{"map_values": {"path": "sort", "map": {"date": "newest", "relevance": "best"}}}]),
            ),
        ),
        (
            search.clone(),
            ops(
                json!([{"in": {"path": "filters", "ops": [{"rename": {"from": "cat", "to": "category"}}]}}]),
            ),
        ),
        (
            search.clone(),
            ops(json!([{"each": {"path": "results", "ops": [
                {"rename": {"from": "url", "to": "link"}},
                {"map_values": {"path": "kind", "map": {"a": "alpha"}}}
            ]}}])),
        ),
        // A whole step: the search chain 1.0.0 → 3.0.0.
        (
            search,
            ops(json!([
                {"rename": {"from": "maxResults", "to": "limit"}},
                {"add": {"path": "sortBy", "default": "relevance"}},
                {"move": {"from": "category", "to": "where.category"}},
                {"wrap": {"path": "tag"}}
            ])),
        ),
    ]
}

fn round_trip(ops: &[Op], value: &Value) -> Value {
    let mut migrated = value.clone();
    apply_all(ops, &mut migrated, &NoCustomOps).expect("built-in ops are total");
    let inverse = invert_all(ops).expect("round-tripping ops are invertible");
    apply_all(&inverse, &mut migrated, &NoCustomOps).expect("built-in ops are total");
    migrated
}

#[test]
fn the_cases_claim_to_round_trip() {
    for (_, ops) in cases() {
        assert!(ops.iter().all(Op::round_trips), "{ops:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_values_survive_forward_then_back(case in 0..10usize, seed in any::<u64>()) {
        let (schema, ops) = &cases()[case];
        let values = Generator::new(schema).expect("the schema compiles").random(seed, 8);
        prop_assert!(!values.is_empty());
        for value in &values {
            prop_assert_eq!(&round_trip(ops, value), value, "ops {:?}", ops);
        }
    }

    #[test]
    fn any_json_moves_and_wraps_back(
        query in ".*",
        moved in json_leaf(),
        wrapped in json_leaf(),
        renamed in proptest::option::of(json_leaf()),
    ) {
        let mut value = json!({"query": query, "category": moved, "tag": wrapped});
        if let Some(renamed) = renamed {
            value["maxResults"] = renamed;
        }
        let ops: Vec<Op> = serde_json::from_value(json!([
            {"rename": {"from": "maxResults", "to": "limit"}},
            {"move": {"from": "category", "to": "filters.category"}},
            {"wrap": {"path": "tag"}}
        ])).unwrap();
        prop_assert_eq!(round_trip(&ops, &value), value);
    }
}

/// Any JSON value a few levels deep.
fn json_leaf() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}
