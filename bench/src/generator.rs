//! The generator timings' rows: each spec size's wall time, CPU time, peak
//! RSS and output, and its growth against the first size.

use std::path::PathBuf;
use std::time::Duration;

use crate::codegen;
use crate::report::{self, Table};
use crate::subject::Binaries;

/// Knobs of the generator timings.
pub struct Options {
    /// Spec sizes in tools (3 versions each); growth is against the first.
    pub sizes: Vec<usize>,
    /// Timed runs of the first size; later sizes get half as many.
    pub runs: usize,
    /// Where specs and output go (the system temporary directory if `None`).
    pub work_dir: Option<PathBuf>,
    /// A timed run during which other processes took more cores than this
    /// is run again.
    pub max_noise: f64,
}

/// Times the generator on each size in `options.sizes` (tools × 3
/// versions) and adds their rows; growth is measured against the first size.
pub fn rows(binaries: &Binaries, options: &Options, table: &mut Table) -> anyhow::Result<()> {
    let mut base: Option<usize> = None;
    // The machine's speed drifts over the minutes the larger sizes take,
    // so growth compares each run of a larger size with a run of the first
    // size made just before it, not with the first size's own runs.
    let mut base_spec: Option<codegen::Prepared> = None;
    let work = options.work_dir.as_deref();
    for (i, &tools) in options.sizes.iter().enumerate() {
        // Larger specs take proportionally longer; fewer runs keep the bench short.
        let runs = if i == 0 {
            options.runs
        } else {
            options.runs.div_ceil(2)
        };
        let mut paired_base = Vec::new();
        let timing = codegen::time_generate(
            &binaries.mcpgen,
            tools,
            runs,
            work,
            options.max_noise,
            || {
                if let Some(spec) = base_spec.as_mut() {
                    paired_base.push(spec.timed(options.max_noise)?.wall);
                }
                Ok(())
            },
        )?;
        let size = format!("{} tools × 3 versions", report::thousands(tools as u64));
        let spec_mb = timing.spec_bytes as f64 / 1e6;
        match timing.result {
            Ok(figures) => {
                eprintln!(
                    "generate {tools} × 3: {} (range {}–{}), cpu {}, peak {}, noise up to {:.2} cores",
                    report::duration(figures.wall),
                    report::duration(figures.wall_range.0),
                    report::duration(figures.wall_range.1),
                    report::duration(figures.cpu),
                    report::mib(figures.peak_rss_kib as f64),
                    figures.noise_cores
                );
                let base_tools = *base.get_or_insert(tools);
                if base_spec.is_none() {
                    base_spec = Some(codegen::Prepared::new(&binaries.mcpgen, tools, work)?);
                }
                size_rows(
                    table,
                    &size,
                    spec_mb,
                    &figures,
                    growth(tools, &figures, base_tools, &paired_base),
                );
            }
            Err(reason) => {
                eprintln!("generate {tools} × 3: {reason}");
                table.row(
                    [
                        &format!("`mcpgen generate`, {size}"),
                        &format!("{reason} ({spec_mb:.1} MB spec)"),
                        "n/a",
                        "",
                        "generates",
                    ],
                    Some(false),
                );
            }
        }
    }
    Ok(())
}

/// The wall-time row's ratio text, target text and verdict: ≤ 1 s per 1,000
/// tools for the first size, at most 10 % above linear growth for the rest,
/// as the median over runs of each run against the first-size run just
/// before it (`paired_base`).
fn growth(
    tools: usize,
    figures: &codegen::Figures,
    base_tools: usize,
    paired_base: &[Duration],
) -> (String, String, bool) {
    if tools == base_tools {
        let target = Duration::from_secs(tools.div_ceil(1_000) as u64);
        return (
            String::new(),
            format!("≤ {}", report::duration(target)),
            figures.wall <= target,
        );
    }
    let mut ratios: Vec<f64> = figures
        .walls
        .iter()
        .zip(paired_base)
        .map(|(wall, base)| wall.as_secs_f64() / base.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let growth = ratios[ratios.len() / 2];
    let linear = tools as f64 / base_tools as f64;
    (
        format!(
            "{growth:.2}× the {}-tool time (median of {} paired runs, {:.2}–{:.2}×)",
            report::thousands(base_tools as u64),
            ratios.len(),
            ratios[0],
            ratios[ratios.len() - 1]
        ),
        format!("≈ {linear}× (linear), ≤ {:.2}×", linear * 1.1),
        growth <= linear * 1.1,
    )
}

fn size_rows(
    table: &mut Table,
    size: &str,
    spec_mb: f64,
    figures: &codegen::Figures,
    (ratio, target, met): (String, String, bool),
) {
    table.row(
        [
            &format!(
                "`mcpgen generate`, {size}: wall (median of {}, range)",
                figures.runs
            ),
            &format!(
                "{} ({}–{})",
                report::duration(figures.wall),
                report::duration(figures.wall_range.0),
                report::duration(figures.wall_range.1)
            ),
            "n/a",
            &ratio,
            &target,
        ],
        Some(met),
    );
    table.row(
        [
            &format!("`mcpgen generate`, {size}: CPU time, user + system (median)"),
            &report::duration(figures.cpu),
            "n/a",
            &format!(
                "{:.2} cores busy on average",
                figures.cpu.as_secs_f64() / figures.wall.as_secs_f64()
            ),
            "",
        ],
        None,
    );
    table.row(
        [
            &format!("`mcpgen generate`, {size}: peak RSS"),
            &report::mib(figures.peak_rss_kib as f64),
            "n/a",
            "",
            "",
        ],
        None,
    );
    table.row(
        [
            &format!("`mcpgen generate`, {size}: spec in, crate out"),
            &format!(
                "{spec_mb:.1} MB of YAML → {} files, {} lines of Rust",
                report::thousands(figures.files as u64),
                report::thousands(figures.rust_lines as u64)
            ),
            "n/a",
            &format!(
                "{:.1} µs per line of Rust",
                figures.wall.as_secs_f64() * 1e6 / figures.rust_lines as f64
            ),
            "",
        ],
        None,
    );
}
