//! The `mcpgen breaking` subcommand: arguments, loading both specs, and
//! printing the findings as diagnostics.
//!
//! Exit codes: 0 nothing breaks (warnings may have been printed); 1 the spec
//! is invalid or breaks the earlier one; 2 usage (an unreadable file, a
//! revision git does not know, an earlier spec that does not load).

use std::path::PathBuf;

use clap::Args;

use super::baseline::{self, Against};
use crate::diag::{self, ErrorFormat, Severity};

const OK: u8 = 0;
const FAILED: u8 = 1;
const USAGE: u8 = 2;

/// `mcpgen breaking` arguments.
#[derive(Args, Debug)]
pub struct BreakingArgs {
    /// The earlier spec: a file, or a git revision (`HEAD~1`, `main`, a tag).
    #[arg(long, value_name = "GIT-REF|FILE")]
    pub against: String,
    /// The spec file.
    #[arg(long, short, default_value = "mcpgen.yaml")]
    pub spec: PathBuf,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
}

/// Runs `mcpgen breaking`.
pub fn run(args: &BreakingArgs) -> u8 {
    let file = args.spec.to_string_lossy().into_owned();
    let name = args.spec.file_name().map_or_else(
        || "mcpgen.yaml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = match std::fs::read_to_string(&args.spec) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot read {file}: {error}");
            return USAGE;
        }
    };
    // An invalid spec fails, but a comparison is still worth reporting when
    // the spec has the right shape: CI then shows every problem at once.
    let mut found = match crate::compile(&text, &name) {
        Ok(validated) => validated.warnings,
        Err(diagnostics) => diagnostics,
    };
    let new = match crate::spec::load(&text) {
        Ok(new) => new,
        Err(_) => {
            print(&found, &file, args.error_format);
            return FAILED;
        }
    };
    let against = Against::parse(&args.against);
    let old_text = match baseline::read(&against, &args.spec) {
        Ok(Some(text)) => text,
        Ok(None) => {
            eprintln!(
                "{file} does not exist at {}: nothing was published to compare with",
                args.against
            );
            print(&found, &file, args.error_format);
            return exit_code(&found);
        }
        Err(error) => {
            eprintln!("error: {error}");
            return USAGE;
        }
    };
    let old = match crate::spec::load(&old_text) {
        Ok(old) => old,
        Err(diagnostics) => {
            eprint!(
                "{}",
                diag::render(&diagnostics, &args.against, ErrorFormat::Text)
            );
            eprintln!("error: the spec at {} does not load", args.against);
            return USAGE;
        }
    };
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    found.extend(super::compare(&old.spec, &new.spec, today));
    diag::locate(&mut found, &text);
    print(&found, &file, args.error_format);
    if exit_code(&found) == FAILED {
        FAILED
    } else {
        if args.error_format == ErrorFormat::Text {
            eprintln!(
                "{file}: no breaking changes against {} ({} tool(s) compared)",
                args.against,
                old.spec.tools.len()
            );
        }
        OK
    }
}

fn exit_code(diagnostics: &[diag::Diagnostic]) -> u8 {
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        FAILED
    } else {
        OK
    }
}

fn print(diagnostics: &[diag::Diagnostic], file: &str, format: ErrorFormat) {
    if diagnostics.is_empty() && format != ErrorFormat::Json {
        return;
    }
    let rendered = diag::render(diagnostics, file, format);
    match format {
        ErrorFormat::Text => eprint!("{rendered}"),
        // Bots read these from stdout (GitHub picks workflow commands up there).
        ErrorFormat::Json | ErrorFormat::Github => print!("{rendered}"),
    }
}
