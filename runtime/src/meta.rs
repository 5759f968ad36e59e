//! The `_meta` keys the runtime reads and writes. They live under the
//! `dev.mcpgen/` prefix: a reverse-DNS prefix of our own, since
//! `io.modelcontextprotocol/` is reserved by the protocol.

/// Request key: the tool version the caller wants, exact (`1.0.0`) or a
/// semver range (`^2`, `>=2, <3`).
pub const TOOL_VERSION: &str = "dev.mcpgen/toolVersion";
/// Result key: the version the call was served at.
pub const RESOLVED_VERSION: &str = "dev.mcpgen/resolvedVersion";
/// Result key: the deprecation notice of the resolved version.
pub const DEPRECATION: &str = "dev.mcpgen/deprecation";
/// Result key: `{requested, supported}` when no served version matches.
pub const VERSION_ERROR: &str = "dev.mcpgen/versionError";
/// Result key: the JSON Pointers of the arguments that failed validation.
pub const VIOLATIONS: &str = "dev.mcpgen/violations";
/// Tool listing key: `{current, supported, deprecated}`.
pub const VERSIONS: &str = "dev.mcpgen/versions";
