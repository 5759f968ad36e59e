//! `audit verify`: walks a log line by line and reports where its chain
//! breaks.

use std::io::BufRead;

use super::chain::{self, Head};

/// An intact log.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    /// How many records it holds.
    pub records: u64,
    /// Its last record's `seq` and `hash`.
    pub head: Head,
}

/// Where and why a chain breaks.
#[derive(Debug, PartialEq, Eq)]
pub struct Break {
    /// The 1-based line.
    pub line: u64,
    /// The `seq` the line claims, when it has one.
    pub seq: Option<u64>,
    /// What is wrong.
    pub kind: BreakKind,
}

/// What is wrong at a [`Break`].
#[derive(Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// The line is not an intact sealed record (edited, or not a record).
    Defect(chain::Defect),
    /// The last line has no newline: a write was cut short, or the file was
    /// truncated.
    Truncated,
    /// The `seq` is not the one after the previous record's: a record was
    /// removed, inserted or moved.
    Sequence {
        /// The `seq` the line should have.
        expected: u64,
    },
    /// `prev` is not the previous record's hash.
    Link,
    /// The log ends before an anchor the caller holds.
    EndsBefore {
        /// The anchor's `seq`.
        anchor: u64,
    },
    /// The record at an anchor's `seq` has another hash.
    Anchor {
        /// The hash the anchor expects.
        expected: String,
    },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(seq) = self.seq {
            write!(f, " (seq {seq})")?;
        }
        match &self.kind {
            BreakKind::Defect(defect) => write!(f, ": {defect}"),
            BreakKind::Truncated => f.write_str(": the last line is incomplete (truncated)"),
            BreakKind::Sequence { expected } => write!(
                f,
                ": expected seq {expected} (a record was removed, inserted or moved)"
            ),
            BreakKind::Link => f.write_str(": `prev` is not the hash of the record before it"),
            BreakKind::EndsBefore { anchor } => write!(
                f,
                ": the log ends before anchored seq {anchor} (records were cut from its end)"
            ),
            BreakKind::Anchor { expected } => {
                write!(f, ": its hash is not the anchored {expected}")
            }
        }
    }
}

/// Why a log could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The chain breaks.
    #[error("the chain breaks at {0}")]
    Broken(Break),
}

/// Checks every line of `log`: each record hashes to its `hash`, `seq`
/// counts up from 1 and `prev` is the hash of the record before (the genesis
/// value for the first). `anchors` are `(seq, hash)` pairs kept elsewhere;
/// each must be in the log, which catches records cut from its end.
pub fn verify(log: impl BufRead, anchors: &[Head]) -> Result<Verified, VerifyError> {
    let mut log = log;
    let mut head = Head::genesis();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if log.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        let broken = |kind| {
            let seq = chain::seq_of(line.strip_suffix(b"\n").unwrap_or(&line));
            VerifyError::Broken(Break {
                line: number,
                seq,
                kind,
            })
        };
        let Some(content) = line.strip_suffix(b"\n") else {
            return Err(broken(BreakKind::Truncated));
        };
        let sealed = chain::open(content).map_err(|defect| broken(BreakKind::Defect(defect)))?;
        if sealed.seq != head.seq + 1 {
            return Err(broken(BreakKind::Sequence {
                expected: head.seq + 1,
            }));
        }
        if sealed.prev != head.hash {
            return Err(broken(BreakKind::Link));
        }
        if let Some(anchor) = anchors.iter().find(|a| a.seq == sealed.seq)
            && anchor.hash != sealed.hash
        {
            return Err(broken(BreakKind::Anchor {
                expected: anchor.hash.clone(),
            }));
        }
        head = Head {
            seq: sealed.seq,
            hash: sealed.hash,
        };
    }
    if let Some(anchor) = anchors
        .iter()
        .filter(|a| a.seq > head.seq)
        .min_by_key(|a| a.seq)
    {
        return Err(VerifyError::Broken(Break {
            line: number + 1,
            seq: None,
            kind: BreakKind::EndsBefore { anchor: anchor.seq },
        }));
    }
    Ok(Verified {
        records: head.seq,
        head,
    })
}
