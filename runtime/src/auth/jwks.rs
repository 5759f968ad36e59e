//! The issuer's public keys: a JWK set (RFC 7517) read from a file at start,
//! or fetched from a URL and kept in a [`KeyCache`] that fetches it again.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use serde_json::Value;

use super::jwks_cache::{KeyCache, Policy};
use super::jwks_fetch::{self, HttpFetcher};
use crate::config::JwtConfig;

/// `jwks_refetch_interval_seconds` when the config does not set it.
pub const DEFAULT_REFETCH_INTERVAL_SECONDS: u64 = 60;
/// `jwks_ttl_seconds` when the config does not set it.
pub const DEFAULT_TTL_SECONDS: u64 = 3600;

/// One verification key.
pub struct Key {
    /// The key's `kid`, which tokens name in their header.
    pub kid: Option<String>,
    /// The key itself.
    pub key: DecodingKey,
    /// The one algorithm the key declares (`alg`), if any.
    pub algorithm: Option<String>,
}

/// The keys of one JWK set.
#[derive(Default)]
pub struct KeySet {
    keys: Vec<Key>,
}

impl KeySet {
    /// A set of these keys.
    #[cfg(test)]
    pub fn new(keys: Vec<Key>) -> Self {
        Self { keys }
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key a token with header `kid` is verified with. Without a `kid`,
    /// only a set of one key is unambiguous.
    pub fn find(&self, kid: Option<&str>) -> Option<&Key> {
        match kid {
            Some(kid) => self.keys.iter().find(|key| key.kid.as_deref() == Some(kid)),
            None if self.keys.len() == 1 => self.keys.first(),
            None => None,
        }
    }

    /// Reads a JWK set file in which every key must be usable: the operator
    /// wrote it, so a key that cannot be used is a mistake to report.
    pub fn read_file(path: &Path) -> Result<Self, String> {
        let field = "auth.jwt.jwks_file";
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{field}: cannot read {}: {e}", path.display()))?;
        let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&text)
            .map_err(|e| format!("{field}: {} is not a JWK set: {e}", path.display()))?;
        let keys = set
            .keys
            .iter()
            .map(|jwk| {
                key_of(jwk)
                    .map_err(|e| format!("{field}: key {:?} is not usable: {e}", jwk.common.key_id))
            })
            .collect::<Result<Vec<_>, String>>()?;
        if keys.is_empty() {
            return Err(format!("{field}: the JWK set has no keys"));
        }
        Ok(Self { keys })
    }

    /// Parses a JWK set an issuer published. Issuers list keys of kinds this
    /// server has no use for (encryption keys, other key types), so those
    /// are skipped, each named in the returned notes, rather than failing
    /// the whole set; a set left with no usable key is an error.
    pub fn parse_published(body: &[u8]) -> Result<(Self, Vec<String>), String> {
        #[derive(serde::Deserialize)]
        struct Published {
            keys: Vec<Value>,
        }
        let published: Published =
            serde_json::from_slice(body).map_err(|e| format!("not a JWK set: {e}"))?;
        let mut keys = Vec::new();
        let mut skipped = Vec::new();
        for value in published.keys {
            let kid = value.get("kid").and_then(Value::as_str).map(str::to_owned);
            let parsed = serde_json::from_value::<Jwk>(value)
                .map_err(|e| e.to_string())
                .and_then(|jwk| {
                    if let Some(PublicKeyUse::Encryption) = jwk.common.public_key_use {
                        return Err("an encryption key".to_owned());
                    }
                    key_of(&jwk)
                });
            match parsed {
                Ok(key) => keys.push(key),
                Err(why) => skipped.push(format!("key {kid:?} skipped: {why}")),
            }
        }
        if keys.is_empty() {
            return Err(if skipped.is_empty() {
                "the JWK set has no keys".to_owned()
            } else {
                format!("the JWK set has no usable key ({})", skipped.join("; "))
            });
        }
        Ok((Self { keys }, skipped))
    }
}

