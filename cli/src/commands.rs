//! The command line: argument parsing and one function per subcommand.
//!
//! Exit codes: 0 success; 1 invalid spec, stale output or a failed write;
//! 2 usage errors (bad arguments, unreadable spec file).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::diag::{self, Diagnostic, ErrorFormat, Severity};
use crate::plan::PlanOptions;
use crate::render::manifest::RuntimeSource;
use crate::{examples, write};

const OK: u8 = 0;
const FAILED: u8 = 1;
const USAGE: u8 = 2;

/// Generate production MCP servers on rmcp from a declarative YAML spec.
#[derive(Parser)]
#[command(name = "mcpgen", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a spec and report every problem; writes nothing.
    Check(SpecArgs),
    /// Generate the server crate from a spec (idempotent).
    Generate(GenerateArgs),
    /// Show how the checked-in crate differs from the spec (`generate --check`).
    Diff(DiffArgs),
    /// Create a new server: a spec and a crate that builds and serves at once.
    New(NewArgs),
    /// Add the next version of a tool: classify the change, pick (or check)
    /// the release, scaffold the migration ops.
    Bump(crate::bump::command::BumpArgs),
    /// Compare with an earlier spec (a git ref or a file): fail on removed
    /// versions, changes in place, too-small releases, missing migrations.
    Breaking(crate::breaking::command::BreakingArgs),
    /// Say whether the access rules let a principal call a tool, and which
    /// rule decided (exit 0 allowed, 1 denied).
    // `--version` names the tool version here, not mcpgen's.
    #[command(disable_version_flag = true)]
    Explain(crate::explain::ExplainArgs),
    /// Print the JSON Schema of the spec format (for editors).
    Schema,
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Args)]
struct SpecArgs {
    /// The spec file.
    #[arg(long, short, default_value = "mcpgen.yaml")]
    spec: PathBuf,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
    /// Seed of the random values migration chains are tested on (the
    /// default is fixed, so reports are reproducible).
    #[arg(long, value_name = "N", default_value_t = crate::validate::DEFAULT_SEED)]
    seed: u64,
}

impl SpecArgs {
    fn checks(&self) -> crate::validate::Options {
        crate::validate::Options { seed: self.seed }
    }
}

#[derive(Args)]
struct RuntimeArgs {
    /// Path dependency on `mcpgen-runtime` for a newly scaffolded Cargo.toml
    /// (default: the runtime of the mcpgen checkout this binary was built from).
    #[arg(long, value_name = "DIR", conflicts_with = "runtime_version")]
    runtime_path: Option<PathBuf>,
    /// Registry version requirement on `mcpgen-runtime` instead of a path.
    #[arg(long, value_name = "REQ")]
    runtime_version: Option<String>,
}

#[derive(Args)]
struct GenerateArgs {
    #[command(flatten)]
    spec: SpecArgs,
    /// The crate directory (default: the spec's directory).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Write nothing; print a unified diff and exit 1 when the crate is stale.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    runtime: RuntimeArgs,
}

#[derive(Args)]
struct DiffArgs {
    #[command(flatten)]
    spec: SpecArgs,
    /// The crate directory (default: the spec's directory).
    #[arg(long, short)]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct NewArgs {
    /// Directory to create; its name becomes the server's name.
    dir: PathBuf,
    /// The example to start from.
    #[arg(long, default_value = "minimal", value_parser = examples::names())]
    example: String,
    #[command(flatten)]
    runtime: RuntimeArgs,
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(match cli.command {
        Command::Check(args) => check(&args),
        Command::Generate(args) => {
            generate(&args.spec, args.out.as_deref(), args.check, &args.runtime)
        }
        Command::Diff(args) => {
            generate(&args.spec, args.out.as_deref(), true, &RuntimeArgs::none())
        }
        Command::New(args) => new(&args),
        Command::Bump(args) => crate::bump::command::run(&args),
        Command::Breaking(args) => crate::breaking::command::run(&args),
        Command::Explain(args) => crate::explain::run(&args),
        Command::Schema => {
            println!("{}", spec_schema());
            OK
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "mcpgen", &mut std::io::stdout());
            OK
        }
    })
}

/// The JSON Schema of the spec format, as `mcpgen schema` prints it.
pub fn spec_schema() -> String {
    let schema = schemars::schema_for!(crate::spec::raw::Spec);
    serde_json::to_string_pretty(&schema).expect("a schema serialises")
}

impl RuntimeArgs {
    fn none() -> Self {
        Self {
            runtime_path: None,
            runtime_version: None,
        }
    }

    /// Where the crate in `out` gets the runtime from.
    fn source(&self, out: &Path) -> RuntimeSource {
        if let Some(version) = &self.runtime_version {
            return RuntimeSource::Version(version.clone());
        }
        let runtime = self
            .runtime_path
            .clone()
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime"));
        match (runtime.canonicalize(), absolute(out)) {
            (Ok(runtime), Some(out)) => {
                let path = pathdiff::diff_paths(&runtime, &out).unwrap_or(runtime);
                RuntimeSource::Path(path.to_string_lossy().replace('\\', "/"))
            }
            // Not built from a checkout (or the checkout moved): use the registry.
            _ => RuntimeSource::Version(env!("CARGO_PKG_VERSION").to_owned()),
        }
    }
}

