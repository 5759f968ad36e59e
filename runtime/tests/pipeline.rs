//! The `tools/call` pipeline end to end inside the runtime: version
//! resolution, validation, migration, re-validation and result metadata,
//! with a handler that echoes what it receives.

use std::sync::Arc;

use mcpgen_runtime::handler::unstructured;
use mcpgen_runtime::pipeline::{Call, Pipeline};
use mcpgen_runtime::registry::{HandlerSet, Registry};
use mcpgen_runtime::{CallToolResult, ToolError, meta};
use rmcp::model::{JsonObject, NumberOrString};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

fn manifest(changes_to_v2: Value) -> String {
    json!({
        "format": 1,
        "server": {"name": "t", "version": "1.0.0", "transports": ["stdio"]},
        "tools": [{
            "name": "echo",
            "description": "Echoes its arguments.",
            "versions": [
                {
                    "version": "1.0.0",
                    "input": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}, "max": {"type": "integer", "maximum": 10}}, "additionalProperties": false},
                    "deprecated": {"message": "use 2.x", "sunset": "2027-01-01", "successor": "2.0.0"}
                },
                {
                    "version": "2.0.0",
                    "changes": changes_to_v2,
                    "input": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}, "limit": {"type": "integer"}, "sort": {"type": "string"}}, "additionalProperties": false}
                }
            ]
        }]
    })
    .to_string()
}

fn registry(changes_to_v2: Value) -> Registry {
    let mut handlers = HandlerSet::new();
    handlers.insert(
        "echo",
        unstructured(|_context, arguments: Value| async move {
            if arguments.get("q") == Some(&json!("fail")) {
                return Err(ToolError::new("the handler refused"));
            }
            Ok(CallToolResult::structured(arguments))
        }),
    );
    Registry::new(&manifest(changes_to_v2), handlers).expect("the test manifest is valid")
}

fn good_chain() -> Value {
    json!([
        {"rename": {"from": "max", "to": "limit"}},
        {"add": {"path": "sort", "default": "relevance"}}
    ])
}

async fn call(
    registry: &Registry,
    arguments: Value,
    version: Option<&str>,
) -> Result<CallToolResult, rmcp::ErrorData> {
    let tool = registry.get("echo").expect("echo exists").clone();
    let mut request_meta = JsonObject::new();
    if let Some(version) = version {
        request_meta.insert(meta::TOOL_VERSION.to_owned(), json!(version));
    }
    let call = Call {
        version: tool.newest(),
        tool: Arc::clone(&tool),
        arguments,
        request_meta,
        request_id: NumberOrString::Number(1),
        cancellation: CancellationToken::new(),
        progress_token: None,
        peer: None,
    };
    Pipeline::standard().run(call).await
}

fn result_meta(result: &CallToolResult) -> &JsonObject {
    &result.meta.as_ref().expect("results carry _meta").0
}

fn text(result: &CallToolResult) -> String {
    result.content[0]
        .as_text()
        .expect("a text block")
        .text
        .clone()
}

#[tokio::test]
async fn without_a_version_the_newest_is_served() {
    let registry = registry(good_chain());
    let result = call(&registry, json!({"q": "x", "limit": 3}), None)
        .await
        .unwrap();
    assert_eq!(
        result.structured_content,
        Some(json!({"q": "x", "limit": 3}))
    );
    assert_eq!(result_meta(&result)[meta::RESOLVED_VERSION], json!("2.0.0"));
    assert!(!result_meta(&result).contains_key(meta::DEPRECATION));
}

#[tokio::test]
async fn old_arguments_are_migrated_and_the_deprecation_reported() {
    let registry = registry(good_chain());
    let result = call(&registry, json!({"q": "x", "max": 3}), Some("1.0.0"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false));
    assert_eq!(
        result.structured_content,
        Some(json!({"q": "x", "limit": 3, "sort": "relevance"}))
    );
    let notice = &result_meta(&result)[meta::DEPRECATION];
    assert_eq!(notice["version"], json!("1.0.0"));
    assert_eq!(notice["successor"], json!("2.0.0"));
    assert_eq!(result_meta(&result)[meta::RESOLVED_VERSION], json!("1.0.0"));
}

