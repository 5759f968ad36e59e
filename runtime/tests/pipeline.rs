//! The `tools/call` pipeline end to end inside the runtime: version
//! resolution (requests, pins, aliases, sunsets), validation, argument and
//! result migration, and result metadata, with a handler that reports what it
//! received.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use mcpgen_runtime::handler::unstructured;
use mcpgen_runtime::meta::MetaKeys;
use mcpgen_runtime::pipeline::{Call, Pipeline};
use mcpgen_runtime::registry::{HandlerSet, Registry};
use mcpgen_runtime::{CallToolResult, ToolError};
use rmcp::model::JsonObject;
use serde_json::{Value, json};

/// `echo` 1.0.0 → 2.0.0 (arguments renamed) → 3.0.0 (result reshaped).
fn manifest() -> Value {
    let args = json!({"type": "object"});
    json!({
        "format": mcpgen_runtime::manifest::FORMAT,
        "server": {"name": "t", "version": "1.0.0", "transports": ["stdio"]},
        "versioning": {"meta_prefix": "dev.mcpgen"},
        "tenants": [{"id": "legacy", "pins": {"echo": "1.0.0"}}],
        "tools": [{
            "name": "echo",
            "description": "Echoes its arguments.",
            "versions": [
                {
                    "version": "1.0.0",
                    "input": {"type": "object", "required": ["q"], "additionalProperties": false,
                              "properties": {"q": {"type": "string"}, "max": {"type": "integer", "maximum": 10}}},
                    "output": {"type": "object", "required": ["total", "items"], "additionalProperties": false,
                               "properties": {"total": {"type": "integer"}, "args": args,
                                              "items": {"type": "array", "items": {"type": "object", "required": ["url"], "additionalProperties": false, "properties": {"url": {"type": "string"}}}}}},
                    "deprecated": {"message": "use 3.x", "sunset": "2099-01-01", "successor": "3.0.0"}
                },
                {
                    "version": "2.0.0",
                    "request": [
                        {"rename": {"from": "max", "to": "limit"}},
                        {"add": {"path": "sort", "default": "relevance"}}
                    ],
                    "input": {"type": "object", "required": ["q"], "additionalProperties": false,
                              "properties": {"q": {"type": "string"}, "limit": {"type": "integer"}, "sort": {"type": "string"}}},
                    "output": {"type": "object", "required": ["total", "items"], "additionalProperties": false,
                               "properties": {"total": {"type": "integer"}, "args": args,
                                              "items": {"type": "array", "items": {"type": "object", "required": ["url"], "additionalProperties": false, "properties": {"url": {"type": "string"}}}}}}
                },
                {
                    "version": "3.0.0",
                    "response": [
                        {"rename": {"from": "total", "to": "count"}},
                        {"each": {"path": "items", "ops": [{"rename": {"from": "url", "to": "link"}}]}}
                    ],
                    "input": {"type": "object", "required": ["q"], "additionalProperties": false,
                              "properties": {"q": {"type": "string"}, "limit": {"type": "integer"}, "sort": {"type": "string"}}},
                    "output": {"type": "object", "required": ["count", "items"], "additionalProperties": false,
                               "properties": {"count": {"type": "integer"}, "args": args,
                                              "items": {"type": "array", "items": {"type": "object", "required": ["link"], "additionalProperties": false, "properties": {"link": {"type": "string"}}}}}}
                }
            ]
        }]
    })
}

fn registry(manifest: Value) -> Registry {
    let mut handlers = HandlerSet::new();
    handlers.insert(
        "echo",
        unstructured(|_context, arguments: Value| async move {
            match arguments.get("q").and_then(Value::as_str) {
                Some("fail") => Err(ToolError::new("the handler refused")),
                // A result that breaks the 3.0.0 output schema on purpose.
                Some("broken") => Ok(CallToolResult::structured(
                    json!({"count": "many", "items": []}),
                )),
                _ => Ok(CallToolResult::structured(json!({
                    "count": arguments.get("limit").cloned().unwrap_or(json!(0)),
                    "items": [{"link": "https://example.com/a"}],
                    "args": arguments,
                }))),
            }
        }),
    );
    Registry::new(&manifest.to_string(), handlers).expect("the test manifest is valid")
}

