//! The `_meta` keys the runtime reads and writes, under the spec's
//! reverse-DNS prefix (`dev.mcpgen` unless the spec names another;
//! `io.modelcontextprotocol/` is reserved by the protocol).

use crate::manifest::DEFAULT_META_PREFIX;

/// The keys, with the prefix applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetaKeys {
    /// Request: the tool version the caller wants, exact (`1.0.0`) or a
    /// semver range (`^2`, `>=2, <3`).
    pub tool_version: String,
    /// Result: the version the call was served at.
    pub resolved_version: String,
    /// Result: the deprecation notice of the resolved version.
    pub deprecation: String,
    /// Result: `{requested, supported, …}` when no served version matches.
    pub version_error: String,
    /// Result: the JSON Pointers of the arguments that failed validation.
    pub violations: String,
    /// Tool listing: `{current, newest, supported, deprecated}`.
    pub versions: String,
}

impl MetaKeys {
    /// The keys under `prefix`.
    pub fn new(prefix: &str) -> Self {
        let key = |name: &str| format!("{prefix}/{name}");
        Self {
            tool_version: key("toolVersion"),
            resolved_version: key("resolvedVersion"),
            deprecation: key("deprecation"),
            version_error: key("versionError"),
            violations: key("violations"),
            versions: key("versions"),
        }
    }
}

impl Default for MetaKeys {
    fn default() -> Self {
        Self::new(DEFAULT_META_PREFIX)
    }
}
