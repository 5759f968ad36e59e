//! The axum middleware in front of the MCP endpoint: verified requests go
//! on with their [`Principal`] in the request extensions (where rmcp hands
//! them to the server), the rest get 401 or 403.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Authenticator;

/// Runs `authenticator` on every request.
pub async fn require_credentials(
    State(authenticator): State<Arc<Authenticator>>,
    mut request: Request,
    next: Next,
) -> Response {
    match authenticator.authenticate(request.headers()) {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(refusal) => {
            // The reason, never the credential.
            tracing::info!(method = %request.method(), reason = %refusal, "request refused");
            authenticator.refuse(&refusal)
        }
    }
}
