//! The access rules as written: principals, roles and their capabilities. The
//! spec decodes into these types and the manifest carries them unchanged, so
//! the generator and the runtime read one format; [`super::Policy`] compiles
//! them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who may do what. Anything no capability grants is denied.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// Named sets of capabilities that principals take.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// The callers the server knows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<Principal>,
}

impl Access {
    /// Whether there are no rules at all (the server then enforces nothing).
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.principals.is_empty()
    }
}

/// A named set of capabilities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Unique role id.
    pub id: String,
    /// What the role grants.
    #[serde(default)]
    pub capabilities: Vec<Capability>,
}

/// A caller: a person or a program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Principal {
    /// Unique principal id; the runtime config (or, later, a credential)
    /// names it.
    pub id: String,
    /// The tenant the principal belongs to (one of `tenants`).
    pub tenant: String,
    /// Roles the principal takes, in the order they are consulted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Capabilities of the principal's own, consulted before its roles'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<Capability>,
}

/// Permission to act on the resources a pattern matches, within constraints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// `tools/<glob>`, `tools/<glob>@<semver range>`, `resources/<glob>` or
    /// `prompts/<glob>`. `*` and `?` stay within one `/`-separated segment;
    /// `**` as a whole segment spans any number of segments.
    pub resource: String,
    /// What the capability allows: `execute`, `read`, `list`, or `*` (all).
    pub actions: Vec<ActionName>,
    /// Limits on when, how often and with which arguments.
    #[serde(default, skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
}

/// An action a capability names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ActionName {
    /// Call a tool.
    #[serde(rename = "execute")]
    Execute,
    /// Read a resource or get a prompt.
    #[serde(rename = "read")]
    Read,
    /// See the resource in a listing (`tools/list`, …).
    #[serde(rename = "list")]
    List,
    /// Every action.
    #[serde(rename = "*")]
    All,
}

/// When, how often and with which arguments a capability applies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Constraints {
    /// The first instant the capability applies (inclusive): an RFC 3339
    /// timestamp, or a date meaning its midnight UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// The instant the capability stops applying (exclusive): an RFC 3339
    /// timestamp, or a date meaning its midnight UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// At most `requests` calls per `per`, per tenant, principal and tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Conditions on call arguments, by dotted path (`filters.category`).
    /// Every named argument must be present and satisfy its condition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub arguments: BTreeMap<String, ArgumentRule>,
}

impl Constraints {
    /// Whether nothing is constrained.
    pub fn is_empty(&self) -> bool {
        self.valid_from.is_none()
            && self.valid_until.is_none()
            && self.rate_limit.is_none()
            && self.arguments.is_empty()
    }
}

/// A rate limit: `requests` per `per`, refilled evenly (a token bucket that
/// holds `requests`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// How many calls the window allows (at least 1).
    pub requests: u32,
    /// The window: `10s`, `1m`, `1h`, `1h 30m`, `PT1M`.
    pub per: String,
}

/// What one argument must satisfy; every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ArgumentRule {
    /// The argument is a string beginning with this. When the prefix starts
    /// with `/` it is a path: the value must equal it or continue with `/`,
    /// and must have no `.` or `..` segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_with: Option<String>,
    /// The argument equals one of these values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Value>>,
    /// The argument is a number no less than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The argument is a number no greater than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}