fn key_of(jwk: &Jwk) -> Result<Key, String> {
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    Ok(Key {
        kid: jwk.common.key_id.clone(),
        key,
        algorithm: jwk.common.key_algorithm.map(|a| a.to_string()),
    })
}

/// Where a verifier's keys come from.
pub enum Jwks {
    /// A file read once at start.
    File(Arc<KeySet>),
    /// A URL, fetched at start and again as the cache's policy says.
    Url(Arc<KeyCache<HttpFetcher>>),
}

impl Jwks {
    /// The key source `config` names: exactly one of `jwks_file` and
    /// `jwks_url`, with the refetch settings only beside a URL.
    pub fn new(config: &JwtConfig) -> Result<Self, String> {
        match (&config.jwks_file, &config.jwks_url) {
            (Some(_), Some(_)) => {
                Err("auth.jwt: set one of `jwks_file` and `jwks_url`, not both".to_owned())
            }
            (None, None) => {
                Err("auth.jwt: set `jwks_file` or `jwks_url` (the issuer's keys)".to_owned())
            }
            (Some(path), None) => {
                // Settings that would do nothing are reported rather than
                // left to suggest the file is ever read again.
                for (set, field) in [
                    (
                        config.jwks_refetch_interval_seconds.is_some(),
                        "jwks_refetch_interval_seconds",
                    ),
                    (config.jwks_ttl_seconds.is_some(), "jwks_ttl_seconds"),
                ] {
                    if set {
                        return Err(format!(
                            "auth.jwt.{field}: applies only with `jwks_url`; a `jwks_file` is read once at start"
                        ));
                    }
                }
                Ok(Self::File(Arc::new(KeySet::read_file(path)?)))
            }
            (None, Some(url)) => {
                let url = jwks_fetch::check_url(url)?;
                let policy = Policy {
                    refetch_interval: seconds(
                        "jwks_refetch_interval_seconds",
                        config.jwks_refetch_interval_seconds,
                        DEFAULT_REFETCH_INTERVAL_SECONDS,
                    )?,
                    ttl: seconds(
                        "jwks_ttl_seconds",
                        config.jwks_ttl_seconds,
                        DEFAULT_TTL_SECONDS,
                    )?,
                    ..Policy::default()
                };
                let fetcher = HttpFetcher::new(url)?;
                Ok(Self::Url(Arc::new(KeyCache::new(fetcher, policy))))
            }
        }
    }

    /// Fetches a remote set for the first time and starts refreshing it;
    /// nothing for a file. A failed first fetch is logged and retried: the
    /// server serves meanwhile, refusing tokens until a fetch succeeds.
    pub async fn start(&self) {
        if let Self::Url(cache) = self {
            cache.start().await;
        }
    }

    /// The keys to verify a token with header `kid` against: for a URL, the
    /// cached set, fetched again first when it lacks `kid` and the policy
    /// allows a fetch now.
    pub async fn keys_for(&self, kid: Option<&str>) -> Arc<KeySet> {
        match self {
            Self::File(keys) => Arc::clone(keys),
            Self::Url(cache) => cache.keys_for(kid).await,
        }
    }
}

/// The longest `jwks_refetch_interval_seconds` and `jwks_ttl_seconds`
/// (30 days): longer would leave a removed key in use for no purpose, and
/// keeps the deadlines computed from them far from overflowing.
pub const MAX_SECONDS: u64 = 30 * 24 * 3600;

