//! The axum middleware in front of the MCP endpoint: verified requests go
//! on with their [`Principal`] in the request extensions (where rmcp hands
//! them to the server), the rest get 401 or 403 and an audit record.
//!
//! [`Principal`]: super::Principal

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Authenticator, Refusal};
use crate::audit::{Audit, ErrorInfo, Outcome, Received, method_of};

/// What the middleware needs: the verifier, and the audit log refusals go to.
#[derive(Clone)]
pub struct Gate {
    /// Verifies credentials.
    pub authenticator: Arc<Authenticator>,
    /// Where refusals are recorded, when requests are.
    pub audit: Option<Arc<Audit>>,
}

/// Runs the gate's authenticator on every request.
pub async fn require_credentials(
    State(gate): State<Gate>,
    mut request: Request,
    next: Next,
) -> Response {
    let received = gate.audit.as_ref().map(|_| Received::now());
    match gate.authenticator.authenticate(request.headers()).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(refusal) => {
            // The reason, never the credential.
            tracing::info!(method = %request.method(), reason = %refusal, "request refused");
            if let (Some(audit), Some(received)) = (&gate.audit, received)
                && !record(audit, received, method_of(&request), &refusal).await
            {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            gate.authenticator.refuse(&refusal)
        }
    }
}

/// Records a refused request; false when a strict log could not take it
/// (then no refusal leaves without its record either).
async fn record(audit: &Audit, received: Received, method: String, refusal: &Refusal) -> bool {
    let mut entry = received.entry(&method, Outcome::Refused);
    let status = match refusal {
        Refusal::InsufficientScope(_) => 403,
        Refusal::Missing | Refusal::Invalid(_) => 401,
    };
    entry.error = Some(ErrorInfo {
        code: None,
        message: format!("{status}: {refusal}"),
    });
    match audit.log().append(&entry).await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(%error, "the audit record of a refused request was not written");
            !audit.log().is_strict()
        }
    }
}
