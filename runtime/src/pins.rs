//! Version selectors and pins: which version a call is served at when it does
//! not say (Stripe-style pins for the whole server or one tenant).

use std::collections::BTreeMap;
use std::fmt;

use crate::manifest::Manifest;

/// What a caller or a pin asks for: one exact version or a semver range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// `1.0.0`: exactly this version.
    Exact(semver::Version),
    /// `^2`, `>=1, <3`: the newest served version in range.
    Range(semver::VersionReq),
}

impl Selector {
    /// Parses `1.0.0` as an exact version and anything else as a range (so
    /// `1.0.0` does not mean `^1.0.0`, as it would as a Cargo requirement).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(exact) = semver::Version::parse(text) {
            return Ok(Self::Exact(exact));
        }
        semver::VersionReq::parse(text)
            .map(Self::Range)
            .map_err(|e| format!("`{text}` is neither a version nor a semver range: {e}"))
    }

    /// Whether `version` satisfies the selector.
    pub fn matches(&self, version: &semver::Version) -> bool {
        match self {
            Self::Exact(exact) => exact == version,
            Self::Range(range) => range.matches(version),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(version) => version.fmt(f),
            Self::Range(range) => range.fmt(f),
        }
    }
}

/// Where a pin comes from, for result metadata and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinScope {
    /// Pinned for one tenant.
    Tenant,
    /// Pinned for the whole server.
    Server,
}

/// Tool → selector, for the server and per tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pins {
    server: BTreeMap<String, Selector>,
    tenants: BTreeMap<String, BTreeMap<String, Selector>>,
}

fn parse_all(pins: &BTreeMap<String, String>) -> Result<BTreeMap<String, Selector>, String> {
    pins.iter()
        .map(|(tool, text)| {
            Ok((
                tool.clone(),
                Selector::parse(text).map_err(|e| format!("pin of `{tool}`: {e}"))?,
            ))
        })
        .collect()
}

impl Pins {
    /// The pins the spec declares.
    pub fn from_manifest(manifest: &Manifest) -> Result<Self, String> {
        let mut pins = Self {
            server: parse_all(&manifest.versioning.pins)?,
            tenants: BTreeMap::new(),
        };
        for tenant in &manifest.tenants {
            pins.tenants
                .insert(tenant.id.clone(), parse_all(&tenant.pins)?);
        }
        Ok(pins)
    }

    /// Adds `server` and per-tenant pins on top, replacing pins of the same
    /// tool (the runtime config overrides the spec).
    pub fn overlay(
        &mut self,
        server: &BTreeMap<String, String>,
        tenants: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<(), String> {
        self.server.extend(parse_all(server)?);
        for (tenant, pins) in tenants {
            self.tenants
                .entry(tenant.clone())
                .or_default()
                .extend(parse_all(pins)?);
        }
        Ok(())
    }

    /// The pin for `tool` seen by a caller of `tenant`: the tenant's pin,
    /// else the server's.
    pub fn lookup(&self, tenant: Option<&str>, tool: &str) -> Option<(&Selector, PinScope)> {
        tenant
            .and_then(|t| self.tenants.get(t)?.get(tool))
            .map(|s| (s, PinScope::Tenant))
            .or_else(|| self.server.get(tool).map(|s| (s, PinScope::Server)))
    }

    /// Every pin, server-wide and per tenant (for checking a runtime config
    /// against the tools).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Selector)> {
        self.server
            .iter()
            .chain(self.tenants.values().flat_map(|pins| pins.iter()))
            .map(|(tool, selector)| (tool.as_str(), selector))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn exact_versions_are_exact_and_ranges_are_ranges() {
        let exact = Selector::parse("1.0.0").unwrap();
        assert!(exact.matches(&v("1.0.0")) && !exact.matches(&v("1.2.0")));
        let range = Selector::parse("^1").unwrap();
        assert!(range.matches(&v("1.2.0")) && !range.matches(&v("2.0.0")));
        assert!(Selector::parse("banana").is_err());
    }

    #[test]
    fn tenant_pins_win_over_server_pins() {
        let mut pins = Pins::default();
        pins.overlay(
            &BTreeMap::from([("search".to_owned(), "^2".to_owned())]),
            &BTreeMap::from([(
                "acme".to_owned(),
                BTreeMap::from([("search".to_owned(), "1.0.0".to_owned())]),
            )]),
        )
        .unwrap();
        assert_eq!(
            pins.lookup(Some("acme"), "search").unwrap().1,
            PinScope::Tenant
        );
        assert_eq!(
            pins.lookup(Some("other"), "search").unwrap().1,
            PinScope::Server
        );
        assert_eq!(pins.lookup(None, "search").unwrap().0.to_string(), "^2");
        assert!(pins.lookup(None, "greet").is_none());
    }
}
