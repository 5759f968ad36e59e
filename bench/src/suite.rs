//! The measurements in order, and the table rows they fill: a check that
//! both servers give the same answers, the load runs, cold starts, and the
//! generator timings.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, ensure};
use serde_json::Value;

use crate::codegen;
use crate::http::{self, Client};
use crate::load::{Outcome, Plan};
use crate::report::{self, Table, Target};
use crate::rpc::{self, Calls, Era, Shape};
use crate::subject::{Binaries, HttpServer, Server, StdioServer};
use crate::{cold, stdio};

/// A load configuration: which server, which argument shape.
#[derive(Clone, Copy)]
struct Config {
    server: Server,
    shape: Shape,
    label: &'static str,
}

const CONFIGS: [Config; 3] = [
    Config {
        server: Server::Generated,
        shape: Shape::V3,
        label: "generated, 3.0.0 arguments",
    },
    Config {
        server: Server::HandWritten,
        shape: Shape::V3,
        label: "hand-written, 3.0.0 arguments",
    },
    Config {
        server: Server::Generated,
        shape: Shape::V1,
        label: "generated, 1.0.0 arguments",
    },
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    Stdio,
    Http,
}

impl Transport {
    fn name(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "HTTP",
        }
    }
}

/// Knobs of the server measurements.
pub struct ServerOptions {
    /// The load shape.
    pub plan: Plan,
    /// Load runs per configuration; figures are medians.
    pub repeats: usize,
    /// Cold starts per server and transport.
    pub cold_runs: usize,
}

/// Loads and cold-starts both servers and adds their rows.
pub async fn servers(
    binaries: &Binaries,
    options: &ServerOptions,
    table: &mut Table,
) -> anyhow::Result<()> {
    check_same_answers(binaries).await?;
    let mut runs: Vec<Vec<Outcome>> = vec![Vec::new(); 2 * CONFIGS.len()];
    for repeat in 1..=options.repeats {
        for (t, transport) in [Transport::Stdio, Transport::Http].into_iter().enumerate() {
            for (c, config) in CONFIGS.iter().enumerate() {
                let outcome = load(binaries, *config, transport, &options.plan)
                    .await
                    .with_context(|| format!("{} load, {}", transport.name(), config.label))?;
                eprintln!(
                    "{} {} (run {repeat}/{}): {} p50 {} p99 {} cpu/call {} peak {}",
                    transport.name(),
                    config.label,
                    options.repeats,
                    report::rate(outcome.throughput),
                    report::duration(outcome.p50),
                    report::duration(outcome.p99),
                    report::duration(outcome.cpu_per_call),
                    report::mib(outcome.peak_rss_kib as f64),
                );
                runs[t * CONFIGS.len() + c].push(outcome);
            }
        }
    }
    let medians: Vec<Outcome> = runs.iter().map(|r| Outcome::median(r)).collect();
    for (t, transport) in [Transport::Stdio, Transport::Http].into_iter().enumerate() {
        let [generated, hand_written, migrated] = [0, 1, 2].map(|c| medians[t * 3 + c]);
        load_rows(
            table,
            transport,
            options.plan.in_flight,
            (generated, hand_written),
        );
        migration_rows(table, transport, generated, migrated);
    }
    cold_rows(binaries, options.cold_runs, table).await
}

