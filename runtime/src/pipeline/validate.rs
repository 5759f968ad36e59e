//! Checks arguments against the JSON Schema of a version.

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, MetaObject};
use serde_json::{Value, json};

use crate::handler::BoxFuture;
use crate::registry::ToolVersion;

use super::{Call, CallOutcome, Next, Stage};

/// Rejects arguments that do not match the resolved version's input schema
/// with an `isError` result naming each violation's JSON Pointer, so the model
/// can correct itself.
pub struct ValidateArguments;

impl Stage for ValidateArguments {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        let resolved = call.resolved();
        if resolved.validator.is_valid(&call.arguments) {
            return next.run(call);
        }
        let key = &call.registry.meta().violations;
        let result = invalid_arguments(&call.tool.name, resolved, &call.arguments, key);
        Box::pin(std::future::ready(Ok(result)))
    }
}

/// Re-checks migrated arguments against the handler's schema. A failure means
/// the migration chain is wrong, which `mcpgen check` exists to prevent, so it
/// is a server error rather than something the model could fix.
pub struct RevalidateMigrated;

impl Stage for RevalidateMigrated {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        let newest = &call.tool.versions[call.tool.newest()];
        if call.version == call.tool.newest() || newest.validator.is_valid(&call.arguments) {
            return next.run(call);
        }
        let violations = violations(newest, &call.arguments);
        let listed = Value::Array(violations.clone());
        tracing::error!(
            tool = %call.tool.name,
            from = %call.resolved().version,
            to = %newest.version,
            arguments = %call.arguments,
            violations = %listed,
            "migrated arguments do not match the handler's schema"
        );
        let error = ErrorData::internal_error(
            format!(
                "arguments migrated from {} {} to {} do not match its schema",
                call.tool.name,
                call.resolved().version,
                newest.version
            ),
            Some(json!({ "violations": violations })),
        );
        Box::pin(std::future::ready(Err(error)))
    }
}

fn violations(version: &ToolVersion, arguments: &Value) -> Vec<Value> {
    version
        .validator
        .iter_errors(arguments)
        .map(|e| json!({ "pointer": e.instance_path().as_str(), "message": e.to_string() }))
        .collect()
}

fn invalid_arguments(
    tool: &str,
    version: &ToolVersion,
    arguments: &Value,
    key: &str,
) -> CallToolResult {
    let violations = violations(version, arguments);
    let mut text = format!("Invalid arguments for {tool} {}:", version.version);
    for violation in &violations {
        let pointer = violation["pointer"].as_str().unwrap_or_default();
        let shown = if pointer.is_empty() {
            "(root)"
        } else {
            pointer
        };
        text.push_str(&format!(
            "\n- {shown}: {}",
            violation["message"].as_str().unwrap_or_default()
        ));
    }
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    let mut result_meta = JsonObject::new();
    result_meta.insert(key.to_owned(), Value::Array(violations));
    result.meta = Some(MetaObject(result_meta));
    result
}
