//! What a tool body sees and returns: the call context, the error type, and
//! the adapters that turn a typed handler into the erased form the pipeline
//! calls.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use rmcp::model::{
    CallToolResult, ContentBlock, ProgressNotificationParam, ProgressToken, RequestId,
};
use rmcp::service::{Peer, RoleServer};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::tenancy::{TenantScope, TenantStorage};
use crate::tenant::TenantId;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a handler knows about the call it serves.
#[derive(Clone, Debug)]
pub struct ToolContext {
    /// The version the caller resolved to (the handler always receives
    /// arguments in its own, newest version).
    pub caller_version: semver::Version,
    /// The JSON-RPC request id.
    pub request_id: RequestId,
    /// Cancelled when the client cancels the request.
    pub cancellation: CancellationToken,
    /// Who calls, when known: the principal its credentials (HTTP) or the
    /// runtime config name.
    pub principal: Option<Arc<str>>,
    pub(crate) tenant: TenantScope,
    pub(crate) progress_token: Option<ProgressToken>,
    pub(crate) peer: Option<Peer<RoleServer>>,
}

impl ToolContext {
    /// The tenant the call is served for: from the caller's verified
    /// credentials or the server's config, never from the request.
    pub fn tenant(&self) -> Option<&TenantId> {
        self.tenant.tenant()
    }

    /// The tenant's config (the spec's `tenants[].config` under the runtime
    /// config's): an object, empty when the tenant has none or the caller
    /// has no tenant.
    pub fn tenant_config(&self) -> &Value {
        self.tenant.config()
    }

    /// Storage that belongs to the call's tenant alone.
    pub fn storage(&self) -> TenantStorage {
        self.tenant.storage()
    }

    /// Reports progress to the client when it asked for progress updates;
    /// does nothing otherwise.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: impl Into<String>) {
        let (Some(token), Some(peer)) = (&self.progress_token, &self.peer) else {
            return;
        };
        let mut param =
            ProgressNotificationParam::new(token.clone(), progress).with_message(message);
        if let Some(total) = total {
            param = param.with_total(total);
        }
        // A client that went away cannot be told; the call itself goes on.
        let _ = peer.notify_progress(param).await;
    }
}

/// A failure the model should see: it becomes a result with `isError: true`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ToolError {
    message: String,
}

impl ToolError {
    /// A tool error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message shown to the model.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn into_result(self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(self.message)])
    }
}

/// A tool body with its argument and result types erased, as the pipeline
/// calls it.
pub trait ErasedHandler: Send + Sync + 'static {
    /// Runs the tool with arguments already validated against and migrated to
    /// the handler's version.
    fn call(
        &self,
        context: ToolContext,
        arguments: Value,
    ) -> BoxFuture<'static, Result<CallToolResult, ToolError>>;
}

struct Typed<F, M, I, O> {
    body: F,
    map_output: M,
    types: PhantomData<fn(I) -> O>,
}

impl<I, O, F, Fut, M> ErasedHandler for Typed<F, M, I, O>
where
    I: DeserializeOwned + Send + 'static,
    F: Fn(ToolContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, ToolError>> + Send + 'static,
    O: 'static,
    M: Fn(O) -> Result<CallToolResult, ToolError> + Send + Sync + Copy + 'static,
{
    fn call(
        &self,
        context: ToolContext,
        mut arguments: Value,
    ) -> BoxFuture<'static, Result<CallToolResult, ToolError>> {
        integral_floats_to_integers(&mut arguments);
        let input = match serde_json::from_value::<I>(arguments) {
            Ok(input) => input,
            Err(error) => {
                // The arguments passed the schema, so this is a gap between the
                // schema and the generated type; report it rather than panic.
                let error =
                    ToolError::new(format!("arguments do not fit the handler's types: {error}"));
                return Box::pin(std::future::ready(Err(error)));
            }
        };
        let future = (self.body)(context, input);
        let map_output = self.map_output;
        Box::pin(async move { future.await.and_then(map_output) })
    }
}

/// JSON Schema counts `1.0` as an integer, serde's `i64` does not: rewrite
/// whole-number floats as integers so every value the validator accepted
/// also deserialises. `f64` fields read integers just as well.
fn integral_floats_to_integers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float >= i64::MIN as f64
                && float < i64::MAX as f64
            {
                *number = serde_json::Number::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// Wraps a handler whose result is typed: it becomes `structuredContent` plus a
/// text block holding the same JSON.
pub fn structured<I, O, F, Fut>(body: F) -> Arc<dyn ErasedHandler>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(ToolContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, ToolError>> + Send + 'static,
{
    Arc::new(Typed {
        body,
        map_output: |output: O| {
            structured_result(&output)
                .map_err(|e| ToolError::new(format!("the result could not be serialised: {e}")))
        },
        types: PhantomData,
    })
}

/// `output` as `structuredContent` plus a text block of the same JSON, as
/// `CallToolResult::structured` makes it, but with the text written by
/// `serde_json::to_string`: rmcp's constructor formats it through
/// `Display`, which costs about a tenth of a whole call.
fn structured_result<O: Serialize>(output: &O) -> serde_json::Result<CallToolResult> {
    let value = serde_json::to_value(output)?;
    let mut result = CallToolResult::success(vec![ContentBlock::text(compact(&value))]);
    result.structured_content = Some(value);
    Ok(result)
}

/// `value` as compact JSON text: what `Value::to_string` gives, written
/// straight into a buffer rather than through a formatter.
pub(crate) fn compact(value: &Value) -> String {
    serde_json::to_string(value).expect("a JSON value serialises")
}

/// Wraps a handler that builds its own [`CallToolResult`] (tools without an
/// `output` schema).
pub fn unstructured<I, F, Fut>(body: F) -> Arc<dyn ErasedHandler>
where
    I: DeserializeOwned + Send + 'static,
    F: Fn(ToolContext, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<CallToolResult, ToolError>> + Send + 'static,
{
    Arc::new(Typed {
        body,
        map_output: Ok::<CallToolResult, ToolError>,
        types: PhantomData,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_floats_become_integers_and_others_stay() {
        let mut value =
            json!({"limit": 1.0, "score": 0.5, "nested": [2.0, {"big": 1e300}], "n": 3});
        integral_floats_to_integers(&mut value);
        assert_eq!(
            value,
            json!({"limit": 1, "score": 0.5, "nested": [2, {"big": 1e300}], "n": 3})
        );
        assert!(value["limit"].is_i64());
    }
}
