//! Differential property test: the compiled policy (globset, semver, jiff)
//! against a reference evaluator written plainly from the documented
//! semantics, over random rules and requests with `*`, `?`, `**`, version
//! ranges, time windows, argument conditions, roles and tenants.

use std::collections::BTreeMap;

use jiff::Timestamp;
use mcpgen_runtime::access::rules::{
    Access, ActionName, ArgumentRule, Capability, Constraints, Principal, Role,
};
use mcpgen_runtime::access::{Action, Decision, Holder, Policy, Reason, Request};
use proptest::prelude::*;
use serde_json::{Value, json};

// ---- the reference evaluator -------------------------------------------

/// One segment: `*` is any run of characters, `?` any one character.
fn segment_matches(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|k| segment_matches(rest, &text[k..])),
        Some(('?', rest)) => !text.is_empty() && segment_matches(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && segment_matches(rest, &text[1..]),
    }
}

/// Whole segments: `**` spans zero or more segments, except as the last
/// pattern segment, where it spans at least one (`tools/**` is not `tools`).
fn segments_match(pattern: &[&str], text: &[&str]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((&"**", [])) => !text.is_empty(),
        Some((&"**", rest)) => {
            segments_match(rest, text) || (!text.is_empty() && segments_match(pattern, &text[1..]))
        }
        Some((first, rest)) => {
            let Some((head, tail)) = text.split_first() else {
                return false;
            };
            let p: Vec<char> = first.chars().collect();
            let t: Vec<char> = head.chars().collect();
            segment_matches(&p, &t) && segments_match(rest, tail)
        }
    }
}

fn glob_matches(pattern: &str, resource: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let r: Vec<&str> = resource.split('/').collect();
    segments_match(&p, &r)
}

fn instant(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// What the reference decides, reduced to (allowed, deciding rule, reason kind).
fn reference(
    access: &Access,
    request: &Request<'_>,
) -> (bool, Option<(String, usize)>, &'static str) {
    let Some(principal) = access.principals.iter().find(|p| p.id == request.principal) else {
        return (false, None, "unknown-principal");
    };
    if request.tenant.is_some_and(|t| t != principal.tenant) {
        return (false, None, "other-tenant");
    }
    let mut lists = vec![(
        format!("principal:{}", principal.id),
        &principal.capabilities,
    )];
    for role in &principal.roles {
        let r = access.roles.iter().find(|r| r.id == *role).unwrap();
        lists.push((format!("role:{}", r.id), &r.capabilities));
    }
    let mut near = None;
    for (holder, capabilities) in lists {
        for (index, capability) in capabilities.iter().enumerate() {
            let (glob, range) = match capability.resource.strip_prefix("tools/") {
                Some(rest) if rest.contains('@') => {
                    let (name, range) = rest.split_once('@').unwrap();
                    (
                        format!("tools/{name}"),
                        Some(semver::VersionReq::parse(range).unwrap()),
                    )
                }
                _ => (capability.resource.clone(), None),
            };
            if !glob_matches(&glob, request.resource) {
                continue;
            }
            let action = match request.action {
                Action::Execute => ActionName::Execute,
                Action::Read => ActionName::Read,
                Action::List => ActionName::List,
            };
            if !capability
                .actions
                .iter()
                .any(|a| *a == action || *a == ActionName::All)
            {
                continue;
            }
            if let Some(range) = range {
                match request.version {
                    Some(v) if range.matches(v) => {}
                    _ => continue,
                }
            }
            let c = &capability.constraints;
            let kind = if c
                .valid_from
                .as_deref()
                .is_some_and(|f| request.now < instant(f))
            {
                Some("not-yet-valid")
            } else if c
                .valid_until
                .as_deref()
                .is_some_and(|u| request.now >= instant(u))
            {
                Some("expired")
            } else if let Some(arguments) = request.arguments {
                c.arguments.iter().find_map(|(name, rule)| {
                    let value = arguments.get(name).and_then(Value::as_f64);
                    let ok = value.is_some_and(|n| rule.max.is_none_or(|m| n <= m));
                    (!ok).then_some("argument")
                })
            } else {
                None
            };
            match kind {
                None => return (true, Some((holder, index)), "granted"),
                Some(kind) => {
                    near.get_or_insert((holder.clone(), index, kind));
                }
            }
        }
    }
    match near {
        Some((holder, index, kind)) => (false, Some((holder, index)), kind),
        None => (false, None, "no-rule"),
    }
}

fn reduce(decision: &Decision) -> (bool, Option<(String, usize)>, &'static str) {
    let rule = decision.rule.as_ref().map(|r| {
        let holder = match &r.holder {
            Holder::Principal(id) => format!("principal:{id}"),
            Holder::Role(id) => format!("role:{id}"),
        };
        (holder, r.index)
    });
    let kind = match decision.reason {
        Reason::Granted => "granted",
        Reason::UnknownPrincipal => "unknown-principal",
        Reason::OtherTenant { .. } => "other-tenant",
        Reason::NoRuleGrants => "no-rule",
        Reason::NotYetValid { .. } => "not-yet-valid",
        Reason::Expired { .. } => "expired",
        Reason::Argument { .. } => "argument",
    };
    (decision.allowed, rule, kind)
}

// ---- generators ----------------------------------------------------------

const TIMES: [&str; 4] = [
    "2026-01-01T00:00:00Z",
    "2026-06-01T00:00:00Z",
    "2026-06-01T00:00:01Z",
    "2027-01-01T00:00:00Z",
];

fn pattern_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_owned()),
        Just("**".to_owned()),
        Just("?".to_owned()),
        "[ab*?]{1,3}".prop_filter("`**` only as a whole segment", |s| !s.contains("**")),
    ]
}