/// A duration setting of at least one second (zero would let fetches run
/// back to back) and at most [`MAX_SECONDS`].
fn seconds(field: &str, value: Option<u64>, default: u64) -> Result<Duration, String> {
    match value.unwrap_or(default) {
        seconds @ 1..=MAX_SECONDS => Ok(Duration::from_secs(seconds)),
        _ => Err(format!(
            "auth.jwt.{field}: at least 1 and at most {MAX_SECONDS}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A P-256 public key (x, y) for tests that only parse sets.
    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    fn ec(kid: &str, extra: Value) -> Value {
        let mut key = serde_json::json!({"kty": "EC", "crv": "P-256", "x": X, "y": Y, "kid": kid});
        if let (Some(key), Value::Object(extra)) = (key.as_object_mut(), extra) {
            key.extend(extra);
        }
        key
    }

    #[test]
    fn a_published_set_keeps_its_usable_keys_and_names_the_rest() {
        let body = serde_json::json!({"keys": [
            ec("a", serde_json::json!({"alg": "ES256", "use": "sig"})),
            ec("enc", serde_json::json!({"use": "enc"})),
            {"kty": "OKP-unknown", "kid": "odd"},
            {"kty": "EC", "crv": "P-256", "kid": "bad", "x": "!!", "y": "!!"},
        ]});
        let (set, skipped) = KeySet::parse_published(body.to_string().as_bytes()).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(
            set.find(Some("a")).unwrap().algorithm.as_deref(),
            Some("ES256")
        );
        assert!(set.find(Some("enc")).is_none());
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(skipped.iter().any(|s| s.contains("\"odd\"")), "{skipped:?}");
    }

    #[test]
    fn a_published_set_without_a_usable_key_is_an_error() {
        let body = serde_json::json!({"keys": [ec("enc", serde_json::json!({"use": "enc"}))]});
        let error = KeySet::parse_published(body.to_string().as_bytes())
            .err()
            .unwrap();
        assert!(error.contains("no usable key"), "{error}");
        assert!(KeySet::parse_published(b"{\"keys\": []}").is_err());
        assert!(KeySet::parse_published(b"<html>").is_err());
    }

    #[test]
    fn a_token_without_kid_needs_a_set_of_one() {
        let one = KeySet::new(vec![Key {
            kid: Some("a".into()),
            key: DecodingKey::from_secret(b"k"),
            algorithm: None,
        }]);
        assert!(one.find(None).is_some());
        assert!(one.find(Some("b")).is_none());
        let two = KeySet::new(vec![
            Key {
                kid: Some("a".into()),
                key: DecodingKey::from_secret(b"k"),
                algorithm: None,
            },
            Key {
                kid: Some("b".into()),
                key: DecodingKey::from_secret(b"k"),
                algorithm: None,
            },
        ]);
        assert!(two.find(None).is_none());
        assert!(two.find(Some("b")).is_some());
    }

    fn config(file: Option<&str>, url: Option<&str>) -> JwtConfig {
        serde_yaml::from_value(
            serde_yaml::to_value(serde_json::json!({
                "issuer": "https://issuer.example",
                "jwks_file": file,
                "jwks_url": url,
            }))
            .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn exactly_one_key_source_is_configured() {
        let both = Jwks::new(&config(Some("/x"), Some("https://issuer.example/jwks")));
        assert!(both.err().unwrap().contains("not both"));
        let neither = Jwks::new(&config(None, None));
        assert!(neither.err().unwrap().contains("`jwks_url`"));
    }

    #[test]
    fn refetch_settings_need_a_url_and_at_least_a_second() {
        let mut file = config(Some("/x"), None);
        file.jwks_ttl_seconds = Some(10);
        assert!(
            Jwks::new(&file)
                .err()
                .unwrap()
                .contains("auth.jwt.jwks_ttl_seconds")
        );
        let mut url = config(None, Some("https://issuer.example/jwks"));
        url.jwks_refetch_interval_seconds = Some(0);
        let error = Jwks::new(&url).err().unwrap();
        assert!(
            error.contains("auth.jwt.jwks_refetch_interval_seconds: at least 1"),
            "{error}"
        );
        url.jwks_refetch_interval_seconds = None;
        url.jwks_ttl_seconds = Some(u64::MAX);
        let error = Jwks::new(&url).err().unwrap();
        assert!(error.contains("auth.jwt.jwks_ttl_seconds"), "{error}");
    }
}
