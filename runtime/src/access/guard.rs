//! What the server asks of the access rules: may this caller see a tool, and
//! may it make this call now. Joins the stateless [`Policy`] with the
//! stateful [`Limits`].

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::limit::Limits;
use super::{Access, Action, Decision, Policy, PolicyError, Reason, Request};
use crate::registry::ToolEntry;
use crate::tenant::TenantId;

/// The compiled rules and their rate limiters.
pub struct Guard {
    policy: Policy,
    limits: Limits,
}

/// The verdict on one call.
#[derive(Debug)]
pub enum Verdict {
    /// Go ahead.
    Allowed,
    /// The caller may not see the tool (at this version): answer as if it
    /// did not exist. The reason is for the server's own logs only.
    Hidden(Reason),
    /// The caller sees the tool but may not make this call.
    Denied(Decision),
    /// Over the capability's rate limit; retry after this long.
    Limited(Duration),
}

impl Guard {
    /// Compiles `access`; `None` when the spec has no `access` section, so
    /// that it enforces nothing. An empty section compiles to a policy that
    /// denies everything: rules that are present fail closed.
    pub fn new(access: Option<&Access>) -> Result<Option<Self>, PolicyError> {
        let Some(access) = access else {
            return Ok(None);
        };
        let policy = Policy::compile(access)?;
        let limits = Limits::new(&policy);
        Ok(Some(Self { policy, limits }))
    }

    /// The compiled rules.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The rate limiters.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether `principal` may see `tool` (restricted to `major` for an
    /// alias) now. No principal sees nothing.
    pub fn tool_visible(
        &self,
        principal: Option<&str>,
        tenant: Option<&str>,
        tool: &ToolEntry,
        major: Option<&semver::VersionReq>,
        now: Timestamp,
    ) -> bool {
        let Some(principal) = principal else {
            return false;
        };
        let versions = tool
            .versions
            .iter()
            .map(|v| &v.version)
            .filter(|v| major.is_none_or(|m| m.matches(v)));
        self.policy
            .visible(principal, tenant, &tool.resource, versions, now)
    }

    /// Why `principal` may not see `tool` (restricted to `major`): the
    /// decision of a call of its newest version, with the capability that
    /// came closest, for the audit record of a call answered as unknown.
    pub fn why_hidden(
        &self,
        principal: &str,
        tenant: Option<&str>,
        tool: &ToolEntry,
        major: Option<&semver::VersionReq>,
        now: Timestamp,
    ) -> String {
        let resource = &tool.resource;
        let newest = tool
            .versions
            .iter()
            .map(|v| &v.version)
            .rfind(|v| major.is_none_or(|m| m.matches(v)));
        let decision = self.policy.decide(&Request {
            principal,
            tenant,
            action: Action::Execute,
            resource,
            version: newest,
            arguments: None,
            now,
        });
        match decision.rule {
            Some(rule) => format!("{} ({rule})", decision.reason),
            None => decision.reason.to_string(),
        }
    }

    /// Judges a call of `tool` at `version` with `arguments`, and when it is
    /// allowed takes it from the deciding capability's rate limit.
    pub fn check_call(
        &self,
        principal: Option<&str>,
        tenant: Option<&str>,
        tool: &ToolEntry,
        version: &semver::Version,
        arguments: &Value,
        now: Timestamp,
    ) -> Verdict {
        let Some(principal) = principal else {
            return Verdict::Hidden(Reason::UnknownPrincipal);
        };
        let resource = &tool.resource;
        let decision = self.policy.decide(&Request {
            principal,
            tenant,
            action: Action::Execute,
            resource,
            version: Some(version),
            arguments: Some(arguments),
            now,
        });
        if !decision.allowed {
            // Only a capability that matched everything but the arguments
            // shows the tool; any other denial must not reveal it.
            return match decision.reason {
                Reason::Argument { .. } => Verdict::Denied(decision),
                _ if self.listed_only(principal, tenant, resource, version, now) => {
                    Verdict::Denied(decision)
                }
                reason => Verdict::Hidden(reason),
            };
        }
        let rule = decision.rule.expect("an allowed decision names its rule");
        if !self.limits.has_limit(&rule) {
            return Verdict::Allowed;
        }
        let Some(tenant) = self
            .policy
            .tenant_of(principal)
            .and_then(|t| TenantId::new(Arc::clone(t)))
        else {
            return Verdict::Hidden(Reason::UnknownPrincipal);
        };
        let key = tenant.scope((Arc::<str>::from(principal), Arc::<str>::from(&*tool.name)));
        match self.limits.check(&rule, &key) {
            Ok(()) => Verdict::Allowed,
            Err(wait) => Verdict::Limited(wait),
        }
    }

    /// Whether the caller may list (but not execute) the tool at `version`.
    fn listed_only(
        &self,
        principal: &str,
        tenant: Option<&str>,
        resource: &str,
        version: &semver::Version,
        now: Timestamp,
    ) -> bool {
        self.policy
            .decide(&Request {
                principal,
                tenant,
                action: Action::List,
                resource,
                version: Some(version),
                arguments: None,
                now,
            })
            .allowed
    }
}
