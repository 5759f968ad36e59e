//! Who is calling over HTTP: credentials (API keys, JWT bearer tokens) →
//! a verified [`Principal`], and the answers for requests without one.
//!
//! The tenant of a caller comes only from here (the credential's entry in
//! the runtime config, or a claim of a verified token), never from headers
//! or arguments.

mod api_key;
mod jwks;
mod jwks_cache;
mod jwks_fetch;
mod jwt;
mod layer;
mod metadata;

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use api_key::{ApiKeys, hash_key};
pub use jwt::JwtVerifier;
pub use layer::{Gate, require_credentials};
pub use metadata::metadata_path;

use crate::config::AuthConfig;

/// A caller whose credentials were verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// Who: the API key's principal, or the token's subject claim.
    pub id: Arc<str>,
    /// The tenant the credential belongs to.
    pub tenant: Option<Arc<str>>,
    /// The scopes the credential carries.
    pub scopes: Vec<String>,
    /// Which kind of credential it was.
    pub via: Credential,
}

/// The kind of credential a principal presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A key from the runtime config's `auth.api_keys`.
    ApiKey,
    /// A bearer token verified against the configured issuer's keys.
    Jwt,
}

/// Why a request was refused before reaching MCP. The text is for the
/// audit log and the server's log; it never contains the credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No `Authorization: Bearer` header.
    #[error("no credentials")]
    Missing,
    /// Credentials that do not verify (unknown key, bad token).
    #[error("invalid credentials: {0}")]
    Invalid(String),
    /// Valid credentials without a required scope.
    #[error("insufficient scope: missing {0}")]
    InsufficientScope(String),
}

/// Verifies credentials as the runtime config's `auth` section says.
pub struct Authenticator {
    api_keys: ApiKeys,
    jwt: Option<JwtVerifier>,
    required_scopes: Vec<String>,
    /// The absolute URL of the protected resource metadata document.
    metadata_url: String,
    /// That document.
    metadata: serde_json::Value,
}

// By hand, so that no digest or key can reach a log through `{:?}`.
impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("api_keys", &self.api_keys.len())
            .field("jwt", &self.jwt.is_some())
            .field("required_scopes", &self.required_scopes)
            .field("metadata_url", &self.metadata_url)
            .finish()
    }
}

impl Authenticator {
    /// Builds the verifier from `config` (reads the JWKS file, if any; a
    /// JWKS URL is checked here and fetched by [`Self::start`]).
    pub fn new(config: &AuthConfig, mcp_path: &str) -> Result<Self, String> {
        let metadata_url = metadata::metadata_url(&config.resource, mcp_path)?;
        Ok(Self {
            api_keys: ApiKeys::new(&config.api_keys)?,
            jwt: config
                .jwt
                .as_ref()
                .map(|jwt| JwtVerifier::new(jwt, &config.resource))
                .transpose()?,
            required_scopes: config.scopes.clone(),
            metadata_url,
            metadata: metadata::metadata_document(config),
        })
    }

    /// Fetches the keys of a `jwks_url`, if configured, and keeps them
    /// fresh from now on; call it on the runtime that serves. A failed
    /// fetch is logged and retried, not fatal.
    pub async fn start(&self) {
        if let Some(jwt) = &self.jwt {
            jwt.start().await;
        }
    }

    /// The protected resource metadata document (RFC 9728).
    pub fn metadata(&self) -> &serde_json::Value {
        &self.metadata
    }

    /// The principal behind `headers`' bearer credential.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Refusal> {
        let token = bearer(headers)?;
        // A JWT has three dot-separated parts; an API key has none.
        let principal = if token.split('.').count() == 3 {
            match &self.jwt {
                Some(jwt) => jwt.verify(token).await?,
                None => return Err(Refusal::Invalid("bearer tokens are not accepted".into())),
            }
        } else {
            self.api_keys.verify(token)?
        };
        if let Some(missing) = self
            .required_scopes
            .iter()
            .find(|scope| !principal.scopes.contains(scope))
        {
            return Err(Refusal::InsufficientScope(missing.clone()));
        }
        Ok(principal)
    }

    /// The HTTP answer to a refused request (RFC 6750 §3, MCP authorization).
    pub fn refuse(&self, refusal: &Refusal) -> Response {
        let mut challenge = format!("Bearer resource_metadata=\"{}\"", self.metadata_url);
        if !self.required_scopes.is_empty() {
            challenge.push_str(&format!(", scope=\"{}\"", self.required_scopes.join(" ")));
        }
        let status = match refusal {
            Refusal::Missing => StatusCode::UNAUTHORIZED,
            Refusal::Invalid(_) => {
                challenge.push_str(", error=\"invalid_token\"");
                StatusCode::UNAUTHORIZED
            }
            Refusal::InsufficientScope(_) => {
                challenge.push_str(", error=\"insufficient_scope\"");
                StatusCode::FORBIDDEN
            }
        };
        let mut response = status.into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// The credential of `Authorization: Bearer <credential>`. Only the header
/// counts: tokens in query strings are ignored (MCP authorization).
fn bearer(headers: &HeaderMap) -> Result<&str, Refusal> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(Refusal::Missing);
    };
    let value = value
        .to_str()
        .map_err(|_| Refusal::Invalid("the Authorization header is not text".into()))?;
    let (scheme, credential) = value.split_once(' ').ok_or_else(|| {
        Refusal::Invalid("the Authorization header is not `Bearer <token>`".into())
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || credential.trim().is_empty() {
        return Err(Refusal::Invalid(
            "the Authorization header is not `Bearer <token>`".into(),
        ));
    }
    Ok(credential.trim())
}
