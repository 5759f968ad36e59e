//! Redaction: sensitive values become a marker and their keyed hash, so two
//! records can be matched on a value without the value being recoverable.
//! Values at the paths a tool marks sensitive are redacted, and so is any
//! string shaped like a credential, wherever it appears.

use std::sync::LazyLock;

use hmac::{Hmac, KeyInit, Mac};
use regex::Regex;
use serde_json::Value;
use sha2::Sha256;

use super::chain::hex;

/// What a redacted value starts with.
pub const MARKER: &str = "[REDACTED]";

/// The shortest redaction key accepted: HMAC keys shorter than the hash's
/// 32 bytes weaken it, and a short key is likely a placeholder.
pub const MIN_KEY_BYTES: usize = 32;

/// Credentials a caller may paste into any argument: a JWT (three base64url
/// parts, the first a JSON object's `{"`), an HTTP bearer credential, a PEM
/// private key block (to its end, or to the end of the text when cut off).
static CREDENTIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*
        | (?i:bearer)\s+[A-Za-z0-9._~+/=-]+
        | -----BEGIN\ [A-Z0-9\ ]*PRIVATE\ KEY-----(?s:.*?)(?:-----END\ [A-Z0-9\ ]*PRIVATE\ KEY-----|\z)",
    )
    .expect("the credential pattern compiles")
});

/// Whether `text` holds something shaped like a credential.
pub fn holds_credential(text: &str) -> bool {
    CREDENTIAL.is_match(text)
}

/// `text` with every credential-shaped part replaced by the marker.
pub fn scrub_credentials(text: &str) -> String {
    CREDENTIAL.replace_all(text, MARKER).into_owned()
}

/// Replaces values at sensitive paths by `[REDACTED] hmac-sha256:<hex>`,
/// the HMAC-SHA256 of the value's RFC 8785 canonical JSON under the
/// deployment's key.
#[derive(Clone)]
pub struct Redactor {
    mac: Option<Hmac<Sha256>>,
}

impl Redactor {
    /// A redactor hashing under `key` (at least [`MIN_KEY_BYTES`] long).
    pub fn new(key: &[u8]) -> Result<Self, String> {
        if key.len() < MIN_KEY_BYTES {
            return Err(format!(
                "the audit redaction key has {} bytes; it needs at least {MIN_KEY_BYTES}",
                key.len()
            ));
        }
        let mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| e.to_string())?;
        Ok(Self { mac: Some(mac) })
    }

    /// A redactor without a key: the marker alone, with no hash to match on.
    pub fn keyless() -> Self {
        Self { mac: None }
    }

    /// The replacement of `value`.
    pub fn marker(&self, value: &Value) -> String {
        let Some(mac) = &self.mac else {
            return MARKER.to_owned();
        };
        let mut mac = mac.clone();
        let canonical = serde_jcs::to_vec(value).expect("a JSON value canonicalises");
        mac.update(&canonical);
        format!("{MARKER} hmac-sha256:{}", hex(&mac.finalize().into_bytes()))
    }

    /// Redacts every value of `root` at one of `paths` (dotted property
    /// names; arrays on the way are entered element by element), then every
    /// string anywhere in it that holds a credential. Returns the redacted
    /// strings, so messages that might quote them can be scrubbed.
    pub fn redact(&self, root: &mut Value, paths: &[String]) -> Vec<String> {
        let mut plaintexts = Vec::new();
        for path in paths {
            let segments: Vec<&str> = path.split('.').collect();
            self.redact_at(root, &segments, &mut plaintexts);
        }
        self.redact_credentials(root, &mut plaintexts);
        plaintexts
    }

    /// Replaces each string holding a credential (and each object key
    /// holding one, dropped with its value) by its marker.
    fn redact_credentials(&self, value: &mut Value, plaintexts: &mut Vec<String>) {
        match value {
            Value::String(text) if holds_credential(text) => {
                plaintexts.push(text.clone());
                *value = Value::String(self.marker(value));
            }
            Value::Array(items) => items
                .iter_mut()
                .for_each(|item| self.redact_credentials(item, plaintexts)),
            Value::Object(map) => {
                let keys: Vec<String> = map
                    .keys()
                    .filter(|k| holds_credential(k))
                    .cloned()
                    .collect();
                for key in keys {
                    map.remove(&key);
                    let marker = self.marker(&Value::String(key.clone()));
                    plaintexts.push(key);
                    map.insert(marker, Value::String(MARKER.to_owned()));
                }
                map.values_mut()
                    .for_each(|child| self.redact_credentials(child, plaintexts));
            }
            _ => {}
        }
    }

    fn redact_at(&self, value: &mut Value, path: &[&str], plaintexts: &mut Vec<String>) {
        match value {
            Value::Array(items) => {
                for item in items {
                    self.redact_at(item, path, plaintexts);
                }
            }
            Value::Object(map) => {
                let Some((first, rest)) = path.split_first() else {
                    return;
                };
                let Some(child) = map.get_mut(*first) else {
                    return;
                };
                if rest.is_empty() {
                    collect_strings(child, plaintexts);
                    *child = Value::String(self.marker(child));
                } else {
                    self.redact_at(child, rest, plaintexts);
                }
            }
            _ => {}
        }
    }
}

fn collect_strings(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(text) if !text.is_empty() => into.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, into)),
        _ => {}
    }
}

/// `text` with every occurrence of a redacted string, and anything else
/// shaped like a credential, replaced by the marker.
pub fn scrub(text: &str, plaintexts: &[String]) -> String {
    let mut text = text.to_owned();
    for plaintext in plaintexts {
        text = text.replace(plaintext.as_str(), MARKER);
    }
    scrub_credentials(&text)
}
