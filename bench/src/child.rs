//! Wall time and peak RSS of a command run to completion. The peak comes from
//! `getrusage(RUSAGE_CHILDREN)`, which covers every child a process has
//! waited for, so the bench re-runs itself as a wrapper that waits for exactly
//! one: `bench measure-child -- PROGRAM ARGS…`.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeVal;

use crate::procfs;

/// What one run of a command cost.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    /// From spawn to exit.
    pub wall: Duration,
    /// User plus system CPU time, all threads.
    pub cpu: Duration,
    /// Peak resident set, in KiB.
    pub peak_rss_kib: u64,
    /// Cores' worth of CPU that the rest of the machine (and the
    /// hypervisor) took meanwhile: noise.
    pub noise_cores: f64,
}

/// Runs `program` with `args` through the wrapper; fails with its stderr when
/// it fails.
pub fn measure(program: &Path, args: &[OsString]) -> anyhow::Result<Usage> {
    let (busy_before, _) = procfs::machine_cpu_seconds()?;
    let output = Command::new(std::env::current_exe()?)
        .arg("measure-child")
        .arg("--")
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("cannot run the measuring wrapper")?;
    let (busy_after, _) = procfs::machine_cpu_seconds()?;
    if !output.status.success() {
        bail!(
            "`{} {}` failed: {}",
            program.display(),
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<u64> = stdout
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("the measuring wrapper printed `{stdout}`"))?;
    match fields[..] {
        [wall_ns, cpu_us, peak_rss_kib] => {
            let wall = Duration::from_nanos(wall_ns);
            let cpu = Duration::from_micros(cpu_us);
            // The wrapper's own few milliseconds count as noise too.
            let others = (busy_after - busy_before - cpu.as_secs_f64()).max(0.0);
            Ok(Usage {
                wall,
                cpu,
                peak_rss_kib,
                noise_cores: others / wall.as_secs_f64(),
            })
        }
        _ => bail!("the measuring wrapper printed `{stdout}`"),
    }
}

/// The wrapper: runs `command`, its stdout discarded and its stderr passed
/// through, then prints `WALL_NS CPU_US PEAK_RSS_KIB`.
pub fn wrapper_main(command: &[OsString]) -> ExitCode {
    let Some((program, args)) = command.split_first() else {
        eprintln!("measure-child needs a command");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .status();
    let wall = started.elapsed();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("{} exited with {status}", program.to_string_lossy());
            return ExitCode::FAILURE;
        }
        Err(error) => {
            eprintln!("cannot run {}: {error}", program.to_string_lossy());
            return ExitCode::FAILURE;
        }
    }
    match getrusage(UsageWho::RUSAGE_CHILDREN) {
        // Linux reports ru_maxrss in KiB.
        Ok(usage) => {
            let micros = |t: TimeVal| t.tv_sec() as u64 * 1_000_000 + t.tv_usec() as u64;
            let cpu =
                Duration::from_micros(micros(usage.user_time()) + micros(usage.system_time()));
            println!(
                "{} {} {}",
                wall.as_nanos(),
                cpu.as_micros(),
                usage.max_rss()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("getrusage: {error}");
            ExitCode::FAILURE
        }
    }
}
