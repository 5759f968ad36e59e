//! The runtime config (`serve --config runtime.yaml`): what an operator sets
//! per deployment and never in the spec.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The runtime config file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    /// The tenant every caller of this instance belongs to.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Server-wide version pins: tool → version or range (override the spec's).
    #[serde(default)]
    pub pins: BTreeMap<String, String>,
    /// Per-tenant settings.
    #[serde(default)]
    pub tenants: BTreeMap<String, TenantConfig>,
    /// Who may call over HTTP. Without it the HTTP endpoint takes every
    /// request its Host and Origin checks let through.
    #[serde(default)]
    pub auth: Option<AuthConfig>,
}

/// HTTP authentication: API keys and JWT bearer tokens.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The canonical URI of the MCP endpoint (RFC 8707), e.g.
    /// `https://mcp.example.com/mcp`: tokens must name it in `aud`, and the
    /// protected resource metadata is served under its origin.
    pub resource: String,
    /// Issuers clients may get tokens from (RFC 9728 `authorization_servers`).
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// Scopes every credential must carry.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Accepted API keys.
    #[serde(default)]
    pub api_keys: Vec<ApiKeyConfig>,
    /// Accepted bearer tokens.
    #[serde(default)]
    pub jwt: Option<JwtConfig>,
}

/// One API key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// Who presents it.
    pub principal: String,
    /// The tenant that principal belongs to.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Hex SHA-256 of the key (`<server> auth hash-key`); never the key.
    pub sha256: String,
    /// Scopes the key carries.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// Bearer tokens of one issuer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// The exact `iss` every token must carry.
    pub issuer: String,
    /// The issuer's public keys, a JWK set (RFC 7517) in a file.
    pub jwks_file: PathBuf,
    /// Accepted signature algorithms (asymmetric only).
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
    /// Clock skew allowed on `exp` and `nbf`, in seconds (at most 300).
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    /// The claim naming the principal.
    #[serde(default = "default_principal_claim")]
    pub principal_claim: String,
    /// The claim naming the tenant; without it, token callers have none.
    #[serde(default)]
    pub tenant_claim: Option<String>,
}

fn default_algorithms() -> Vec<String> {
    vec!["RS256".into(), "ES256".into()]
}

fn default_leeway() -> u64 {
    30
}

fn default_principal_claim() -> String {
    "sub".into()
}

/// Settings of one tenant.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// Version pins of this tenant's callers (override the spec's).
    #[serde(default)]
    pub pins: BTreeMap<String, String>,
}

impl RuntimeConfig {
    /// Reads and parses the config file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Per-tenant pins, as [`crate::pins::Pins::overlay`] takes them.
    pub fn tenant_pins(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        self.tenants
            .iter()
            .map(|(tenant, config)| (tenant.clone(), config.pins.clone()))
            .collect()
    }
}
