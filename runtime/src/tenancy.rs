//! The tenants a server serves: each one's config (the spec's, under the
//! runtime config's) checked against the spec's `tenant_config` schema at
//! start, the decision whether a request's tenant may be served at all, and
//! the tenant-scoped storage handed to handlers.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::config::TenantConfig;
use crate::manifest;
use crate::tenant::TenantId;

/// Every tenant the spec or the runtime config declares, with its config.
pub struct Tenants {
    known: HashMap<Arc<str>, Known>,
    /// The scope of callers without a tenant.
    shared: Arc<Scope>,
    store: Arc<Store>,
}

/// A declared tenant: its scope, or why it cannot be served.
enum Known {
    Ready(Arc<Scope>),
    Broken,
}

/// What a handler gets to know about the tenant it serves.
#[derive(Debug)]
pub struct Scope {
    tenant: Option<TenantId>,
    config: Value,
    namespace: String,
}

/// Why a request's tenant is not served.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Neither the spec nor the runtime config declares it.
    #[error("tenant `{0}` is not served by this server")]
    Unknown(String),
    /// Its config fails the spec's `tenant_config` schema; the details are
    /// in the server's log, not in the answer.
    #[error("tenant `{0}` cannot be served: its configuration is invalid")]
    Misconfigured(String),
}

impl Tenants {
    /// The tenants of `spec` and `runtime`: a tenant's config is the spec's
    /// with the runtime config's keys laid over it. A config that fails
    /// `schema` leaves its tenant unservable (the others are unaffected);
    /// each such failure is returned as a message for the log.
    pub fn new(
        spec: &[manifest::Tenant],
        schema: Option<&Value>,
        runtime: &BTreeMap<String, TenantConfig>,
    ) -> Result<(Self, Vec<String>), String> {
        let validator = schema
            .map(|schema| {
                jsonschema::validator_for(schema)
                    .map_err(|e| format!("the spec's tenant_config is not a valid schema: {e}"))
            })
            .transpose()?;
        let mut configs: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
        for tenant in spec {
            let config = match &tenant.config {
                Some(Value::Object(config)) => config.clone(),
                _ => Map::new(),
            };
            configs.insert(&tenant.id, config);
        }
        for (id, tenant) in runtime {
            let config = configs.entry(id).or_default();
            for (key, value) in &tenant.config {
                config.insert(key.clone(), value.clone());
            }
        }
        let mut problems = Vec::new();
        let known = configs
            .into_iter()
            .filter_map(|(id, config)| {
                let tenant = TenantId::new(id)?;
                let config = Value::Object(config);
                let broken = validator.as_ref().and_then(|validator| {
                    let errors: Vec<String> = validator
                        .iter_errors(&config)
                        .map(|e| format!("{} at `{}`", e, e.instance_path()))
                        .collect();
                    (!errors.is_empty()).then(|| errors.join("; "))
                });
                let entry = match broken {
                    Some(why) => {
                        problems.push(format!(
                            "tenant `{id}` will be refused: its config does not match the spec's tenant_config: {why}"
                        ));
                        Known::Broken
                    }
                    None => Known::Ready(Arc::new(Scope::new(Some(tenant), config))),
                };
                Some((Arc::from(id), entry))
            })
            .collect();
        let tenants = Self {
            known,
            shared: Arc::new(Scope::new(None, Value::Object(Map::new()))),
            store: Arc::default(),
        };
        Ok((tenants, problems))
    }

    /// No tenants: every caller is served in the shared scope.
    pub fn none() -> Self {
        Self::new(&[], None, &BTreeMap::new())
            .map(|(tenants, _)| tenants)
            .expect("no schema to compile")
    }