/// Every query gets the same `structuredContent` from both servers, on both
/// transports, and from the generated one in 1.0.0 arguments too.
async fn check_same_answers(binaries: &Binaries) -> anyhow::Result<()> {
    let count = rpc::queries().len() as u64;
    let mut expected: Option<Vec<Value>> = None;
    for config in CONFIGS {
        for transport in [Transport::Stdio, Transport::Http] {
            let calls = Calls::new(config.shape, era(transport));
            let mut answers = Vec::new();
            match transport {
                Transport::Stdio => {
                    let mut server = StdioServer::spawn(binaries, config.server)?;
                    stdio::handshake(&mut server).await?;
                    for id in 0..count {
                        answers.push(stdio::call(&mut server, &calls.request(id)).await?);
                    }
                    server.stop().await?;
                }
                Transport::Http => {
                    let server = HttpServer::spawn(binaries, config.server).await?;
                    let mut client = Client::connect(server.addr).await?;
                    for id in 0..count {
                        answers.push(client.call("search", calls.request(id)).await?);
                    }
                    server.stop().await?;
                }
            }
            let structured: Vec<Value> = answers
                .iter()
                .map(|a| a["structuredContent"].clone())
                .collect();
            ensure!(
                structured.iter().all(|s| s["total"].as_u64() > Some(0)),
                "{}, {}: a query matched nothing, so it measures nothing: {structured:?}",
                transport.name(),
                config.label
            );
            match &expected {
                None => expected = Some(structured),
                Some(expected) => ensure!(
                    *expected == structured,
                    "{}, {} answers differently: {structured:?} instead of {expected:?}",
                    transport.name(),
                    config.label
                ),
            }
        }
    }
    eprintln!("both servers give the same results on both transports");
    Ok(())
}

fn era(transport: Transport) -> Era {
    match transport {
        Transport::Stdio => Era::Session,
        Transport::Http => Era::Stateless,
    }
}

async fn load(
    binaries: &Binaries,
    config: Config,
    transport: Transport,
    plan: &Plan,
) -> anyhow::Result<Outcome> {
    let calls = Calls::new(config.shape, era(transport));
    match transport {
        Transport::Stdio => {
            let mut server = StdioServer::spawn(binaries, config.server)?;
            stdio::handshake(&mut server).await?;
            let outcome = stdio::run(&mut server, &calls, plan).await?;
            server.stop().await?;
            Ok(outcome)
        }
        Transport::Http => {
            let server = HttpServer::spawn(binaries, config.server).await?;
            let outcome = http::run(server.addr, server.pid, Arc::new(calls), plan).await?;
            server.stop().await?;
            Ok(outcome)
        }
    }
}

fn load_rows(
    table: &mut Table,
    transport: Transport,
    in_flight: usize,
    (generated, hand_written): (Outcome, Outcome),
) {
    let name = transport.name();
    let how = match transport {
        Transport::Stdio => format!("{in_flight} pipelined on one session"),
        Transport::Http => format!("{in_flight} concurrent clients"),
    };
    let pair = |f: fn(&Outcome) -> f64| (f(&generated), f(&hand_written));
    table.compare(
        &format!("{name}: calls/s, {how}"),
        pair(|o| o.throughput),
        report::rate,
        Target::RatioAtLeast(0.9),
    );
    table.compare(
        &format!("{name}: latency p50"),
        pair(|o| o.p50.as_secs_f64()),
        report::seconds,
        Target::None,
    );
    table.compare(
        &format!("{name}: latency p99"),
        pair(|o| o.p99.as_secs_f64()),
        report::seconds,
        Target::None,
    );
    table.compare(
        &format!("{name}: server CPU per call"),
        pair(|o| o.cpu_per_call.as_secs_f64()),
        report::seconds,
        Target::RatioAtMost(1.15),
    );
    table.compare(
        &format!("{name}: server peak RSS after the load"),
        pair(|o| o.peak_rss_kib as f64),
        report::mib,
        Target::AtMost(16.0 * 1024.0, "≤ 16 MiB".to_owned()),
    );
}

