//! The compiled policy: every principal's capabilities (its own, then its
//! roles') flattened in the order they are consulted, with one `GlobSet` per
//! principal, and [`Policy::decide`], which judges one request.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use globset::{GlobSet, GlobSetBuilder};
use jiff::Timestamp;
use serde_json::Value;

use super::constraints::{self, InWindow, Window, check_argument, lookup};
use super::pattern::Pattern;
use super::rules::{Access, ActionName, ArgumentRule, Capability};
use super::{Action, Decision, Holder, Reason, Request, RuleRef};

/// Why rules do not compile. `mcpgen check` reports each of these with a
/// location, so at run time they mean a hand-edited manifest.
#[derive(Debug, thiserror::Error)]
#[error("access rules: {0}")]
pub struct PolicyError(pub String);

/// A capability ready to be judged.
#[derive(Debug)]
struct Rule {
    origin: RuleRef,
    range: Option<semver::VersionReq>,
    actions: Vec<ActionName>,
    window: Window,
    arguments: Vec<(String, ArgumentRule)>,
    rate_limit: Option<(u32, Duration)>,
}

impl Rule {
    fn allows(&self, action: Action) -> bool {
        self.actions
            .iter()
            .any(|a| *a == ActionName::All || *a == action.name())
    }
}

#[derive(Debug)]
struct CompiledPrincipal {
    tenant: Arc<str>,
    rules: Vec<Rule>,
    globs: GlobSet,
}

/// The compiled access rules.
#[derive(Debug, Default)]
pub struct Policy {
    principals: HashMap<String, CompiledPrincipal>,
}

impl Policy {
    /// Compiles `access`. Fails on a pattern, instant, duration or role
    /// reference that does not resolve: a policy is never half-loaded.
    pub fn compile(access: &Access) -> Result<Self, PolicyError> {
        let roles: HashMap<&str, &[Capability]> = access
            .roles
            .iter()
            .map(|r| (r.id.as_str(), r.capabilities.as_slice()))
            .collect();
        let mut principals = HashMap::new();
        for principal in &access.principals {
            let mut sources: Vec<(Holder, &[Capability])> = vec![(
                Holder::Principal(principal.id.as_str().into()),
                principal.capabilities.as_slice(),
            )];
            for role in &principal.roles {
                let capabilities = roles.get(role.as_str()).ok_or_else(|| {
                    PolicyError(format!(
                        "principal `{}` takes unknown role `{role}`",
                        principal.id
                    ))
                })?;
                sources.push((Holder::Role(role.as_str().into()), capabilities));
            }
            let mut rules = Vec::new();
            let mut globs = GlobSetBuilder::new();
            for (holder, capabilities) in sources {
                for (index, capability) in capabilities.iter().enumerate() {
                    let origin = RuleRef {
                        holder: holder.clone(),
                        index,
                    };
                    let (rule, pattern) = compile_rule(origin, capability)?;
                    globs.add(pattern.glob());
                    rules.push(rule);
                }
            }
            let globs = globs
                .build()
                .map_err(|e| PolicyError(format!("principal `{}`: {e}", principal.id)))?;
            principals.insert(
                principal.id.clone(),
                CompiledPrincipal {
                    tenant: principal.tenant.as_str().into(),
                    rules,
                    globs,
                },
            );
        }
        Ok(Self { principals })
    }

    /// The tenant `principal` belongs to, if the policy knows the principal.
    pub fn tenant_of(&self, principal: &str) -> Option<&Arc<str>> {
        self.principals.get(principal).map(|p| &p.tenant)
    }

