//! The tamper-evident audit log: one hash-chained JSON line per request,
//! with opted-in arguments and results redacted by schema path, written in
//! strict (durable before the response) or buffered mode. `docs/audit.md`
//! describes the format.

mod call;
mod chain;
mod http;
mod record;
mod redact;
mod tail;
mod verify;
mod writer;

pub use call::{CallRecord, Received};
pub use chain::{Defect, GENESIS, Head, Sealed, open as open_line, seal};
pub use http::{Recorded, method_of, record_rejections};
pub use record::{Entry, ErrorInfo, Outcome, now};
pub use redact::{MARKER, MIN_KEY_BYTES, Redactor, scrub};
pub use tail::TailError;
pub use verify::{Break, BreakKind, Verified, VerifyError, verify};
pub use writer::{AuditError, AuditLog, Mode, OpenError, Stats};

use std::time::Duration;

use crate::config::{AuditConfig, AuditMode, AuditRecordConfig};
use crate::registry::{Registry, ToolEntry};

/// The audit log as the server uses it: the log, the redaction key and what
/// the operator allows records to carry.
pub struct Audit {
    log: AuditLog,
    redactor: Redactor,
    record: AuditRecordConfig,
}

impl Audit {
    /// An audit of `log` that redacts with `redactor` and records what
    /// `record` allows.
    pub fn new(log: AuditLog, redactor: Redactor, record: AuditRecordConfig) -> Self {
        Self {
            log,
            redactor,
            record,
        }
    }

    /// Opens the log `config` names for a server of `registry`. Fails when
    /// the key is missing but some recorded tool has sensitive fields: the
    /// operator would otherwise lose the ability to match redacted values
    /// without noticing.
    pub fn open(config: &AuditConfig, registry: &Registry) -> Result<Self, String> {
        let redactor = match redaction_key(config)? {
            Some(key) => Redactor::new(key.as_bytes())?,
            None => {
                if let Some(tool) = registry
                    .tools()
                    .iter()
                    .find(|t| !t.audit.sensitive.is_empty() && records_payload(t, config.record))
                {
                    return Err(format!(
                        "the audit log records `{}`, which has sensitive fields: set `audit.redaction_key_env` (or `audit.redaction_key`)",
                        tool.name
                    ));
                }
                Redactor::keyless()
            }
        };
        let mode = match config.mode {
            AuditMode::Strict => Mode::Strict,
            AuditMode::Buffered => Mode::Buffered {
                capacity: config.buffered.capacity,
                flush: Duration::from_millis(config.buffered.flush_ms),
            },
        };
        let log = AuditLog::open(&config.path, mode).map_err(|e| e.to_string())?;
        Ok(Self::new(log, redactor, config.record))
    }

    /// The log.
    pub fn log(&self) -> &AuditLog {
        &self.log
    }

    /// Whether calls of `tool` record their arguments.
    pub fn records_arguments(&self, tool: &ToolEntry) -> bool {
        tool.audit.arguments && self.record.arguments
    }

    /// Whether calls of `tool` record their results.
    pub fn records_results(&self, tool: &ToolEntry) -> bool {
        tool.audit.results && self.record.results
    }
}

/// Whether the runtime config's audit log (`config`) is the one the spec
/// requires (`required`): `strict` needs a strict log, `buffered` a log of
/// either mode. Serving without it would answer requests whose records the
/// spec's author counted on.
pub fn meets_requirement(
    required: Option<AuditMode>,
    config: Option<&AuditConfig>,
) -> Result<(), String> {
    match (required, config) {
        (None, _) => Ok(()),
        (Some(mode), None) => Err(format!(
            "the spec requires a {} audit log: add an `audit` section (path, mode)",
            mode_name(mode)
        )),
        (Some(AuditMode::Strict), Some(config)) if config.mode != AuditMode::Strict => Err(
            "audit.mode: the spec requires `strict`, so that no response leaves before its record is on disk"
                .to_owned(),
        ),
        (Some(_), Some(_)) => Ok(()),
    }
}

fn mode_name(mode: AuditMode) -> &'static str {
    match mode {
        AuditMode::Strict => "strict",
        AuditMode::Buffered => "buffered",
    }
}

fn records_payload(tool: &ToolEntry, record: AuditRecordConfig) -> bool {
    (tool.audit.arguments && record.arguments) || (tool.audit.results && record.results)
}

fn redaction_key(config: &AuditConfig) -> Result<Option<String>, String> {
    match (&config.redaction_key, &config.redaction_key_env) {
        (Some(_), Some(_)) => {
            Err("set one of `audit.redaction_key` and `audit.redaction_key_env`, not both".into())
        }
        (Some(key), None) => Ok(Some(key.0.clone())),
        (None, Some(var)) => std::env::var(var).map(Some).map_err(|_| {
            format!("`audit.redaction_key_env` names `{var}`, which is not set (or not UTF-8)")
        }),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn log(mode: AuditMode) -> AuditConfig {
        AuditConfig {
            path: PathBuf::from("audit.jsonl"),
            mode,
            redaction_key: None,
            redaction_key_env: None,
            record: AuditRecordConfig::default(),
            buffered: Default::default(),
        }
    }

    #[test]
    fn a_spec_that_requires_an_audit_log_refuses_a_weaker_one() {
        let strict = log(AuditMode::Strict);
        let buffered = log(AuditMode::Buffered);
        assert!(meets_requirement(None, None).is_ok());
        assert!(meets_requirement(None, Some(&buffered)).is_ok());
        assert!(meets_requirement(Some(AuditMode::Strict), Some(&strict)).is_ok());
        assert!(meets_requirement(Some(AuditMode::Buffered), Some(&strict)).is_ok());
        assert!(meets_requirement(Some(AuditMode::Buffered), Some(&buffered)).is_ok());
        let weaker = meets_requirement(Some(AuditMode::Strict), Some(&buffered)).unwrap_err();
        assert!(weaker.contains("audit.mode"), "{weaker}");
        let missing = meets_requirement(Some(AuditMode::Strict), None).unwrap_err();
        assert!(missing.contains("strict audit log"), "{missing}");
    }
}
