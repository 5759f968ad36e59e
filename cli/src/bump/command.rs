//! The `mcpgen bump` subcommand: arguments, file I/O and what it prints.
//!
//! Exit codes: 0 the version was added; 1 refused (the chosen version is too
//! small for the changes, or the result would not validate), nothing
//! written; 2 usage (unknown tool, unreadable file, a layout bump cannot
//! edit).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};

use super::{Bumped, Refusal, Request, Schemas, Source, TooSmall};
use crate::classify::{self, Part};
use crate::diag::{self, ErrorFormat};

const OK: u8 = 0;
const FAILED: u8 = 1;
const USAGE: u8 = 2;

/// `mcpgen bump` arguments.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("part").args(["major", "minor", "patch"])))]
pub struct BumpArgs {
    /// The tool to add a version to.
    pub tool: String,
    /// Release a new major version.
    #[arg(long)]
    pub major: bool,
    /// Release a new minor version.
    #[arg(long)]
    pub minor: bool,
    /// Release a new patch version.
    #[arg(long)]
    pub patch: bool,
    /// The new version's input schema (YAML or JSON), or a mapping with
    /// `input` and `output`.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// The new version's description.
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub description: Option<String>,
    /// The spec file.
    #[arg(long, short, default_value = "mcpgen.yaml")]
    pub spec: PathBuf,
    /// Print the new spec on stdout instead of writing it.
    #[arg(long)]
    pub dry_run: bool,
}

impl BumpArgs {
    fn part(&self) -> Option<Part> {
        [
            (self.major, Part::Major),
            (self.minor, Part::Minor),
            (self.patch, Part::Patch),
        ]
        .into_iter()
        .find_map(|(set, part)| set.then_some(part))
    }
}

/// Runs `mcpgen bump`.
pub fn run(args: &BumpArgs) -> u8 {
    let text = match std::fs::read_to_string(&args.spec) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", args.spec.display());
            return USAGE;
        }
    };
    let schemas = match &args.schema {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Schemas::parse(&t))
        {
            Ok(schemas) => Some(schemas),
            Err(error) => {
                eprintln!("error: {}: {error}", path.display());
                return USAGE;
            }
        },
    };
    let request = Request {
        tool: args.tool.clone(),
        part: args.part(),
        schemas,
        description: args.description.clone(),
    };
    let file = args.spec.to_string_lossy().into_owned();
    let name = args.spec.file_name().map_or_else(
        || "mcpgen.yaml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    match super::bump(&text, &name, &request) {
        Ok(bumped) => {
            if args.dry_run {
                print!("{}", bumped.text);
                let _ = std::io::stdout().flush();
            } else if let Err(error) = write_atomically(&args.spec, &bumped.text) {
                eprintln!("error: nothing was written to {file}: {error}");
                return FAILED;
            }
            eprint!("{}", summary(&bumped, &request.tool, &file, args.dry_run));
            OK
        }
        Err(refusal) => {
            eprint!("{}", refused(&refusal, &request.tool, &file));
            match refusal {
                Refusal::TooSmall(_) | Refusal::Invalid(_) => FAILED,
                Refusal::Usage(_) | Refusal::Layout(_) => USAGE,
            }
        }
    }
}

/// Writes beside the spec and renames over it, so a crash never leaves half
/// a spec.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(text.as_bytes())?;
    if let Ok(metadata) = std::fs::metadata(path) {
        let _ = file.as_file().set_permissions(metadata.permissions());
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// What was added and what to review.
pub fn summary(bumped: &Bumped, tool: &str, file: &str, dry_run: bool) -> String {
    let mut out = String::new();
    let how = match bumped.source {
        Source::Draft => "completed the draft",
        Source::File => "added a version from the schema file",
        Source::Copy => "added a version with the same schemas",
    };
    out.push_str(&format!(
        "{tool}: {} → {} ({how}; the changes need {})\n",
        bumped.from,
        bumped.to,
        need(bumped.required)
    ));
    let table = classify::table(&bumped.step.findings);
    for line in table.lines() {
        out.push_str(&format!("  {line}\n"));
    }
    let ops = |n: usize, what: &str| match n {
        0 => String::new(),
        1 => format!(", 1 {what} op"),
        n => format!(", {n} {what} ops"),
    };
    out.push_str(&format!(
        "{} {file}: {}{}{}\n",
        if dry_run { "would write" } else { "wrote" },
        bumped.path,
        ops(bumped.step.request.ops, "request"),
        ops(bumped.step.response.ops, "response"),
    ));
    if !bumped.reviews.is_empty() {
        out.push_str("review:\n");
        for (line, note) in &bumped.reviews {
            out.push_str(&format!("  {file}:{line}: {note}\n"));
        }
    }
    if !bumped.warnings.is_empty() {
        out.push_str(&diag::render(&bumped.warnings, file, ErrorFormat::Text));
    }
    out
}

/// Why nothing was written.
pub fn refused(refusal: &Refusal, tool: &str, file: &str) -> String {
    match refusal {
        Refusal::Usage(message) | Refusal::Layout(message) => format!("error: {message}\n"),
        Refusal::Invalid(diagnostics) => format!(
            "{}error: the spec would not validate; nothing was written to {file}\n",
            diag::render(diagnostics, file, ErrorFormat::Text)
        ),
        Refusal::TooSmall(too_small) => {
            let TooSmall {
                from,
                to,
                required,
                suggested,
                step,
            } = too_small.as_ref();
            let mut out = format!(
                "error: {tool} {from} → {to} is {}, but the changes need {} ({suggested}):\n",
                step_name(classify::capacity(from, to)),
                need(*required),
            );
            for line in classify::table(&step.findings).lines() {
                out.push_str(&format!("  {line}\n"));
            }
            out.push_str(&format!("nothing was written to {file}\n"));
            out
        }
    }
}

fn need(required: classify::Impact) -> &'static str {
    match required {
        classify::Impact::None => "no release",
        classify::Impact::Patch => "a patch release",
        classify::Impact::Minor => "a minor release",
        classify::Impact::Major => "a major release",
    }
}

fn step_name(capacity: classify::Impact) -> &'static str {
    match capacity {
        classify::Impact::None => "not a step forward",
        classify::Impact::Patch => "a patch step",
        classify::Impact::Minor => "a minor step",
        classify::Impact::Major => "a major step",
    }
}
