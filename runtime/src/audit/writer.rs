//! The writer: one thread owns the file, seals records in the order they
//! arrive and writes them in batches. Strict callers wait until their batch
//! is synced; buffered callers only queue.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::chain::{self, Head};
use super::record::{self, Entry, Outcome};
use super::tail::{self, TailError};

/// When a record reaches the disk.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// [`AuditLog::append`] returns once the record is written and synced.
    Strict,
    /// [`AuditLog::append`] only queues; the writer syncs at least every
    /// `flush`, and drops (and counts) records when `capacity` are queued.
    Buffered {
        /// Records the queue holds.
        capacity: usize,
        /// The longest a record waits before it is written and synced.
        flush: Duration,
    },
}

/// Why an append failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum AuditError {
    /// A write or sync failed; the log takes no more records, since any
    /// record after a lost one would break the chain.
    #[error("the audit log failed and takes no more records: {0}")]
    Failed(String),
    /// The log was closed.
    #[error("the audit log is closed")]
    Closed,
}

/// Why a log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file could not be opened or the writer not started.
    #[error("cannot open the audit log {path}: {source}")]
    Io {
        /// The log.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file's chain cannot be continued.
    #[error("will not append to the audit log {path}: {source}")]
    Tail {
        /// The log.
        path: PathBuf,
        /// Why.
        source: TailError,
    },
}

/// What the writer has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records written and synced.
    pub records: u64,
    /// `sync_data` calls: fewer than records when batches share one.
    pub syncs: u64,
    /// Records dropped because the queue was full (buffered mode).
    pub dropped: u64,
}

/// An open audit log. Cloning is cheap; every clone appends to the same chain.
#[derive(Clone)]
pub struct AuditLog {
    shared: Arc<Shared>,
}

struct Shared {
    sender: SyncSender<Message>,
    strict: bool,
    counters: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    records: AtomicU64,
    syncs: AtomicU64,
    dropped: AtomicU64,
    /// Dropped since the writer last recorded a `lost` record.
    unreported: AtomicU64,
}

type Ack = oneshot::Sender<Result<(), AuditError>>;

enum Message {
    Record(Map<String, Value>, Option<Ack>),
    Flush(Ack),
    Close(Ack),
}

/// A batch of buffered records is written once it reaches this size even
/// before its flush interval, to bound memory.
const MAX_PENDING: usize = 256 * 1024;

/// Strict callers block (rather than drop) when this many records wait.
const STRICT_QUEUE: usize = 1024;

impl AuditLog {
    /// Opens (or creates) the log at `path`, continuing the chain from its
    /// last record; refuses a file whose last line is not an intact record.
    pub fn open(path: &Path, mode: Mode) -> Result<Self, OpenError> {
        let io = |source| OpenError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        let head = tail::read_head(&mut file).map_err(|source| OpenError::Tail {
            path: path.to_owned(),
            source,
        })?;
        if head.seq == 0 {
            // A new file is durable only once its directory entry is.
            sync_parent(path).map_err(io)?;
        }
        let (strict, capacity, flush) = match mode {
            Mode::Strict => (true, STRICT_QUEUE, None),
            Mode::Buffered { capacity, flush } => (false, capacity.max(1), Some(flush)),
        };
        let (sender, receiver) = sync_channel(capacity);
        let counters = Arc::new(Counters::default());
        let writer = Writer {
            file,
            head,
            flush,
            pending: Vec::new(),
            batch: 0,
            oldest: None,
            acks: Vec::new(),
            failed: None,
            counters: counters.clone(),
        };
        std::thread::Builder::new()
            .name("mcpgen-audit".to_owned())
            .spawn(move || writer.run(receiver))
            .map_err(io)?;
        Ok(Self {
            shared: Arc::new(Shared {
                sender,
                strict,
                counters,
            }),
        })
    }

    /// Whether appends wait for the disk.
    pub fn is_strict(&self) -> bool {
        self.shared.strict
    }

    /// Appends `entry`. In strict mode this returns once the record is
    /// synced; in buffered mode once it is queued, or dropped and counted
    /// when the queue is full.
    pub async fn append(&self, entry: &Entry) -> Result<(), AuditError> {
        let record = to_map(entry);
        if !self.shared.strict {
            return match self.shared.sender.try_send(Message::Record(record, None)) {
                Ok(()) => Ok(()),
                Err(TrySendError::Full(_)) => {
                    self.shared.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    if self
                        .shared
                        .counters
                        .unreported
                        .fetch_add(1, Ordering::Relaxed)
                        == 0
                    {
                        tracing::warn!("the audit queue is full: records are being dropped");
                    }
                    Ok(())
                }
                Err(TrySendError::Disconnected(_)) => Err(AuditError::Closed),
            };
        }
        let (ack, done) = oneshot::channel();
        self.send(Message::Record(record, Some(ack))).await?;
        done.await.map_err(|_| AuditError::Closed)?
    }

    /// Writes and syncs everything queued so far.
    pub async fn flush(&self) -> Result<(), AuditError> {
        let (ack, done) = oneshot::channel();
        self.send(Message::Flush(ack)).await?;
        done.await.map_err(|_| AuditError::Closed)?
    }

