//! What a load run is (how many requests in flight, warm-up, measured
//! window) and what it yields: throughput, latency percentiles, server CPU
//! per call and peak RSS.

use std::time::{Duration, Instant};

use crate::procfs;

/// How to load a server.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Requests outstanding at any time.
    pub in_flight: usize,
    /// Load before the measured window, not counted.
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
}

/// The measured window of a run, fixed when the load starts.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Counting begins.
    pub measure_from: Instant,
    /// Counting and sending end.
    pub end: Instant,
}

impl Window {
    /// The window of `plan`, starting now.
    pub fn starting_now(plan: &Plan) -> Self {
        let measure_from = Instant::now() + plan.warmup;
        Self {
            measure_from,
            end: measure_from + plan.duration,
        }
    }

    /// The CPU time the server `pid` and the bench itself spend between the
    /// start and the end of counting. Sampled on timers rather than per
    /// reply: reading `/proc` costs the client as much as a few replies.
    pub async fn cpu(&self, pid: u32) -> anyhow::Result<Cpu> {
        let me = std::process::id();
        let sample = || -> anyhow::Result<[f64; 4]> {
            let (busy, steal) = procfs::machine_cpu_seconds()?;
            Ok([
                procfs::cpu_seconds(pid)?,
                procfs::cpu_seconds(me)?,
                busy,
                steal,
            ])
        };
        tokio::time::sleep_until(self.measure_from.into()).await;
        let before = sample()?;
        tokio::time::sleep_until(self.end.into()).await;
        let after = sample()?;
        let [server, client, busy, steal] = [0, 1, 2, 3].map(|i| after[i] - before[i]);
        Ok(Cpu {
            server,
            client,
            others: (busy - steal - server - client).max(0.0),
            steal,
        })
    }

    /// Whether a reply that arrived at `at` counts.
    pub fn counts(&self, at: Instant) -> bool {
        at >= self.measure_from && at <= self.end
    }
}

/// CPU seconds spent in the measured window.
#[derive(Clone, Copy, Debug)]
pub struct Cpu {
    /// By the server under test.
    pub server: f64,
    /// By the bench, which shares the cores with it.
    pub client: f64,
    /// By everything else on the machine: noise.
    pub others: f64,
    /// Taken by the hypervisor: noise too.
    pub steal: f64,
}

/// Latencies of the replies that arrived in the measured window.
#[derive(Default)]
pub struct Latencies {
    micros: Vec<u32>,
}

impl Latencies {
    /// Records one reply.
    pub fn record(&mut self, latency: Duration) {
        self.micros
            .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
    }

    /// Adds another client's records.
    pub fn merge(&mut self, other: Latencies) {
        self.micros.extend(other.micros);
    }

    /// How many replies were recorded.
    pub fn count(&self) -> u64 {
        self.micros.len() as u64
    }

    /// The `q` quantile (0–1), nearest rank. Every sample is kept, so this is
    /// exact.
    pub fn quantile(&mut self, q: f64) -> Duration {
        if self.micros.is_empty() {
            return Duration::ZERO;
        }
        self.micros.sort_unstable();
        let rank = ((q * self.micros.len() as f64).ceil() as usize).clamp(1, self.micros.len());
        Duration::from_micros(u64::from(self.micros[rank - 1]))
    }
}

/// The outcome of one run.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// Replies per second in the window.
    pub throughput: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
    /// Server CPU time (user + system) per reply in the window.
    pub cpu_per_call: Duration,
    /// The bench's own CPU time per reply, for judging how much of the
    /// machine the load generator took.
    pub client_cpu_per_call: Duration,
    /// Cores' worth of CPU that other processes and the hypervisor took
    /// during the window.
    pub noise_cores: f64,
    /// The server's peak RSS after the load, in KiB.
    pub peak_rss_kib: u64,
}

impl Outcome {
    /// Summarises a run.
    pub fn new(
        plan: &Plan,
        mut latencies: Latencies,
        cpu: Cpu,
        peak_rss_kib: u64,
    ) -> anyhow::Result<Self> {
        let calls = latencies.count();
        anyhow::ensure!(calls > 0, "no reply arrived in the measured window");
        Ok(Self {
            throughput: calls as f64 / plan.duration.as_secs_f64(),
            p50: latencies.quantile(0.50),
            p99: latencies.quantile(0.99),
            cpu_per_call: Duration::from_secs_f64(cpu.server / calls as f64),
            client_cpu_per_call: Duration::from_secs_f64(cpu.client / calls as f64),
            noise_cores: (cpu.others + cpu.steal) / plan.duration.as_secs_f64(),
            peak_rss_kib,
        })
    }
}
