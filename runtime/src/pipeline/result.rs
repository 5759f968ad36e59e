//! Moves a result from the handler's version back to the caller's.

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

use crate::handler::{BoxFuture, compact};
use crate::migrate::apply_all;

use super::{Call, CallOutcome, Next, Stage};

/// Runs the inverse of every later version's response ops over
/// `structuredContent` (and the text block that serialises it), then checks
/// the result against the caller's `output` schema.
pub struct MigrateResult;

impl Stage for MigrateResult {
    fn run<'a>(&'a self, call: &'a mut Call, next: Next<'a>) -> BoxFuture<'a, CallOutcome> {
        Box::pin(async move {
            let outcome = next.run(call).await?;
            if call.version == call.tool.newest() || outcome.is_error == Some(true) {
                return Ok(outcome);
            }
            downgrade(call, outcome)
        })
    }
}

fn downgrade(call: &Call, mut result: CallToolResult) -> CallOutcome {
    let Some(structured) = result.structured_content.take() else {
        return Ok(result);
    };
    let original_text = compact(&structured);
    let mut migrated = structured;
    let version = call.resolved();
    if let Err(error) = apply_all(
        &version.downgrade,
        &mut migrated,
        call.registry.custom_ops(),
    ) {
        tracing::error!(tool = %call.tool.name, %error, "result migration failed");
        return Err(ErrorData::internal_error(error.to_string(), None));
    }
    if let Some(validator) = &version.output_validator
        && !validator.is_valid(&migrated)
    {
        let violations: Vec<Value> = validator
            .iter_errors(&migrated)
            .map(|e| json!({ "pointer": e.instance_path().as_str(), "message": e.to_string() }))
            .collect();
        let listed = Value::Array(violations.clone());
        tracing::error!(
            tool = %call.tool.name,
            version = %version.version,
            violations = %listed,
            "the migrated result does not match the caller's output schema"
        );
        return Err(ErrorData::internal_error(
            format!(
                "the result of {} migrated to {} does not match its output schema",
                call.tool.name, version.version
            ),
            Some(json!({ "violations": violations })),
        ));
    }
    // A text block that is the serialised structured result follows it.
    for block in &mut result.content {
        if let ContentBlock::Text(text) = block
            && text.text == original_text
        {
            text.text = compact(&migrated);
        }
    }
    result.structured_content = Some(migrated);
    Ok(result)
}
