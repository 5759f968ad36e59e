//! The server measurements in order, and the table rows they fill: a check
//! that both servers give the same answers, the load runs and cold starts.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, ensure};
use serde_json::Value;

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
        shape: Shape::Newest,
        label: "generated, 4.0.0 arguments",
    },
    Config {
        server: Server::HandWritten,
        shape: Shape::Newest,
        label: "hand-written, 4.0.0 arguments",
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
    /// A load run during which other processes (and the hypervisor) took
    /// more cores than this is run again.
    pub max_noise: f64,
}

/// How often a run is tried before a noisy result is kept anyway.
pub const NOISY_ATTEMPTS: usize = 3;

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
            // Every other repeat runs the configurations in reverse, so neither
            // server always goes first into a machine the previous run warmed.
            let mut order: Vec<usize> = (0..CONFIGS.len()).collect();
            if repeat % 2 == 0 {
                order.reverse();
            }
            for c in order {
                let config = CONFIGS[c];
                let outcome = quiet_load(binaries, config, transport, options, repeat).await?;
                runs[t * CONFIGS.len() + c].push(outcome);
            }
        }
    }
    for (t, transport) in [Transport::Stdio, Transport::Http].into_iter().enumerate() {
        let [generated, hand_written, migrated] = [0, 1, 2].map(|c| &runs[t * 3 + c][..]);
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

/// One load run, tried again (up to [`NOISY_ATTEMPTS`] times) while other
/// work on the machine took more than `options.max_noise` cores.
async fn quiet_load(
    binaries: &Binaries,
    config: Config,
    transport: Transport,
    options: &ServerOptions,
    repeat: usize,
) -> anyhow::Result<Outcome> {
    let mut attempt = 1;
    loop {
        let outcome = load(binaries, config, transport, &options.plan)
            .await
            .with_context(|| format!("{} load, {}", transport.name(), config.label))?;
        eprintln!(
            "{} {} (run {repeat}/{}): {} p50 {} p99 {} cpu/call {} (bench {}) peak {} \
             noise {:.2} cores",
            transport.name(),
            config.label,
            options.repeats,
            report::rate(outcome.throughput),
            report::duration(outcome.p50),
            report::duration(outcome.p99),
            report::duration(outcome.cpu_per_call),
            report::duration(outcome.client_cpu_per_call),
            report::mib(outcome.peak_rss_kib as f64),
            outcome.noise_cores,
        );
        if outcome.noise_cores <= options.max_noise || attempt == NOISY_ATTEMPTS {
            return Ok(outcome);
        }
        eprintln!(
            "  discarded: other work took more than {} cores",
            options.max_noise
        );
        attempt += 1;
    }
}

/// Every query gets the same `structuredContent` from both servers, on both
/// transports, and from the generated one in 1.0.0 arguments too (whose
/// results come back in 1.0.0's shape: `total` and `url`).
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
                .map(|a| {
                    let structured = a["structuredContent"].clone();
                    match config.shape {
                        Shape::Newest => structured,
                        Shape::V1 => v1_result_as_newest(structured),
                    }
                })
                .collect();
            ensure!(
                structured
                    .iter()
                    .all(|s| s["totalCount"].as_u64() > Some(0)),
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

/// A 1.0.0 result in the newest shape: 4.0.0 renamed `total` and each
/// result's `url`.
fn v1_result_as_newest(mut result: Value) -> Value {
    let Some(object) = result.as_object_mut() else {
        return result;
    };
    if let Some(total) = object.remove("total") {
        object.insert("totalCount".to_owned(), total);
    }
    if let Some(Value::Array(hits)) = object.get_mut("results") {
        for hit in hits.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(url) = hit.remove("url") {
                hit.insert("link".to_owned(), url);
            }
        }
    }
    result
}

fn era(transport: Transport) -> Era {
    match transport {
        Transport::Stdio => Era::Handshake,
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
    (generated, hand_written): (&[Outcome], &[Outcome]),
) {
    let name = transport.name();
    let how = match transport {
        Transport::Stdio => format!("{in_flight} pipelined on one connection"),
        Transport::Http => format!("{in_flight} concurrent clients"),
    };
    let rows: [(String, Figure, Show, Target); 5] = [
        (
            format!("{name}: calls/s, {how}"),
            |o| o.throughput,
            report::rate,
            Target::RatioAtLeast(0.9),
        ),
        (
            format!("{name}: latency p50"),
            |o| o.p50.as_secs_f64(),
            report::seconds,
            Target::None,
        ),
        (
            format!("{name}: latency p99"),
            |o| o.p99.as_secs_f64(),
            report::seconds,
            Target::None,
        ),
        (
            format!("{name}: server CPU per call"),
            |o| o.cpu_per_call.as_secs_f64(),
            report::seconds,
            Target::RatioAtMost(1.15),
        ),
        (
            format!("{name}: server peak RSS after the load"),
            |o| o.peak_rss_kib as f64,
            report::mib,
            Target::AtMost(16.0 * 1024.0, "≤ 16 MiB".to_owned()),
        ),
    ];
    for (what, figure, show, target) in rows {
        table.compare(
            &what,
            (median(generated, figure), median(hand_written, figure)),
            &ratios(generated, hand_written, figure),
            show,
            target,
        );
    }
}

fn migration_rows(
    table: &mut Table,
    transport: Transport,
    current: &[Outcome],
    migrated: &[Outcome],
) {
    let name = transport.name();
    let rows: [(&str, Figure, Show); 4] = [
        ("calls/s", |o| o.throughput, report::rate),
        ("latency p50", |o| o.p50.as_secs_f64(), report::seconds),
        ("latency p99", |o| o.p99.as_secs_f64(), report::seconds),
        (
            "server CPU per call",
            |o| o.cpu_per_call.as_secs_f64(),
            report::seconds,
        ),
    ];
    for (what, figure, show) in rows {
        table.row(
            [
                &format!(
                    "{name}, 1.0.0 call (arguments up to 4.0.0, result back to 1.0.0): {what}"
                ),
                &show(median(migrated, figure)),
                "n/a",
                &format!(
                    "{} its 4.0.0 figure",
                    report::ratio(&ratios(migrated, current, figure))
                ),
                "",
            ],
            None,
        );
    }
}

/// One figure of a run.
type Figure = fn(&Outcome) -> f64;

/// How a figure is printed.
type Show = fn(f64) -> String;

/// The median of `figure` over `runs`.
fn median(runs: &[Outcome], figure: Figure) -> f64 {
    let mut values: Vec<f64> = runs.iter().map(figure).collect();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `figure` of `a` over that of `b`, run by run. Runs of one repeat are
/// seconds apart, so their ratio is steadier on a shared machine than the
/// ratio of two medians.
fn ratios(a: &[Outcome], b: &[Outcome], figure: Figure) -> Vec<f64> {
    a.iter()
        .zip(b)
        .map(|(a, b)| figure(a) / figure(b))
        .collect()
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
