//! `bench`: measures the generated `examples/search` server against a
//! hand-written rmcp server with the same tool (throughput, latency, CPU per
//! call, cold start, peak RSS; stdio and streamable HTTP), times `mcpgen
//! generate` on large synthetic specs, and prints one markdown table.
//!
//! Build everything in release first:
//! `cargo build --release -p search -p mcpgen -p mcpgen-bench && target/release/bench`.
//! Method and results: `docs/performance.md`.

mod child;
mod codegen;
mod cold;
mod generator;
mod http;
mod load;
mod procfs;
mod report;
mod rpc;
mod stdio;
mod subject;
mod suite;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::load::Plan;
use crate::report::Table;
use crate::subject::Binaries;
use crate::suite::ServerOptions;

/// Measures the generated `search` server against a hand-written one, and
/// times `mcpgen generate`; prints a markdown table on stdout and progress on
/// stderr.
#[derive(Parser)]
#[command(name = "bench")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    options: Options,
}

#[derive(Subcommand)]
enum Command {
    /// Writes the synthetic spec the generator timings use (for profiling).
    WriteSpec {
        /// Tools in the spec, each with 3 versions.
        #[arg(long, default_value_t = 1_000)]
        tools: usize,
        /// Where to write it.
        path: PathBuf,
    },
    /// Runs a command and prints its wall time (ns) and peak RSS (KiB); used
    /// by the bench itself.
    #[command(hide = true)]
    MeasureChild {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        command: Vec<OsString>,
    },
}

#[derive(Args)]
struct Options {
    /// Requests in flight: pipelined on stdio, concurrent clients on HTTP.
    #[arg(long, default_value_t = 16)]
    in_flight: usize,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Seconds of measured load per run.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Load runs per server, transport and argument shape (medians are shown).
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Cold starts per server and transport.
    #[arg(long, default_value_t = 20)]
    cold_runs: usize,
    /// Spec sizes to time `mcpgen generate` on, in tools of 3 versions each;
    /// growth is measured against the first. The middle size still gives a
    /// growth figure when the largest cannot be generated.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000, 2_500, 10_000])]
    codegen_sizes: Vec<usize>,
    /// Timed `mcpgen generate` runs of the first size (half as many of the
    /// others).
    #[arg(long, default_value_t = 5)]
    codegen_runs: usize,
    /// Where the generator timings write specs and output. The default,
    /// /dev/shm (tmpfs), keeps filesystem effects out: on ext4, creating
    /// thousands of files shortly after deleting as many cost up to a second
    /// of system time per run in trials.
    #[arg(long, default_value = "/dev/shm")]
    codegen_dir: PathBuf,
    /// Re-run (up to 3 tries) a load or generator run during which other
    /// processes and the hypervisor took more than this many cores.
    #[arg(long, default_value_t = 0.25)]
    max_noise: f64,
    /// Skip the server measurements.
    #[arg(long)]
    skip_servers: bool,
    /// Skip the generator timings.
    #[arg(long)]
    skip_codegen: bool,
    /// Where the release binaries are (default: next to this one).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::MeasureChild { command }) => return child::wrapper_main(command),
        Some(Command::WriteSpec { tools, path }) => {
            return match std::fs::write(path, codegen::synthetic_spec(*tools)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: cannot write {}: {error}", path.display());
                    ExitCode::FAILURE
                }
            };
        }
        None => {}
    }
    match run(&cli.options) {
        Ok(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> anyhow::Result<String> {
    anyhow::ensure!(
        options.in_flight > 0 && options.repeats > 0 && options.cold_runs > 0,
        "--in-flight, --repeats and --cold-runs must be at least 1"
    );
    let bin_dir = match &options.bin_dir {
        Some(dir) => dir.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("the bench binary has no directory")?
            .to_path_buf(),
    };
    let binaries = Binaries::in_dir(&bin_dir)?;
    eprintln!("machine: {}", procfs::machine_notes());
    let mut table = Table::default();
    if !options.skip_servers {
        let server_options = ServerOptions {
            plan: Plan {
                in_flight: options.in_flight,
                warmup: Duration::from_secs_f64(options.warmup),
                duration: Duration::from_secs_f64(options.duration),
            },
            repeats: options.repeats,
            cold_runs: options.cold_runs,
            max_noise: options.max_noise,
        };
        // One client thread: the load generator never takes more than one of
        // the cores it shares with the server.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(suite::servers(&binaries, &server_options, &mut table))?;
    }
    if !options.skip_codegen && !options.codegen_sizes.is_empty() {
        let generator_options = generator::Options {
            sizes: options.codegen_sizes.clone(),
            runs: options.codegen_runs.max(1),
            work_dir: Some(options.codegen_dir.clone()).filter(|dir| dir.is_dir()),
            max_noise: options.max_noise,
        };
        eprintln!(
            "generator timings under {}",
            generator_options
                .work_dir
                .as_deref()
                .map_or_else(std::env::temp_dir, Path::to_path_buf)
                .display()
        );
        generator::rows(&binaries, &generator_options, &mut table)?;
    }
    eprintln!("load average at the end: {}", procfs::load_average());
    Ok(table.render())
}
