//! The hash chain: how a record is sealed with `seq`, `prev` and `hash`, and
//! how a sealed line is checked.

use std::fmt::Write as _;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The `prev` of the first record of a log.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The end of a chain: the last record's `seq` and `hash` (`0` and
/// [`GENESIS`] for an empty log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// The last record's sequence number.
    pub seq: u64,
    /// The last record's hash.
    pub hash: String,
}

impl Head {
    /// The head of an empty log.
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// SHA-256 of the RFC 8785 canonical form of `record`, in hex.
fn digest(record: &Map<String, Value>) -> Result<(Vec<u8>, String), serde_json::Error> {
    let canonical = serde_jcs::to_vec(record)?;
    let hash = hex(&Sha256::digest(&canonical));
    Ok((canonical, hash))
}

/// Seals `record` (which must not hold `seq`, `prev` or `hash`) as the record
/// after `head`: returns its line, newline included, and the new head.
pub fn seal(
    mut record: Map<String, Value>,
    head: &Head,
) -> Result<(Vec<u8>, Head), serde_json::Error> {
    let seq = head.seq + 1;
    record.insert("seq".to_owned(), Value::from(seq));
    record.insert("prev".to_owned(), Value::String(head.hash.clone()));
    let (mut line, hash) = digest(&record)?;
    // `hash` is appended after the canonical form rather than re-sorted into
    // it: the line stays valid JSON, costs one serialisation, and a verifier
    // re-canonicalises without `hash` anyway.
    line.pop();
    line.extend_from_slice(b",\"hash\":\"");
    line.extend_from_slice(hash.as_bytes());
    line.extend_from_slice(b"\"}\n");
    Ok((line, Head { seq, hash }))
}

/// A sealed record as read back: its own fields, checked against its hash.
#[derive(Debug)]
pub struct Sealed {
    /// Its `seq`.
    pub seq: u64,
    /// Its `prev`.
    pub prev: String,
    /// Its `hash`, which matches its content.
    pub hash: String,
}

/// Why a line is not an intact sealed record.
#[derive(Debug, PartialEq, Eq)]
pub enum Defect {
    /// Not a JSON object.
    NotJson(String),
    /// `seq`, `prev` or `hash` is missing or of the wrong type.
    Malformed(&'static str),
    /// The content does not hash to `hash`: the record was edited.
    Edited,
}

impl std::fmt::Display for Defect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotJson(error) => write!(f, "not a JSON object ({error})"),
            Self::Malformed(what) => write!(f, "malformed record: {what}"),
            Self::Edited => f.write_str("the content does not match its hash (edited)"),
        }
    }
}

/// The `seq` of a line, when it has one, for error messages about a line that
/// is otherwise broken.
pub fn seq_of(line: &[u8]) -> Option<u64> {
    let record: Map<String, Value> = serde_json::from_slice(line).ok()?;
    record.get("seq")?.as_u64()
}

/// Parses one line (without its newline) and checks it against its own hash.
pub fn open(line: &[u8]) -> Result<Sealed, Defect> {
    let mut record: Map<String, Value> =
        serde_json::from_slice(line).map_err(|e| Defect::NotJson(e.to_string()))?;
    let hash = match record.remove("hash") {
        Some(Value::String(hash)) => hash,
        _ => return Err(Defect::Malformed("no string `hash`")),
    };
    let seq = record
        .get("seq")
        .and_then(Value::as_u64)
        .ok_or(Defect::Malformed("no integer `seq`"))?;
    let prev = record
        .get("prev")
        .and_then(Value::as_str)
        .ok_or(Defect::Malformed("no string `prev`"))?
        .to_owned();
    let (_, computed) = digest(&record).map_err(|e| Defect::NotJson(e.to_string()))?;
    if computed != hash {
        return Err(Defect::Edited);
    }
    Ok(Sealed { seq, prev, hash })
}