fn pattern() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        Just("tools".to_owned()),
        Just("resources".to_owned()),
        Just("*".to_owned()),
        Just("**".to_owned()),
    ];
    let range = prop_oneof![
        3 => Just(None),
        1 => Just(Some("^1")),
        1 => Just(Some(">=1.5.0")),
        1 => Just(Some("<2")),
    ];
    (kind, prop::collection::vec(pattern_segment(), 0..3), range).prop_map(|(kind, rest, range)| {
        let mut text = std::iter::once(kind)
            .chain(rest)
            .collect::<Vec<_>>()
            .join("/");
        if let Some(range) = range
            && text.starts_with("tools/")
        {
            text = format!("{text}@{range}");
        }
        text
    })
}

fn capability() -> impl Strategy<Value = Capability> {
    let actions = prop::collection::vec(
        prop::sample::select(vec![
            ActionName::Execute,
            ActionName::Read,
            ActionName::List,
            ActionName::All,
        ]),
        1..3,
    );
    let time = prop::option::weighted(0.3, prop::sample::select(TIMES.to_vec()));
    let max = prop::option::weighted(0.3, 0u8..10);
    (pattern(), actions, time.clone(), time, max).prop_map(
        |(resource, actions, from, until, max)| {
            let mut arguments = BTreeMap::new();
            if let Some(max) = max {
                arguments.insert(
                    "n".to_owned(),
                    ArgumentRule {
                        max: Some(f64::from(max)),
                        ..ArgumentRule::default()
                    },
                );
            }
            Capability {
                resource,
                actions,
                constraints: Constraints {
                    valid_from: from.map(str::to_owned),
                    valid_until: until.map(str::to_owned),
                    rate_limit: None,
                    arguments,
                },
            }
        },
    )
}

fn access() -> impl Strategy<Value = Access> {
    (
        prop::collection::vec(capability(), 0..4),
        prop::collection::vec(capability(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(own, role, takes_role)| Access {
            roles: vec![Role {
                id: "r".into(),
                capabilities: role,
            }],
            principals: vec![Principal {
                id: "p".into(),
                tenant: "t".into(),
                roles: if takes_role { vec!["r".into()] } else { vec![] },
                capabilities: own,
            }],
        })
}

fn resource() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec!["tools", "resources", "prompts"]);
    (kind, prop::collection::vec("[ab]{1,3}", 1..4))
        .prop_map(|(kind, rest)| format!("{kind}/{}", rest.join("/")))
}

#[derive(Debug, Clone)]
struct Req {
    principal: &'static str,
    tenant: Option<&'static str>,
    action: Action,
    resource: String,
    version: Option<semver::Version>,
    arguments: Option<Value>,
    now: &'static str,
}

fn request() -> impl Strategy<Value = Req> {
    (
        prop::sample::select(vec!["p", "p", "p", "q"]),
        prop::sample::select(vec![None, Some("t"), Some("u")]),
        prop::sample::select(vec![Action::Execute, Action::Read, Action::List]),
        resource(),
        prop::option::of(prop::sample::select(vec!["1.0.0", "1.5.0", "2.0.0"])),
        prop::option::of(prop::option::of(0u8..12)),
        prop::sample::select(TIMES.to_vec()),
    )
        .prop_map(
            |(principal, tenant, action, resource, version, n, now)| Req {
                principal,
                tenant,
                action,
                resource,
                version: version.map(|v| semver::Version::parse(v).unwrap()),
                arguments: n.map(|n| match n {
                    Some(n) => json!({ "n": n }),
                    None => json!({}),
                }),
                now,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn compiled_policy_agrees_with_the_reference(access in access(), requests in prop::collection::vec(request(), 1..16)) {
        let policy = Policy::compile(&access).expect("generated rules compile");
        for req in &requests {
            let request = Request {
                principal: req.principal,
                tenant: req.tenant,
                action: req.action,
                resource: &req.resource,
                version: req.version.as_ref(),
                arguments: req.arguments.as_ref(),
                now: instant(req.now),
            };
            prop_assert_eq!(reduce(&policy.decide(&request)), reference(&access, &request), "{:?}", req);
        }
    }
}
