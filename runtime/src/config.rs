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
    /// The principal every caller of this instance is, for the spec's access
    /// rules (one of `access.principals`). When unset, the environment
    /// variable `principal_env` names applies.
    #[serde(default)]
    pub principal: Option<String>,
    /// The environment variable naming the principal when `principal` is
    /// unset; [`PRINCIPAL_ENV`] unless set.
    #[serde(default)]
    pub principal_env: Option<String>,
    /// Server-wide version pins: tool → version or range (override the spec's).
    #[serde(default)]
    pub pins: BTreeMap<String, String>,
    /// Per-tenant settings.
    #[serde(default)]
    pub tenants: BTreeMap<String, TenantConfig>,
    /// The audit log; off when absent.
    #[serde(default)]
    pub audit: Option<AuditConfig>,
    /// Who may call over HTTP. Without it the HTTP endpoint takes every
    /// request its Host and Origin checks let through.
    #[serde(default)]
    pub auth: Option<AuthConfig>,
    /// Where the spans of `tools/call` are exported; nowhere when absent.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
}

/// Export of the per-call spans (see `docs/runtime-config.md`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// An OpenTelemetry collector taking OTLP/HTTP. Needs a binary built with
    /// the `otlp` feature; one without it refuses to start rather than
    /// silently dropping the spans the operator asked for.
    #[serde(default)]
    pub otlp: Option<OtlpConfig>,
}

/// An OTLP/HTTP (protobuf) collector.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtlpConfig {
    /// The collector's base URL, e.g. `http://127.0.0.1:4318`; spans go to
    /// `/v1/traces` under it.
    pub endpoint: String,
    /// `service.name` of the exported spans; the server's name when unset.
    #[serde(default)]
    pub service_name: Option<String>,
    /// Headers sent with every export (a collector's API key, say). Kept as
    /// secrets: a logged config shows none of them.
    #[serde(default)]
    pub headers: BTreeMap<String, Secret>,
    /// The longest one export may take, retries included, in milliseconds.
    /// It also bounds how long shutdown waits for the last spans.
    #[serde(default = "default_otlp_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_otlp_timeout_ms() -> u64 {
    5000
}

/// Where and how the audit log is written (see `docs/audit.md`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The JSONL file; created when missing, else its chain is continued.
    pub path: PathBuf,
    /// Whether a response waits for its record to be on disk.
    pub mode: AuditMode,
    /// The HMAC key for redacted values, inline.
    #[serde(default)]
    pub redaction_key: Option<Secret>,
    /// The environment variable holding the HMAC key for redacted values.
    #[serde(default)]
    pub redaction_key_env: Option<String>,
    /// What records carry beyond the metadata.
    #[serde(default)]
    pub record: AuditRecordConfig,
    /// Queue and flush settings of `buffered` mode.
    #[serde(default)]
    pub buffered: BufferedConfig,
}

pub use crate::manifest::AuditMode;

/// What records carry beyond the metadata. Each is recorded only for tools
/// whose spec opts in *and* when this allows it.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecordConfig {
    /// Record the arguments of tools that opt in.
    #[serde(default = "yes")]
    pub arguments: bool,
    /// Record the results of tools that opt in.
    #[serde(default = "yes")]
    pub results: bool,
}

impl Default for AuditRecordConfig {
    fn default() -> Self {
        Self {
            arguments: true,
            results: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// Queue and flush settings of `buffered` mode.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BufferedConfig {
    /// Records the queue holds; when it is full, records are dropped and
    /// counted.
    #[serde(default = "default_capacity")]
    pub capacity: usize,
    /// The longest a record waits before it is written and synced.
    #[serde(default = "default_flush_ms")]
    pub flush_ms: u64,
}

impl Default for BufferedConfig {
    fn default() -> Self {
        Self {
            capacity: default_capacity(),
            flush_ms: default_flush_ms(),
        }
    }
}

fn default_capacity() -> usize {
    4096
}

fn default_flush_ms() -> u64 {
    1000
}

/// A secret string: never shown by `Debug`, so a logged config leaks nothing.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Settings of one tenant.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// Version pins of this tenant's callers (override the spec's).
    #[serde(default)]
    pub pins: BTreeMap<String, String>,
    /// Settings handed to handlers serving this tenant; each key replaces
    /// the spec's key of the same name.
    #[serde(default)]
    pub config: serde_json::Map<String, serde_json::Value>,
}

/// The environment variable that names the principal when the config does
/// not and names no other variable (handy for stdio servers started by a
/// client, which passes its own environment).
pub const PRINCIPAL_ENV: &str = "MCPGEN_PRINCIPAL";

impl RuntimeConfig {
    /// The principal: the config's, else the one in the environment
    /// variable [`RuntimeConfig::principal_env`] names (if not empty).
    pub fn principal(&self) -> Option<String> {
        self.principal.clone().or_else(|| {
            std::env::var(self.principal_env())
                .ok()
                .filter(|p| !p.trim().is_empty())
        })
    }

    /// The environment variable that may name the principal.
    pub fn principal_env(&self) -> &str {
        self.principal_env.as_deref().unwrap_or(PRINCIPAL_ENV)
    }

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
    /// The issuer's public keys, a JWK set (RFC 7517) in a file read at
    /// start. Exactly one of this and `jwks_url`.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// Where the issuer publishes its JWK set: fetched at start, cached, and
    /// fetched again on the TTL and for tokens of an unknown `kid`. Only
    /// `https://`, or `http://` to a loopback host.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// The least time between two fetches that tokens of unknown `kid`s
    /// cause, in seconds (1 to 30 days; default 60).
    #[serde(default)]
    pub jwks_refetch_interval_seconds: Option<u64>,
    /// How long a fetched JWK set is used before it is fetched again, in
    /// seconds (1 to 30 days; default 3600).
    #[serde(default)]
    pub jwks_ttl_seconds: Option<u64>,
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