    /// The scope a caller of `tenant` is served in. When tenants are
    /// declared, a tenant that is not one of them, or whose config is
    /// invalid, is refused: a server never serves a tenant it knows nothing
    /// about. A server that declares none scopes state by whatever tenant
    /// its callers' credentials name.
    pub fn admit(&self, tenant: Option<&str>) -> Result<TenantScope, Refusal> {
        let scope = match tenant {
            None => Arc::clone(&self.shared),
            Some(id) => match self.known.get(id) {
                Some(Known::Ready(scope)) => Arc::clone(scope),
                Some(Known::Broken) => return Err(Refusal::Misconfigured(id.to_owned())),
                None if !self.known.is_empty() => return Err(Refusal::Unknown(id.to_owned())),
                None => Arc::new(Scope::new(TenantId::new(id), Value::Object(Map::new()))),
            },
        };
        Ok(TenantScope {
            scope,
            store: Arc::clone(&self.store),
        })
    }
}

impl Scope {
    fn new(tenant: Option<TenantId>, config: Value) -> Self {
        let namespace = namespace(tenant.as_ref());
        Self {
            tenant,
            config,
            namespace,
        }
    }
}

/// A tenant's storage namespace: the first 128 bits of the SHA-256 of its
/// id, in hex. Fixed length and only `[0-9a-f]`, so it is safe in a file
/// name, a Redis key or a glob pattern whatever the id holds (`a*`, `..`,
/// `/`), and ids that share a prefix never share a namespace. Callers
/// without a tenant hash the empty id, which no tenant can have.
fn namespace(tenant: Option<&TenantId>) -> String {
    let digest = Sha256::digest(tenant.map_or("", TenantId::as_str).as_bytes());
    format!("t{}", hex::encode(&digest[..16]))
}

/// The tenant a call is served for, with its config and storage.
#[derive(Clone, Debug)]
pub struct TenantScope {
    scope: Arc<Scope>,
    store: Arc<Store>,
}

impl TenantScope {
    /// The tenant, when the caller has one.
    pub fn tenant(&self) -> Option<&TenantId> {
        self.scope.tenant.as_ref()
    }

    /// The tenant's config: an object, empty when none is set.
    pub fn config(&self) -> &Value {
        &self.scope.config
    }

    /// The tenant's storage.
    pub fn storage(&self) -> TenantStorage {
        TenantStorage {
            scope: Arc::clone(&self.scope),
            store: Arc::clone(&self.store),
        }
    }
}

/// Key-value storage that belongs to one tenant. Its entries are keyed by
/// tenant and name, so one tenant's handlers cannot read or overwrite
/// another's; [`TenantStorage::key`] gives the same scoping for stores
/// outside the process. Entries live in memory for the life of the process.
#[derive(Clone, Debug)]
pub struct TenantStorage {
    scope: Arc<Scope>,
    store: Arc<Store>,
}

#[derive(Debug, Default)]
struct Store {
    entries: Mutex<HashMap<(Option<TenantId>, String), Value>>,
}

impl TenantStorage {
    /// The namespace of this tenant's state in an external store: fixed
    /// length, `[0-9a-z]` only.
    pub fn namespace(&self) -> &str {
        &self.scope.namespace
    }