/// `out` made absolute, resolving the parts that exist.
fn absolute(out: &Path) -> Option<PathBuf> {
    let mut existing = out.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name()?.to_owned());
        existing = existing
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
    }
    let mut path = existing.canonicalize().ok()?;
    path.extend(rest.into_iter().rev());
    Some(path)
}

fn read_spec(path: &Path) -> Result<(String, String), u8> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "mcpgen.yaml".to_owned());
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((text, name)),
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", path.display());
            Err(USAGE)
        }
    }
}

fn report(diagnostics: &[Diagnostic], args: &SpecArgs) {
    if diagnostics.is_empty() && args.error_format != ErrorFormat::Json {
        return;
    }
    let rendered = diag::render(diagnostics, &args.spec.to_string_lossy(), args.error_format);
    match args.error_format {
        ErrorFormat::Text => eprint!("{rendered}"),
        // Bots read these from stdout (GitHub picks workflow commands up there).
        ErrorFormat::Json | ErrorFormat::Github => print!("{rendered}"),
    }
}

fn check(args: &SpecArgs) -> u8 {
    let (text, name) = match read_spec(&args.spec) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    match crate::compile_with(&text, &name, &args.checks()) {
        Ok(validated) => {
            report(&validated.warnings, args);
            OK
        }
        Err(diagnostics) => {
            report(&diagnostics, args);
            if diagnostics.iter().any(|d| d.severity == Severity::Error) {
                FAILED
            } else {
                OK
            }
        }
    }
}

fn generate(args: &SpecArgs, out: Option<&Path>, check_only: bool, runtime: &RuntimeArgs) -> u8 {
    let (text, name) = match read_spec(&args.spec) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| spec_dir(&args.spec));
    let options = PlanOptions {
        runtime: runtime.source(&out),
    };
    let validated = match crate::compile_with(&text, &name, &args.checks()) {
        Ok(validated) => validated,
        Err(diagnostics) => {
            report(&diagnostics, args);
            return FAILED;
        }
    };
    let plan = crate::plan::plan(&validated.ir, &options);
    report(&validated.warnings, args);
    let code = if check_only {
        check_output(&plan, &out)
    } else {
        apply(&plan, &out)
    };
    // The process ends right after this. Freeing the IR and the plan of a
    // large spec (hundreds of thousands of allocations) would keep the main
    // thread busy for tens of milliseconds; the OS takes the memory back at
    // exit anyway.
    std::mem::forget((validated, plan, text));
    code
}

/// `generate --check`: exit 1 (with a diff) when `out` differs from `plan`.
fn check_output(plan: &crate::plan::FilePlan, out: &Path) -> u8 {
    match write::check(plan, out) {
        Ok(drifts) if drifts.is_empty() => OK,
        Ok(drifts) => {
            print!("{}", write::unified_diff(&drifts));
            let _ = std::io::stdout().flush();
            eprintln!(
                "{} is stale: {} file(s) differ from the spec; run `mcpgen generate`",
                out.display(),
                drifts.len()
            );
            FAILED
        }
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", out.display());
            FAILED
        }
    }
}

fn apply(plan: &crate::plan::FilePlan, out: &Path) -> u8 {
    match write::apply(plan, out) {
        Ok(applied) => {
            summarize(&applied, out);
            OK
        }
        Err(error) => {
            eprintln!("error: nothing was changed in {}: {error}", out.display());
            FAILED
        }
    }
}

fn spec_dir(spec: &Path) -> PathBuf {
    match spec.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn summarize(applied: &write::Applied, out: &Path) {
    eprintln!(
        "{}: {} written, {} unchanged, {} pruned",
        out.display(),
        applied.written.len(),
        applied.unchanged,
        applied.pruned.len()
    );
    let new_stubs: Vec<&String> = applied
        .scaffolded
        .iter()
        .filter(|p| p.starts_with("src/handlers/") && *p != "src/handlers/mod.rs")
        .collect();
    let mod_existed = !applied
        .scaffolded
        .iter()
        .any(|p| p == "src/handlers/mod.rs");
    for stub in new_stubs.into_iter().filter(|_| mod_existed) {
        let module = Path::new(stub)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        eprintln!(
            "new handler stub {stub}: add `mod {module};` to src/handlers/mod.rs and write its body"
        );
    }
}

fn new(args: &NewArgs) -> u8 {
    if args.dir.exists()
        && std::fs::read_dir(&args.dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        eprintln!(
            "error: {} already exists and is not empty",
            args.dir.display()
        );
        return USAGE;
    }
    let name = args
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let example = examples::get(&args.example).expect("clap only accepts known examples");
    let options = PlanOptions {
        runtime: args.runtime.source(&args.dir),
    };
    let plan = match examples::instantiate(example, &name, &options) {
        Ok(plan) => plan,
        Err(diagnostics) => {
            eprint!(
                "{}",
                diag::render(&diagnostics, "mcpgen.yaml", ErrorFormat::Text)
            );
            return USAGE;
        }
    };
    match write::apply(&plan, &args.dir) {
        Ok(_) => {
            eprintln!(
                "created {} from the `{}` example",
                args.dir.display(),
                example.name
            );
            eprintln!(
                "next: cd {} && cargo run -- serve --transport stdio",
                args.dir.display()
            );
            OK
        }
        Err(error) => {
            eprintln!("error: cannot write {}: {error}", args.dir.display());
            FAILED
        }
    }
}
