//! The spec as written (`mcpgen.yaml`, format 1): the serde types it decodes
//! into, and from which `mcpgen schema` derives the JSON Schema editors use.
//! Nothing here is checked beyond its shape; `validate` does the rest.

pub use mcpgen_runtime::access::Access;
pub use mcpgen_runtime::manifest::{AuditMode, Transport};
use mcpgen_runtime::migrate::Op;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// An mcpgen spec: one MCP server, its tools and their versions.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "mcpgen spec")]
pub struct Spec {
    /// The spec format version. Always `1`.
    pub mcpgen: u32,
    /// The server's identity.
    pub server: Server,
    /// Feature modules; every tool may name the module it belongs to.
    #[serde(default)]
    pub modules: Vec<Module>,
    /// Tenants: their version pins and config.
    #[serde(default)]
    pub tenants: Vec<Tenant>,
    /// A JSON Schema every tenant's config must satisfy, in the spec and
    /// once the runtime config's keys are laid over it.
    #[serde(default)]
    pub tenant_config: Option<Value>,
    /// The tools the server offers.
    pub tools: Vec<Tool>,
    /// Who may call what: principals, roles and their capabilities. Without
    /// it the server enforces no access rules.
    #[serde(default)]
    pub access: Option<Access>,
}

/// The server's identity.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Machine-readable name: letters, digits, `-` and `_`, starting with a
    /// letter. It also names the generated crate and binary.
    pub name: String,
    /// Semver version of the server (and of the generated crate).
    pub version: String,
    /// Human-readable title.
    #[serde(default)]
    pub title: Option<String>,
    /// What the server is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Instructions for the model, sent when a client connects.
    #[serde(default)]
    pub instructions: Option<String>,
    /// The transports the binary offers. Default: both.
    #[serde(default = "default_transports")]
    pub transports: Vec<Transport>,
    /// How callers pick tool versions.
    #[serde(default)]
    pub versioning: Versioning,
    /// The audit log every deployment must keep: `strict` (each record on
    /// disk before its response) or `buffered`. A runtime config without an
    /// `audit` section, or with a weaker mode than this, stops the server.
    /// Without it, the runtime config alone decides.
    #[serde(default)]
    pub audit: Option<AuditMode>,
}

/// How callers pick tool versions, and how deprecations are announced.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Versioning {
    /// Reverse-DNS prefix of the `_meta` keys (`<prefix>/toolVersion`, …).
    /// Default `dev.mcpgen`; `io.modelcontextprotocol` and any prefix whose
    /// second label is `modelcontextprotocol` or `mcp` are reserved.
    #[serde(default = "default_meta_prefix")]
    pub meta_prefix: String,
    /// Server-wide pins: tool → version (`1.0.0`) or range (`^2`), used when
    /// a call names no version.
    #[serde(default)]
    pub pins: BTreeMap<String, String>,
    /// Add a text block the model reads to results of deprecated versions.
    #[serde(default)]
    pub deprecation_notice: bool,
    /// Also list each older major of a tool as a tool of its own
    /// (`search_v1`), serving the newest version of that major.
    #[serde(default)]
    pub major_aliases: bool,
}

impl Default for Versioning {
    fn default() -> Self {
        Self {
            meta_prefix: default_meta_prefix(),
            pins: BTreeMap::new(),
            deprecation_notice: false,
            major_aliases: false,
        }
    }
}

fn default_meta_prefix() -> String {
    mcpgen_runtime::manifest::DEFAULT_META_PREFIX.to_owned()
}

/// A tenant.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// Unique tenant id; runtime configs and credentials name it.
    pub id: String,
    /// Tool → version or range for this tenant's callers (over the server
    /// pins).
    #[serde(default)]
    pub pins: BTreeMap<String, String>,
    /// Settings handed to the handlers that serve this tenant's callers (a
    /// mapping); the runtime config may override each key.
    #[serde(default)]
    pub config: Option<Value>,
}

fn default_transports() -> Vec<Transport> {
    vec![Transport::Stdio, Transport::Http]
}

/// A feature module: a named group of tools.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// Unique module name.
    pub name: String,
    /// What the module covers.
    #[serde(default)]
    pub description: Option<String>,
}

/// One tool and all the versions the server serves.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// The MCP tool name: 1–64 letters, digits, `_` or `-`.
    pub name: String,
    /// Human-readable title.
    #[serde(default)]
    pub title: Option<String>,
    /// What the tool does, for the model. Shown verbatim in `tools/list`.
    pub description: String,
    /// The module the tool belongs to (see `modules`).
    #[serde(default)]
    pub module: Option<String>,
    /// MCP tool annotations (hints for clients).
    #[serde(default)]
    pub annotations: Option<Annotations>,
    /// What the server's audit log records of this tool's calls.
    #[serde(default)]
    pub audit: Option<Audit>,
    /// The versions, oldest first. The last one is the version the handler
    /// implements; older ones are served by migrating their arguments up.
    pub versions: Vec<Version>,
}

/// What the audit log records of a tool's calls beyond the metadata (time,
/// tenant, principal, tool, version, outcome, duration).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// Record the arguments as the caller sent them.
    #[serde(default)]
    pub arguments: bool,
    /// Record the result.
    #[serde(default)]
    pub results: bool,
    /// Dotted paths of values to redact (`password`, `filters.token`): each
    /// must name a property of an input or output schema. A redacted value is
    /// replaced by a marker and its keyed hash.
    #[serde(default)]
    pub sensitive: Vec<String>,
}

/// MCP tool annotations. All of them are hints, never guarantees.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Annotations {
    /// Human-readable title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The tool does not modify its environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// The tool may perform destructive updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// Repeating a call with the same arguments has no further effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// The tool interacts with an open world of external entities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

/// One version of a tool.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// Semver version; versions of a tool strictly increase.
    pub version: String,
    /// What changed in this version (for changelogs).
    #[serde(default)]
    pub description: Option<String>,
    /// JSON Schema (2020-12) of the arguments; `type: object` at the top.
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub input: Value,
    /// JSON Schema of the structured result (`structuredContent`).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub output: Option<Value>,
    /// Marks the version as deprecated.
    #[serde(default)]
    pub deprecated: Option<Deprecation>,
    /// How the previous version's arguments and results map onto this
    /// one's. Required after the first version unless `compatible: true`.
    #[serde(default)]
    pub changes: Option<Changes>,
    /// Declares that arguments and results of the previous version are valid
    /// for this one as they are, so no `changes` are needed.
    #[serde(default)]
    pub compatible: Option<bool>,
}

/// One version step, written old → new.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Changes {
    /// How arguments of the previous version become arguments of this one.
    /// Requests run these forward, from the caller's version up to the
    /// handler's.
    #[serde(default)]
    pub request: Vec<Op>,
    /// How results of the previous version became results of this one.
    /// Results run their inverses, from the handler's version down to the
    /// caller's, so every op here must be reversible.
    #[serde(default)]
    pub response: Vec<Op>,
}

/// A deprecation notice.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    /// What callers should do instead.
    pub message: String,
    /// When the version was deprecated (`YYYY-MM-DD`).
    #[serde(default)]
    pub since: Option<String>,
    /// When the version stops being served (`YYYY-MM-DD`).
    #[serde(default)]
    pub sunset: Option<String>,
    /// The version callers should move to (one of this tool's versions).
    #[serde(default)]
    pub successor: Option<String>,
}