    /// `name`, scoped to this tenant: `<namespace>:<name>`, for a key in an
    /// external store. A pattern over one tenant's keys (`<namespace>:*`)
    /// never matches another tenant's.
    pub fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.scope.namespace)
    }

    /// The value stored under `name`.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.entries().get(&self.slot(name)).cloned()
    }

    /// Stores `value` under `name`; returns the value it replaces.
    pub fn put(&self, name: &str, value: Value) -> Option<Value> {
        self.entries().insert(self.slot(name), value)
    }

    /// Replaces the value under `name` (`None` when there is none) with what
    /// `update` makes of it, atomically; returns the new value.
    pub fn update(&self, name: &str, update: impl FnOnce(Option<&Value>) -> Value) -> Value {
        let mut entries = self.entries();
        let slot = self.slot(name);
        let value = update(entries.get(&slot));
        entries.insert(slot, value.clone());
        value
    }

    /// Removes `name`; returns its value.
    pub fn remove(&self, name: &str) -> Option<Value> {
        self.entries().remove(&self.slot(name))
    }

    fn slot(&self, name: &str) -> (Option<TenantId>, String) {
        (self.scope.tenant.clone(), name.to_owned())
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<(Option<TenantId>, String), Value>> {
        // A handler that panicked mid-update leaves whole values behind
        // (inserts are single calls), so the map is still sound.
        self.store
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec_tenant(id: &str, config: Value) -> manifest::Tenant {
        manifest::Tenant {
            id: id.to_owned(),
            pins: BTreeMap::new(),
            config: Some(config),
        }
    }

    fn runtime(id: &str, config: Value) -> BTreeMap<String, TenantConfig> {
        let Value::Object(config) = config else {
            panic!("an object")
        };
        BTreeMap::from([(
            id.to_owned(),
            TenantConfig {
                config,
                ..TenantConfig::default()
            },
        )])
    }

    #[test]
    fn runtime_config_keys_override_the_specs() {
        let (tenants, problems) = Tenants::new(
            &[spec_tenant("acme", json!({"region": "eu", "plan": "free"}))],
            None,
            &runtime("acme", json!({"plan": "pro"})),
        )
        .unwrap();
        assert!(problems.is_empty());
        let scope = tenants.admit(Some("acme")).unwrap();
        assert_eq!(scope.config(), &json!({"region": "eu", "plan": "pro"}));
        assert_eq!(scope.tenant().unwrap().as_str(), "acme");
    }

    #[test]
    fn undeclared_and_misconfigured_tenants_are_refused_alone() {
        let schema = json!({"type": "object", "required": ["region"]});
        let (tenants, problems) = Tenants::new(
            &[
                spec_tenant("acme", json!({"region": "eu"})),
                spec_tenant("globex", json!({})),
            ],
            Some(&schema),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("globex"), "{problems:?}");
        assert!(tenants.admit(Some("acme")).is_ok());
        assert_eq!(
            tenants.admit(Some("globex")).unwrap_err(),
            Refusal::Misconfigured("globex".into())
        );
        assert_eq!(
            tenants.admit(Some("initech")).unwrap_err(),
            Refusal::Unknown("initech".into())
        );
        assert!(tenants.admit(None).is_ok());
    }

    #[test]
    fn without_declared_tenants_any_tenant_gets_its_own_scope() {
        let tenants = Tenants::none();
        let a = tenants.admit(Some("a")).unwrap().storage();
        let b = tenants.admit(Some("b")).unwrap().storage();
        a.put("k", json!(1));
        assert_eq!(b.get("k"), None);
        assert_eq!(a.get("k"), Some(json!(1)));
    }

    #[test]
    fn storage_and_namespaces_never_cross_tenants() {
        let tenants = Tenants::none();
        // Ids a naive join or a glob would confuse.
        let ids = ["a", "a*", "ab", "a:b", "../a", "A", ""];
        let storages: Vec<TenantStorage> = ids
            .iter()
            .map(|id| {
                tenants
                    .admit((!id.is_empty()).then_some(*id))
                    .unwrap()
                    .storage()
            })
            .collect();
        for (i, storage) in storages.iter().enumerate() {
            storage.put("k", json!(i));
            let namespace = storage.namespace();
            assert_eq!(namespace.len(), 33);
            assert!(namespace.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        for (i, storage) in storages.iter().enumerate() {
            assert_eq!(storage.get("k"), Some(json!(i)));
            for other in &storages[i + 1..] {
                assert_ne!(storage.namespace(), other.namespace());
                assert!(
                    !other
                        .key("k")
                        .starts_with(&format!("{}:", storage.namespace()))
                );
            }
        }
        let counted = storages[0].update("n", |old| {
            json!(old.and_then(Value::as_i64).unwrap_or(0) + 1)
        });
        assert_eq!(counted, json!(1));
        assert_eq!(storages[0].remove("n"), Some(json!(1)));
    }
}
