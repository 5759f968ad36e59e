//! The runtime config (`serve --config runtime.yaml`): what an operator sets
//! per deployment and never in the spec.

use std::collections::BTreeMap;
use std::path::Path;

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
    /// variable named by [`PRINCIPAL_ENV`] applies.
    #[serde(default)]
    pub principal: Option<String>,
    /// Server-wide version pins: tool → version or range (override the spec's).
    #[serde(default)]
    pub pins: BTreeMap<String, String>,
    /// Per-tenant settings.
    #[serde(default)]
    pub tenants: BTreeMap<String, TenantConfig>,
}

/// Settings of one tenant.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// Version pins of this tenant's callers (override the spec's).
    #[serde(default)]
    pub pins: BTreeMap<String, String>,
}

/// The environment variable that names the principal when the config does
/// not (handy for stdio servers started by a client).
pub const PRINCIPAL_ENV: &str = "MCPGEN_PRINCIPAL";

impl RuntimeConfig {
    /// The principal: the config's, else [`PRINCIPAL_ENV`]'s (if not empty).
    pub fn principal(&self) -> Option<String> {
        self.principal.clone().or_else(|| {
            std::env::var(PRINCIPAL_ENV)
                .ok()
                .filter(|p| !p.trim().is_empty())
        })
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