    /// Judges `request`: the first capability (own ones first, then each
    /// role's, in order) that matches the resource, the action, the version,
    /// the time and the arguments grants it. Nothing granting means denied;
    /// the denial names the first capability that came close, if any.
    pub fn decide(&self, request: &Request<'_>) -> Decision {
        let Some(principal) = self.principals.get(request.principal) else {
            return Decision::deny(None, Reason::UnknownPrincipal);
        };
        if let Some(tenant) = request.tenant
            && tenant != &*principal.tenant
        {
            return Decision::deny(
                None,
                Reason::OtherTenant {
                    tenant: principal.tenant.to_string(),
                },
            );
        }
        let mut matched = principal.globs.matches(request.resource);
        matched.sort_unstable();
        let mut near: Option<(RuleRef, Reason)> = None;
        for rule in matched.into_iter().map(|i| &principal.rules[i]) {
            if !rule.allows(request.action) {
                continue;
            }
            if let Some(range) = &rule.range
                && !request.version.is_some_and(|v| range.matches(v))
            {
                continue;
            }
            let missed = match rule.window.place(request.now) {
                InWindow::Early(from) => Some(Reason::NotYetValid { from }),
                InWindow::Late(until) => Some(Reason::Expired { until }),
                InWindow::Yes => request
                    .arguments
                    .and_then(|arguments| failed_argument(&rule.arguments, arguments)),
            };
            match missed {
                None => return Decision::allow(rule.origin.clone()),
                Some(reason) => {
                    near.get_or_insert((rule.origin.clone(), reason));
                }
            }
        }
        match near {
            Some((rule, reason)) => Decision::deny(Some(rule), reason),
            None => Decision::deny(None, Reason::NoRuleGrants),
        }
    }

    /// Whether `principal` may see `resource` in a listing: some version
    /// (of `versions`; none for unversioned resources) may be executed or
    /// listed now. Argument conditions do not hide a tool. `execute` is
    /// tried first: it is what most capabilities grant.
    pub fn visible<'v>(
        &self,
        principal: &str,
        tenant: Option<&str>,
        resource: &str,
        versions: impl Iterator<Item = &'v semver::Version> + Clone,
        now: Timestamp,
    ) -> bool {
        let judge = |action, version| {
            self.decide(&Request {
                principal,
                tenant,
                action,
                resource,
                version,
                arguments: None,
                now,
            })
            .allowed
        };
        [Action::Execute, Action::List].into_iter().any(|action| {
            let mut versions = versions.clone().peekable();
            if versions.peek().is_none() {
                judge(action, None)
            } else {
                versions.any(|v| judge(action, Some(v)))
            }
        })
    }

    /// Every `(principal, capability, rate limit)` with a rate limit, for
    /// building the limiters up front.
    pub fn rate_limits(&self) -> impl Iterator<Item = (&RuleRef, u32, Duration)> {
        let mut seen = std::collections::HashSet::new();
        self.principals
            .values()
            .flat_map(|p| p.rules.iter())
            .filter_map(|r| Some((&r.origin, r.rate_limit?)))
            .filter(move |(origin, _)| seen.insert(*origin))
            .map(|(origin, (requests, per))| (origin, requests, per))
    }
}

fn compile_rule(origin: RuleRef, capability: &Capability) -> Result<(Rule, Pattern), PolicyError> {
    let at = |message: String| PolicyError(format!("{origin}: {message}"));
    let pattern = Pattern::parse(&capability.resource).map_err(|e| at(e.0))?;
    let constraints = &capability.constraints;
    let instant = |text: &Option<String>| {
        text.as_deref()
            .map(constraints::parse_instant)
            .transpose()
            .map_err(at)
    };
    let window = Window {
        from: instant(&constraints.valid_from)?,
        until: instant(&constraints.valid_until)?,
    };
    let rate_limit = match &constraints.rate_limit {
        None => None,
        Some(limit) if limit.requests == 0 => {
            return Err(at("a rate limit must allow at least one request".into()));
        }
        Some(limit) => Some((
            limit.requests,
            constraints::parse_duration(&limit.per).map_err(at)?,
        )),
    };
    let rule = Rule {
        origin,
        range: pattern.range.clone(),
        actions: capability.actions.clone(),
        window,
        arguments: constraints
            .arguments
            .iter()
            .map(|(path, rule)| (path.clone(), rule.clone()))
            .collect(),
        rate_limit,
    };
    Ok((rule, pattern))
}

fn failed_argument(rules: &[(String, ArgumentRule)], arguments: &Value) -> Option<Reason> {
    rules.iter().find_map(|(path, rule)| {
        check_argument(rule, lookup(arguments, path))
            .err()
            .map(|requirement| Reason::Argument {
                path: path.clone(),
                requirement,
            })
    })
}
