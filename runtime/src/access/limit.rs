//! Rate limits of capabilities: one `governor` keyed limiter per capability
//! that has a limit, keyed by tenant, principal and tool, so each principal of
//! each tenant has its own bucket per tool.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::{Policy, RuleRef};
use crate::tenant::TenantKey;

/// A bucket key: (principal, tool) within a tenant.
pub type BucketKey = TenantKey<(Arc<str>, Arc<str>)>;

/// How many checks pass between sweeps of idle buckets. Keys come only from
/// principals the policy knows, so memory is bounded anyway; the sweep keeps
/// it proportional to recently active callers.
const SWEEP_EVERY: u64 = 4096;

/// Every capability's limiter.
pub struct Limits {
    limiters: HashMap<RuleRef, DefaultKeyedRateLimiter<BucketKey>>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl Limits {
    /// A limiter for every capability of `policy` that has a rate limit.
    pub fn new(policy: &Policy) -> Self {
        let limiters = policy
            .rate_limits()
            .map(|(rule, requests, per)| (rule.clone(), RateLimiter::keyed(quota(requests, per))))
            .collect();
        Self {
            limiters,
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Whether `rule` has a rate limit (else its calls need no bucket key).
    pub fn has_limit(&self, rule: &RuleRef) -> bool {
        self.limiters.contains_key(rule)
    }

    /// Takes one call from `key`'s bucket under `rule`'s limit. `Err` holds
    /// how long to wait before the next call can pass.
    pub fn check(&self, rule: &RuleRef, key: &BucketKey) -> Result<(), Duration> {
        let Some(limiter) = self.limiters.get(rule) else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Drops buckets that are full again (indistinguishable from new ones).
    pub fn sweep(&self) {
        for limiter in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// How many buckets exist now (for tests and metrics).
    pub fn buckets(&self) -> usize {
        self.limiters.values().map(|l| l.len()).sum()
    }
}

/// `requests` per `per` as a token bucket that holds `requests` and refills
/// one every `per / requests`.
fn quota(requests: u32, per: Duration) -> Quota {
    let requests = NonZeroU32::new(requests).unwrap_or(NonZeroU32::MIN);
    let period = (per / requests.get()).max(Duration::from_nanos(1));
    Quota::with_period(period)
        .expect("the period is positive")
        .allow_burst(requests)
}
