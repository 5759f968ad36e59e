//! API keys: stored as SHA-256 digests in the runtime config, checked in
//! constant time.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Credential, Principal, Refusal};
use crate::config::ApiKeyConfig;

/// The configured keys.
pub struct ApiKeys {
    keys: Vec<Entry>,
}

struct Entry {
    digest: [u8; 32],
    principal: Principal,
}

/// The hex SHA-256 digest of `key`, as `auth.api_keys[].sha256` stores it.
/// API keys are long random strings, so a fast hash is enough: there is no
/// dictionary to try.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl ApiKeys {
    /// Parses the configured digests.
    pub fn new(config: &[ApiKeyConfig]) -> Result<Self, String> {
        let keys = config
            .iter()
            .map(|entry| {
                let mut digest = [0u8; 32];
                hex::decode_to_slice(entry.sha256.trim(), &mut digest).map_err(|_| {
                    format!(
                        "auth.api_keys: the key of `{}` is not a hex SHA-256 digest (64 hex digits)",
                        entry.principal
                    )
                })?;
                Ok(Entry {
                    digest,
                    principal: Principal {
                        id: Arc::from(entry.principal.as_str()),
                        tenant: entry.tenant.as_deref().map(Arc::from),
                        scopes: entry.scopes.clone(),
                        via: Credential::ApiKey,
                    },
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self { keys })
    }

    /// How many keys are configured.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The principal whose key is `key`.
    pub fn verify(&self, key: &str) -> Result<Principal, Refusal> {
        let presented: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        // Compare against every key, without stopping at a match, so the
        // time taken says nothing about which key (if any) matched.
        let mut found = None;
        for entry in &self.keys {
            if bool::from(entry.digest.ct_eq(&presented)) {
                found = Some(&entry.principal);
            }
        }
        found
            .cloned()
            .ok_or_else(|| Refusal::Invalid("unknown API key".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> ApiKeys {
        ApiKeys::new(&[ApiKeyConfig {
            principal: "alice".into(),
            tenant: Some("acme".into()),
            sha256: hash_key("k-alice"),
            scopes: vec!["search".into()],
        }])
        .unwrap()
    }

    #[test]
    fn a_configured_key_names_its_principal_and_tenant() {
        let principal = keys().verify("k-alice").unwrap();
        assert_eq!(&*principal.id, "alice");
        assert_eq!(principal.tenant.as_deref(), Some("acme"));
    }

    #[test]
    fn other_keys_are_refused() {
        for key in ["k-alic", "k-alice ", "", &hash_key("k-alice")] {
            assert!(keys().verify(key).is_err(), "{key:?}");
        }
    }

    #[test]
    fn a_digest_that_is_not_hex_is_a_config_error() {
        let error = ApiKeys::new(&[ApiKeyConfig {
            principal: "bob".into(),
            tenant: None,
            sha256: "plain-text-key".into(),
            scopes: Vec::new(),
        }])
        .err()
        .unwrap();
        assert!(error.contains("`bob`"), "{error}");
    }
}