#[tokio::test]
async fn ranges_pick_the_newest_match() {
    let registry = registry(good_chain());
    let result = call(&registry, json!({"q": "x", "max": 1}), Some("<2"))
        .await
        .unwrap();
    assert_eq!(result_meta(&result)[meta::RESOLVED_VERSION], json!("1.0.0"));
    let result = call(&registry, json!({"q": "x"}), Some(">=1"))
        .await
        .unwrap();
    assert_eq!(result_meta(&result)[meta::RESOLVED_VERSION], json!("2.0.0"));
}

#[tokio::test]
async fn arguments_are_validated_against_the_callers_version() {
    let registry = registry(good_chain());
    // Valid at 2.0.0, but 1.0.0 does not know `limit` and caps `max` at 10.
    let result = call(
        &registry,
        json!({"q": "x", "limit": 3, "max": 11}),
        Some("1.0.0"),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    let message = text(&result);
    assert!(
        message.starts_with("Invalid arguments for echo 1.0.0:"),
        "{message}"
    );
    assert!(message.contains("/max"), "{message}");
    let pointers: Vec<&str> = result_meta(&result)[meta::VIOLATIONS]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["pointer"].as_str().unwrap())
        .collect();
    assert!(
        pointers.contains(&"/max") && pointers.contains(&""),
        "{pointers:?}"
    );
}

#[tokio::test]
async fn an_unserved_version_is_a_tool_error_listing_the_supported_ones() {
    let registry = registry(good_chain());
    for requested in ["3.0.0", "^7", "not a version"] {
        let result = call(&registry, json!({"q": "x"}), Some(requested))
            .await
            .unwrap();
        assert_eq!(result.is_error, Some(true));
        assert_eq!(
            result_meta(&result)[meta::VERSION_ERROR],
            json!({"requested": requested, "supported": ["1.0.0", "2.0.0"]})
        );
    }
}

#[tokio::test]
async fn a_chain_that_produces_invalid_arguments_is_a_server_error() {
    // Renaming `max` to `maximum` yields a field 2.0.0 rejects.
    let registry = registry(json!([{"rename": {"from": "max", "to": "maximum"}}]));
    let error = call(&registry, json!({"q": "x", "max": 3}), Some("1.0.0"))
        .await
        .unwrap_err();
    assert_eq!(error.code, rmcp::model::ErrorCode::INTERNAL_ERROR);
    assert!(
        error.message.contains("migrated from echo 1.0.0 to 2.0.0"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn handler_errors_become_error_results_with_the_version() {
    let registry = registry(good_chain());
    let result = call(&registry, json!({"q": "fail"}), None).await.unwrap();
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "the handler refused");
    assert_eq!(result_meta(&result)[meta::RESOLVED_VERSION], json!("2.0.0"));
}

#[test]
fn listing_shows_the_newest_schema_and_every_version() {
    let registry = registry(good_chain());
    let listing = &registry.get("echo").unwrap().listing;
    assert!(listing.input_schema["properties"].get("limit").is_some());
    let versions = &listing.meta.as_ref().unwrap().0[meta::VERSIONS];
    assert_eq!(versions["current"], json!("2.0.0"));
    assert_eq!(versions["supported"], json!(["1.0.0", "2.0.0"]));
    assert_eq!(versions["deprecated"]["1.0.0"]["message"], json!("use 2.x"));
}

#[test]
fn registries_refuse_broken_manifests() {
    let handlers = HandlerSet::new;
    assert!(Registry::new("{", handlers()).is_err());
    let mut wrong_format: Value = serde_json::from_str(&manifest(good_chain())).unwrap();
    wrong_format["format"] = json!(99);
    assert!(matches!(
        Registry::new(&wrong_format.to_string(), handlers()),
        Err(mcpgen_runtime::BuildError::Format { found: 99, .. })
    ));
    assert!(matches!(
        Registry::new(&manifest(good_chain()), handlers()),
        Err(mcpgen_runtime::BuildError::MissingHandler(_))
    ));
}
