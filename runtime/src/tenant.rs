//! Tenant identity and tenant-scoped keys. Every key of shared state (rate
//! limit buckets, and later cache and dedup entries) is a [`TenantKey`], and
//! the only way to build one is from a [`TenantId`], so no state can be keyed
//! without saying whose it is.

use std::fmt;
use std::sync::Arc;

/// A tenant's id, as the spec declares it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(Arc<str>);

impl TenantId {
    /// A tenant id; `None` for an empty one.
    pub fn new(id: impl Into<Arc<str>>) -> Option<Self> {
        let id = id.into();
        (!id.is_empty()).then_some(Self(id))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `key`, scoped to this tenant.
    pub fn scope<T>(&self, key: T) -> TenantKey<T> {
        TenantKey {
            tenant: self.clone(),
            key,
        }
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key that belongs to one tenant. The fields are private and the only
/// constructor is [`TenantId::scope`]; equality and hashing cover the tenant
/// as a separate field, so `("a:b", "c")` and `("a", "b:c")` never collide.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantKey<T> {
    tenant: TenantId,
    key: T,
}

impl<T> TenantKey<T> {
    /// The tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The key within the tenant.
    pub fn key(&self) -> &T {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_ids_do_not_collide() {
        let a = TenantId::new("a:b").unwrap().scope("c".to_owned());
        let b = TenantId::new("a").unwrap().scope("b:c".to_owned());
        assert_ne!(a, b);
        assert!(TenantId::new("").is_none());
    }
}