fn migration_rows(table: &mut Table, transport: Transport, current: Outcome, migrated: Outcome) {
    let name = transport.name();
    let rows: [(&str, String, f64); 4] = [
        (
            "calls/s",
            report::rate(migrated.throughput),
            migrated.throughput / current.throughput,
        ),
        (
            "latency p50",
            report::duration(migrated.p50),
            migrated.p50.as_secs_f64() / current.p50.as_secs_f64(),
        ),
        (
            "latency p99",
            report::duration(migrated.p99),
            migrated.p99.as_secs_f64() / current.p99.as_secs_f64(),
        ),
        (
            "server CPU per call",
            report::duration(migrated.cpu_per_call),
            migrated.cpu_per_call.as_secs_f64() / current.cpu_per_call.as_secs_f64(),
        ),
    ];
    for (what, value, ratio) in rows {
        table.row(
            [
                &format!("{name}, 1.0.0 arguments migrated to 3.0.0: {what}"),
                &value,
                "n/a",
                &format!("{ratio:.2}× its 3.0.0 figure"),
                "",
            ],
            None,
        );
    }
}

async fn cold_rows(binaries: &Binaries, runs: usize, table: &mut Table) -> anyhow::Result<()> {
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for _ in 0..runs {
        for (s, server) in [Server::Generated, Server::HandWritten]
            .into_iter()
            .enumerate()
        {
            samples[s].push(cold::stdio(binaries, server).await?);
            samples[2 + s].push(cold::http(binaries, server).await?);
        }
    }
    let [stdio_gen, stdio_hand, http_gen, http_hand] = samples.map(cold::spread);
    let rows = [
        (
            "stdio",
            "spawn → `initialize` result",
            stdio_gen,
            stdio_hand,
        ),
        (
            "HTTP",
            "spawn → stateless `tools/list` result",
            http_gen,
            http_hand,
        ),
    ];
    for (name, what, generated, hand_written) in rows {
        let show = |(median, min, max): (Duration, Duration, Duration)| {
            format!(
                "{} ({}–{})",
                report::duration(median),
                report::duration(min),
                report::duration(max)
            )
        };
        table.row(
            [
                &format!("{name}: cold start, {what} (median of {runs}, range)"),
                &show(generated),
                &show(hand_written),
                &format!(
                    "{:.2}×",
                    generated.0.as_secs_f64() / hand_written.0.as_secs_f64()
                ),
                "≤ 10 ms",
            ],
            Some(generated.0 <= Duration::from_millis(10)),
        );
    }
    Ok(())
}

/// Times the generator on each size in `sizes` (tools × 3 versions) and adds
/// their rows; growth is measured against the first size.
pub fn generator(
    binaries: &Binaries,
    sizes: &[usize],
    runs: usize,
    table: &mut Table,
) -> anyhow::Result<()> {
    let mut base: Option<(usize, Duration)> = None;
    for (i, &tools) in sizes.iter().enumerate() {
        // Larger specs take proportionally longer; fewer runs keep the bench short.
        let runs = if i == 0 { runs } else { (runs / 2).max(1) };
        let timing = codegen::time_generate(&binaries.mcpgen, tools, runs)?;
        let size = format!("{} tools × 3 versions", report::thousands(tools as u64));
        let spec_mb = timing.spec_bytes as f64 / 1e6;
        let figures = match timing.result {
            Ok(figures) => figures,
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
                continue;
            }
        };
        eprintln!(
            "generate {tools} × 3: {} (range {}–{}), peak {}",
            report::duration(figures.wall),
            report::duration(figures.wall_range.0),
            report::duration(figures.wall_range.1),
            report::mib(figures.peak_rss_kib as f64)
        );
        let (ratio, target, met) = match base {
            None => {
                base = Some((tools, figures.wall));
                let target = Duration::from_secs(tools.div_ceil(1_000) as u64);
                (
                    String::new(),
                    format!("≤ {}", report::duration(target)),
                    figures.wall <= target,
                )
            }
            Some((base_tools, base_wall)) => {
                let growth = figures.wall.as_secs_f64() / base_wall.as_secs_f64();
                let linear = tools as f64 / base_tools as f64;
                (
                    format!(
                        "{growth:.2}× the {}-tool time",
                        report::thousands(base_tools as u64)
                    ),
                    format!("≈ {linear}× (linear), ≤ {:.2}×", linear * 1.1),
                    growth <= linear * 1.1,
                )
            }
        };
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
    Ok(())
}