fn keys() -> MetaKeys {
    MetaKeys::default()
}

struct Request<'a> {
    tool: &'a str,
    arguments: Value,
    version: Option<Value>,
    tenant: Option<&'a str>,
}

fn request(arguments: Value) -> Request<'static> {
    Request {
        tool: "echo",
        arguments,
        version: None,
        tenant: None,
    }
}

impl Request<'_> {
    fn at(mut self, version: &str) -> Self {
        self.version = Some(json!(version));
        self
    }
}

async fn run(
    registry: &Arc<Registry>,
    request: Request<'_>,
) -> Result<CallToolResult, rmcp::ErrorData> {
    let route = registry.route(request.tool).expect("the tool exists");
    let mut meta = JsonObject::new();
    if let Some(version) = request.version {
        meta.insert(keys().tool_version, version);
    }
    let parts = support::parts(1, meta, request.tenant, None);
    let call = Call::new(Arc::clone(registry), route, request.arguments, parts);
    Pipeline::standard().run(call).await
}

fn result_meta(result: &CallToolResult) -> &JsonObject {
    &result.meta.as_ref().expect("results carry _meta").0
}

fn texts(result: &CallToolResult) -> Vec<String> {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect()
}

fn standard() -> Arc<Registry> {
    Arc::new(registry(manifest()))
}

#[tokio::test]
async fn without_a_version_the_newest_is_served_unchanged() {
    let result = run(&standard(), request(json!({"q": "x", "limit": 3})))
        .await
        .unwrap();
    let structured = result.structured_content.clone().unwrap();
    assert_eq!(structured["count"], json!(3));
    assert_eq!(
        structured["items"],
        json!([{"link": "https://example.com/a"}])
    );
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("3.0.0")
    );
    assert!(!result_meta(&result).contains_key(&keys().deprecation));
}

#[tokio::test]
async fn old_callers_get_migrated_arguments_and_old_shaped_results() {
    let result = run(
        &standard(),
        request(json!({"q": "x", "max": 3})).at("1.0.0"),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(false));
    let structured = result.structured_content.clone().unwrap();
    assert_eq!(
        structured["args"],
        json!({"q": "x", "limit": 3, "sort": "relevance"})
    );
    assert_eq!(structured["total"], json!(3));
    assert_eq!(
        structured["items"],
        json!([{"url": "https://example.com/a"}])
    );
    assert!(structured.get("count").is_none());
    // The text block that serialises the result follows it.
    assert_eq!(texts(&result)[0], structured.to_string());
    let notice = &result_meta(&result)[&keys().deprecation];
    assert_eq!(notice["version"], json!("1.0.0"));
    assert_eq!(notice["successor"], json!("3.0.0"));
}

#[tokio::test]
async fn ranges_pick_the_newest_match() {
    let registry = standard();
    let result = run(&registry, request(json!({"q": "x", "max": 1})).at("<2"))
        .await
        .unwrap();
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("1.0.0")
    );
    let result = run(&registry, request(json!({"q": "x"})).at("^2"))
        .await
        .unwrap();
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("2.0.0")
    );
    assert_eq!(result.structured_content.unwrap()["total"], json!(0));
}

#[tokio::test]
async fn arguments_are_validated_against_the_callers_version() {
    let result = run(
        &standard(),
        request(json!({"q": "x", "limit": 3, "max": 11})).at("1.0.0"),
    )
    .await
    .unwrap();
    assert_eq!(result.is_error, Some(true));
    let message = &texts(&result)[0];
    assert!(
        message.starts_with("Invalid arguments for echo 1.0.0:"),
        "{message}"
    );
    let pointers: Vec<&str> = result_meta(&result)[&keys().violations]
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
    let registry = standard();
    for requested in [
        json!("4.0.0"),
        json!("^7"),
        json!("not a version"),
        json!(2),
    ] {
        let mut call = request(json!({"q": "x"}));
        call.version = Some(requested.clone());
        let result = run(&registry, call).await.unwrap();
        assert_eq!(result.is_error, Some(true));
        let error = &result_meta(&result)[&keys().version_error];
        assert_eq!(
            error["supported"],
            json!(["1.0.0", "2.0.0", "3.0.0"]),
            "{requested}"
        );
    }
}