    /// Writes and syncs everything queued, then stops the writer; later
    /// appends fail with [`AuditError::Closed`].
    pub async fn close(&self) -> Result<(), AuditError> {
        let (ack, done) = oneshot::channel();
        self.send(Message::Close(ack)).await?;
        done.await.map_err(|_| AuditError::Closed)?
    }

    /// What the writer has done so far.
    pub fn stats(&self) -> Stats {
        let counters = &self.shared.counters;
        Stats {
            records: counters.records.load(Ordering::Relaxed),
            syncs: counters.syncs.load(Ordering::Relaxed),
            dropped: counters.dropped.load(Ordering::Relaxed),
        }
    }

    /// Queues `message`, waiting off the async threads when the queue is full.
    async fn send(&self, message: Message) -> Result<(), AuditError> {
        match self.shared.sender.try_send(message) {
            Ok(()) => Ok(()),
            Err(TrySendError::Disconnected(_)) => Err(AuditError::Closed),
            Err(TrySendError::Full(message)) => {
                let sender = self.shared.sender.clone();
                tokio::task::spawn_blocking(move || sender.send(message))
                    .await
                    .map_err(|_| AuditError::Closed)?
                    .map_err(|_| AuditError::Closed)
            }
        }
    }
}

fn to_map(entry: &Entry) -> Map<String, Value> {
    match serde_json::to_value(entry) {
        Ok(Value::Object(map)) => map,
        _ => unreachable!("an entry serialises to a JSON object"),
    }
}

#[cfg(unix)]
fn sync_parent(path: &Path) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(parent)?.sync_all()
}

#[cfg(not(unix))]
fn sync_parent(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

struct Writer {
    file: File,
    head: Head,
    /// `None` in strict mode, where every batch is synced at once.
    flush: Option<Duration>,
    pending: Vec<u8>,
    /// Records in `pending`.
    batch: u64,
    /// When the oldest record in `pending` was sealed.
    oldest: Option<Instant>,
    acks: Vec<Ack>,
    failed: Option<String>,
    counters: Arc<Counters>,
}

impl Writer {
    fn run(mut self, receiver: Receiver<Message>) {
        loop {
            let first = match self.deadline() {
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(at) => receiver.recv_timeout(at.saturating_duration_since(Instant::now())),
            };
            let mut stop = match first {
                Ok(message) => self.take(message),
                Err(RecvTimeoutError::Timeout) => false,
                Err(RecvTimeoutError::Disconnected) => true,
            };
            // Whatever queued up meanwhile joins this batch: one write and
            // one sync for all of it (group commit).
            while !stop && let Ok(message) = receiver.try_recv() {
                stop = self.take(message);
            }
            self.note_drops();
            if stop {
                // Closed before the acks go out, so that an append after
                // `close` returns fails rather than queueing into nothing.
                drop(receiver);
                self.commit();
                return;
            }
            let due = self.deadline().is_none_or(|at| at <= Instant::now());
            if due || !self.acks.is_empty() || self.pending.len() >= MAX_PENDING {
                self.commit();
            }
        }
    }

    /// When the pending batch must be on disk; `None` when nothing waits or
    /// every batch is committed at once.
    fn deadline(&self) -> Option<Instant> {
        Some(self.oldest? + self.flush?)
    }

    /// Takes one message; `true` when it asks the writer to stop.
    fn take(&mut self, message: Message) -> bool {
        match message {
            Message::Record(record, ack) => {
                self.seal(record);
                self.acks.extend(ack);
                false
            }
            Message::Flush(ack) => {
                self.acks.push(ack);
                false
            }
            Message::Close(ack) => {
                self.acks.push(ack);
                true
            }
        }
    }

    fn seal(&mut self, record: Map<String, Value>) {
        if self.failed.is_some() {
            return;
        }
        match chain::seal(record, &self.head) {
            Ok((line, head)) => {
                self.pending.extend_from_slice(&line);
                self.head = head;
                self.batch += 1;
                self.oldest.get_or_insert_with(Instant::now);
            }
            Err(error) => self.fail(format!("a record does not serialise: {error}")),
        }
    }

    /// Records how many records a full queue dropped since the last time, as
    /// a record of its own: the loss is then part of the chain.
    fn note_drops(&mut self) {
        let dropped = self.counters.unreported.swap(0, Ordering::Relaxed);
        if dropped == 0 {
            return;
        }
        let mut entry = Entry::new(record::now(), "audit/dropped", Outcome::Lost);
        entry.dropped = Some(dropped);
        self.seal(to_map(&entry));
    }

    fn commit(&mut self) {
        if self.failed.is_none() && !self.pending.is_empty() {
            let written = self
                .file
                .write_all(&self.pending)
                .and_then(|()| self.file.sync_data());
            match written {
                Ok(()) => {
                    self.counters
                        .records
                        .fetch_add(self.batch, Ordering::Relaxed);
                    self.counters.syncs.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => self.fail(error.to_string()),
            }
        }
        self.pending.clear();
        self.batch = 0;
        self.oldest = None;
        let result = match &self.failed {
            None => Ok(()),
            Some(error) => Err(AuditError::Failed(error.clone())),
        };
        for ack in self.acks.drain(..) {
            let _ = ack.send(result.clone());
        }
    }

    fn fail(&mut self, error: String) {
        tracing::error!(%error, "the audit log failed; no further records are written");
        self.failed = Some(error);
    }
}
