//! Capability-based access control: principals and roles hold capabilities
//! (a resource pattern, actions and constraints); everything no capability
//! grants is denied. The rules travel in the manifest, compile once into a
//! [`Policy`], and [`Policy::decide`] judges each request; rate limits, the
//! one stateful constraint, live in [`limit`].

pub mod constraints;
#[cfg(feature = "server")]
pub mod guard;
#[cfg(feature = "server")]
pub mod limit;
pub mod pattern;
pub mod policy;
pub mod rules;

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::Value;

pub use pattern::Pattern;
pub use policy::{Policy, PolicyError};
pub use rules::{Access, ActionName};

/// What a request does to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// `tools/call`.
    Execute,
    /// `resources/read`, `prompts/get`.
    Read,
    /// A listing (`tools/list`, …).
    List,
}

impl Action {
    /// The name capabilities use for it.
    pub fn name(self) -> ActionName {
        match self {
            Self::Execute => ActionName::Execute,
            Self::Read => ActionName::Read,
            Self::List => ActionName::List,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Execute => "execute",
            Self::Read => "read",
            Self::List => "list",
        })
    }
}

/// One request to judge.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Who asks.
    pub principal: &'a str,
    /// The tenant the request runs under, when the server knows one; a
    /// principal of another tenant is denied.
    pub tenant: Option<&'a str>,
    /// What it does.
    pub action: Action,
    /// To what: `tools/<name>`, `resources/<uri>`, `prompts/<name>`.
    pub resource: &'a str,
    /// The tool version the call is served at; a capability with a range
    /// never matches a request without one.
    pub version: Option<&'a semver::Version>,
    /// The arguments; `None` skips argument conditions (listings).
    pub arguments: Option<&'a Value>,
    /// The time to judge at.
    pub now: Timestamp,
}

/// Whose capability decided.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    /// The principal's own capabilities.
    Principal(Arc<str>),
    /// A role's.
    Role(Arc<str>),
}

/// A capability: its holder and its index in the holder's list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RuleRef {
    /// Whose list it is in.
    pub holder: Holder,
    /// Its index there.
    pub index: usize,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.holder {
            Holder::Principal(id) => write!(f, "principal `{id}` capability {}", self.index),
            Holder::Role(id) => write!(f, "role `{id}` capability {}", self.index),
        }
    }
}

/// Why a request was allowed or denied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A capability grants it.
    Granted,
    /// The policy does not know the principal.
    UnknownPrincipal,
    /// The principal belongs to another tenant than the request runs under.
    OtherTenant {
        /// The principal's tenant.
        tenant: String,
    },
    /// No capability matches the resource, action and version.
    NoRuleGrants,
    /// The capability that matches applies only from `from`.
    NotYetValid {
        /// When it starts applying.
        from: Timestamp,
    },
    /// The capability that matches stopped applying at `until`.
    Expired {
        /// When it stopped.
        until: Timestamp,
    },
    /// The capability that matches constrains an argument the call breaks.
    Argument {
        /// The dotted path of the argument.
        path: String,
        /// What it must be.
        requirement: String,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Granted => f.write_str("granted"),
            Self::UnknownPrincipal => f.write_str("unknown principal"),
            Self::OtherTenant { tenant } => {
                write!(f, "the principal belongs to tenant `{tenant}`")
            }
            Self::NoRuleGrants => f.write_str("no rule grants it"),
            Self::NotYetValid { from } => write!(f, "the capability applies from {from}"),
            Self::Expired { until } => write!(f, "the capability expired at {until}"),
            Self::Argument { path, requirement } => {
                write!(f, "argument `{path}` {requirement}")
            }
        }
    }
}

/// The outcome of [`Policy::decide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go ahead.
    pub allowed: bool,
    /// The capability that granted it, or for a denial the first one that
    /// matched but whose constraints failed.
    pub rule: Option<RuleRef>,
    /// Why.
    pub reason: Reason,
}

impl Decision {
    fn allow(rule: RuleRef) -> Self {
        Self {
            allowed: true,
            rule: Some(rule),
            reason: Reason::Granted,
        }
    }

    fn deny(rule: Option<RuleRef>, reason: Reason) -> Self {
        Self {
            allowed: false,
            rule,
            reason,
        }
    }
}
