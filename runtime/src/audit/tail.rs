//! Where an existing log ends: its last record, read from the end of the file
//! so that a restart costs the same whatever the log's size.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use super::chain::{self, Head};

/// Why a log cannot be continued.
#[derive(Debug, thiserror::Error)]
pub enum TailError {
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file does not end with a newline.
    #[error(
        "its last line is incomplete (a write cut short by a crash, or tampering); run `audit verify` on it, keep a copy, and remove the incomplete line to continue the chain"
    )]
    Incomplete,
    /// The last line is not an intact record.
    #[error("its last record is broken: {0}; run `audit verify` on it")]
    Broken(chain::Defect),
}

/// How much of the end is read at a time.
const CHUNK: u64 = 8 * 1024;

/// The head of the chain in `file`: its last record checked against its own
/// hash, or the genesis head when the file is empty.
pub fn read_head(file: &mut File) -> Result<Head, TailError> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(Head::genesis());
    }
    // The last line runs from after the newline before the final one to the
    // end; read backwards until that newline (or the start) is in view.
    let mut tail: Vec<u8> = Vec::new();
    let mut start = len;
    loop {
        let from = start.saturating_sub(CHUNK);
        let mut chunk = vec![0; (start - from) as usize];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        start = from;
        if tail.last() != Some(&b'\n') {
            return Err(TailError::Incomplete);
        }
        let body = &tail[..tail.len() - 1];
        if let Some(newline) = body.iter().rposition(|&b| b == b'\n') {
            return open(&body[newline + 1..]);
        }
        if start == 0 {
            return open(body);
        }
    }
}

fn open(line: &[u8]) -> Result<Head, TailError> {
    let sealed = chain::open(line).map_err(TailError::Broken)?;
    Ok(Head {
        seq: sealed.seq,
        hash: sealed.hash,
    })
}