#[tokio::test]
async fn a_null_version_means_no_preference() {
    let mut call = request(json!({"q": "x"}));
    call.version = Some(Value::Null);
    let result = run(&standard(), call).await.unwrap();
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("3.0.0")
    );
}

#[tokio::test]
async fn a_chain_that_produces_invalid_arguments_is_a_server_error() {
    let mut manifest = manifest();
    manifest["tools"][0]["versions"][1]["request"][0] =
        json!({"rename": {"from": "max", "to": "maximum"}});
    let error = run(
        &Arc::new(registry(manifest)),
        request(json!({"q": "x", "max": 3})).at("1.0.0"),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code, rmcp::model::ErrorCode::INTERNAL_ERROR);
    assert!(
        error.message.contains("migrated from echo 1.0.0 to 3.0.0"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_result_that_does_not_fit_the_callers_output_schema_is_a_server_error() {
    let error = run(&standard(), request(json!({"q": "broken"})).at("1.0.0"))
        .await
        .unwrap_err();
    assert_eq!(error.code, rmcp::model::ErrorCode::INTERNAL_ERROR);
    assert!(
        error.message.contains("does not match its output schema"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn handler_errors_become_error_results_with_the_version() {
    let result = run(&standard(), request(json!({"q": "fail"})).at("1.0.0"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert_eq!(texts(&result), ["the handler refused"]);
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("1.0.0")
    );
}

#[tokio::test]
async fn pins_apply_when_the_call_names_no_version() {
    let registry = standard();
    let tenant_pinned = Request {
        tenant: Some("legacy"),
        ..request(json!({"q": "x", "max": 2}))
    };
    let result = run(&registry, tenant_pinned).await.unwrap();
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("1.0.0")
    );
    assert_eq!(result.structured_content.unwrap()["total"], json!(2));
    // The request's own version wins over the pin.
    let explicit = Request {
        tenant: Some("legacy"),
        ..request(json!({"q": "x"})).at("3.0.0")
    };
    let result = run(&registry, explicit).await.unwrap();
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("3.0.0")
    );
    // Another tenant, with a server-wide pin from the runtime config.
    let mut configured = self::registry(manifest());
    let mut pins = configured.pins().clone();
    pins.overlay(
        &BTreeMap::from([("echo".to_owned(), "^2".to_owned())]),
        &BTreeMap::new(),
    )
    .unwrap();
    configured.set_pins(pins);
    let other = Request {
        tenant: Some("other"),
        ..request(json!({"q": "x"}))
    };
    let result = run(&Arc::new(configured), other).await.unwrap();
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("2.0.0")
    );
}

#[tokio::test]
async fn versions_past_their_sunset_are_refused_naming_the_successor() {
    let mut manifest = manifest();
    manifest["tools"][0]["versions"][0]["deprecated"]["sunset"] = json!("2001-01-01");
    let registry = Arc::new(registry(manifest));
    let result = run(&registry, request(json!({"q": "x"})).at("1.0.0"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    let message = &texts(&result)[0];
    assert!(
        message.contains("no longer served")
            && message.contains("2001-01-01")
            && message.contains("3.0.0"),
        "{message}"
    );
    // A range skips the sunset version.
    let result = run(&registry, request(json!({"q": "x"})).at(">=1"))
        .await
        .unwrap();
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("3.0.0")
    );
}

#[tokio::test]
async fn major_aliases_serve_their_major() {
    let mut manifest = manifest();
    manifest["versioning"]["major_aliases"] = json!(true);
    let registry = Arc::new(registry(manifest));
    let alias = registry.route("echo_v1").expect("echo_v1 is routed");
    assert_eq!(
        alias.alias_listing.as_ref().unwrap().input_schema["properties"]["max"]["maximum"],
        json!(10)
    );
    let result = run(
        &registry,
        Request {
            tool: "echo_v1",
            ..request(json!({"q": "x", "max": 1}))
        },
    )
    .await
    .unwrap();
    assert_eq!(
        result_meta(&result)[&keys().resolved_version],
        json!("1.0.0")
    );
    assert_eq!(result.structured_content.unwrap()["total"], json!(1));
    // An alias never leaves its major.
    let outside = Request {
        tool: "echo_v2",
        ..request(json!({"q": "x"})).at("3.0.0")
    };
    assert_eq!(run(&registry, outside).await.unwrap().is_error, Some(true));
}

#[tokio::test]
async fn a_model_visible_notice_is_opt_in() {
    let mut manifest = manifest();
    manifest["versioning"]["deprecation_notice"] = json!(true);
    let result = run(
        &Arc::new(registry(manifest)),
        request(json!({"q": "x"})).at("1.0.0"),
    )
    .await
    .unwrap();
    let texts = texts(&result);
    assert_eq!(texts.len(), 2);
    assert!(
        texts[1].starts_with("Note: echo 1.0.0 is deprecated: use 3.x"),
        "{texts:?}"
    );
    assert_eq!(
        self::texts(
            &run(&standard(), request(json!({"q": "x"})).at("1.0.0"))
                .await
                .unwrap()
        )
        .len(),
        1
    );
}

#[tokio::test]
async fn the_meta_prefix_is_configurable() {
    let mut manifest = manifest();
    manifest["versioning"]["meta_prefix"] = json!("com.example.search");
    let registry = Arc::new(registry(manifest));
    let custom = MetaKeys::new("com.example.search");
    let route = registry.route("echo").unwrap();
    let mut meta = JsonObject::new();
    meta.insert(custom.tool_version.clone(), json!("2.0.0"));
    let parts = support::parts(1, meta, None, None);
    let result = Pipeline::standard()
        .run(Call::new(
            Arc::clone(&registry),
            route,
            json!({"q": "x"}),
            parts,
        ))
        .await
        .unwrap();
    assert_eq!(
        result_meta(&result)[&custom.resolved_version],
        json!("2.0.0")
    );
}

#[test]
fn listings_show_every_version() {
    let registry = standard();
    let tool = registry.get("echo").unwrap();
    let newest = &tool.versions[tool.newest()].listing;
    assert!(newest.input_schema["properties"].get("limit").is_some());
    let versions = &newest.meta.as_ref().unwrap().0[&keys().versions];
    assert_eq!(versions["current"], json!("3.0.0"));
    assert_eq!(versions["supported"], json!(["1.0.0", "2.0.0", "3.0.0"]));
    assert_eq!(versions["deprecated"]["1.0.0"]["message"], json!("use 3.x"));
    let oldest = &tool.versions[0].listing;
    assert_eq!(
        oldest.meta.as_ref().unwrap().0[&keys().versions]["current"],
        json!("1.0.0")
    );
    // A caller may pick any version per call, so the advertised output
    // schema admits every version's results, the shown version's first.
    let output = oldest.output_schema.as_ref().unwrap();
    assert_eq!(output["type"], json!("object"));
    let branches = output["anyOf"].as_array().unwrap();
    assert_eq!(branches.len(), 2, "1.0.0 and 2.0.0 share an output schema");
    assert!(branches[0]["properties"].get("total").is_some());
    assert!(branches[1]["properties"].get("count").is_some());
    let newest_output = newest.output_schema.as_ref().unwrap();
    assert!(
        newest_output["anyOf"][0]["properties"]
            .get("count")
            .is_some()
    );
}

#[test]
fn registries_refuse_broken_manifests() {
    let handlers = HandlerSet::new;
    assert!(Registry::new("{", handlers()).is_err());
    let mut wrong_format = manifest();
    wrong_format["format"] = json!(1);
    assert!(matches!(
        Registry::new(&wrong_format.to_string(), handlers()),
        Err(mcpgen_runtime::BuildError::Format { found: 1, .. })
    ));
    assert!(matches!(
        Registry::new(&manifest().to_string(), handlers()),
        Err(mcpgen_runtime::BuildError::MissingHandler(_))
    ));
}
