//! The cache of a remote JWK set and when it is fetched again: on a TTL, for
//! a token whose `kid` it lacks (at most once per refetch interval, one fetch
//! shared by every request waiting for it), and after a failure only after a
//! jittered exponential backoff. Tokens whose key is cached never wait for a
//! fetch, and a failed fetch never drops the keys already held.

use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::jwks::{DEFAULT_REFETCH_INTERVAL_SECONDS, DEFAULT_TTL_SECONDS, KeySet};
use super::jwks_fetch::FETCH_TIMEOUT;

/// Where a cache's key sets come from.
pub trait Fetch: Send + Sync + 'static {
    /// Fetches and parses the set once.
    fn fetch(&self) -> impl Future<Output = Result<KeySet, String>> + Send;
    /// Names the source in log lines.
    fn describe(&self) -> String;
}

/// When fetches happen.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// The least time between the end of one fetch and a fetch caused by a
    /// token of unknown `kid`: a flood of made-up `kid`s costs the issuer
    /// one request per interval.
    pub refetch_interval: Duration,
    /// How long a fetched set is used before it is fetched again, so a key
    /// the issuer removed stops working.
    pub ttl: Duration,
    /// The longest one fetch may take, whatever the fetcher does.
    pub fetch_timeout: Duration,
    /// The wait after the first failure in a row; it doubles with each
    /// further failure.
    pub backoff_initial: Duration,
    /// The longest wait between failed fetches.
    pub backoff_max: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            refetch_interval: Duration::from_secs(DEFAULT_REFETCH_INTERVAL_SECONDS),
            ttl: Duration::from_secs(DEFAULT_TTL_SECONDS),
            // A backstop one second past the HTTP client's own timeout.
            fetch_timeout: FETCH_TIMEOUT + Duration::from_secs(1),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
        }
    }
}

/// A remote key set, fetched through `F`.
pub struct KeyCache<F> {
    fetcher: F,
    policy: Policy,
    /// The set requests read. Swapped whole after a successful fetch, and
    /// read without waiting for any fetch.
    current: RwLock<Arc<KeySet>>,
    /// Held for the whole of a fetch: whoever holds it is the one fetch in
    /// flight, and the others wait for its outcome rather than fetch again.
    state: Mutex<State>,
    /// Fetches finished so far. A request that waited for [`Self::state`]
    /// and finds it moved knows a fetch ran meanwhile, and uses its result.
    fetches: AtomicU64,
    started: AtomicBool,
}

struct State {
    /// When the last fetch, good or bad, ended.
    last_attempt: Option<Instant>,
    /// When the last good fetch ended.
    last_success: Option<Instant>,
    /// Failed fetches since the last good one.
    failures: u32,
    /// After a failure, no fetch before this.
    retry_at: Option<Instant>,
    /// Jitter for the backoff, so that many servers restarted together do
    /// not retry in step.
    rng: Xoshiro256PlusPlus,
}

/// Why a fetch is attempted; named in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    Start,
    Scheduled,
    UnknownKid,
}

impl<F: Fetch> KeyCache<F> {
    /// An empty cache: nothing is fetched until [`Self::start`] or a token.
    pub fn new(fetcher: F, policy: Policy) -> Self {
        Self {
            fetcher,
            policy,
            current: RwLock::new(Arc::new(KeySet::default())),
            state: Mutex::new(State {
                last_attempt: None,
                last_success: None,
                failures: 0,
                retry_at: None,
                rng: Xoshiro256PlusPlus::seed_from_u64(RandomState::new().hash_one(0u8)),
            }),
            fetches: AtomicU64::new(0),
            started: AtomicBool::new(false),
        }
    }

    /// Fetches the set once and starts the task that refreshes it on the
    /// TTL and retries failures. A failed fetch is logged, not fatal: the
    /// server runs, refusing tokens, until a later fetch succeeds. Only the
    /// first call does anything.
    pub async fn start(self: &Arc<Self>) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        {
            let mut state = self.state.lock().await;
            self.fetch(&mut state, Reason::Start).await;
        }
        if self.current().is_empty() {
            tracing::warn!(
                source = %self.fetcher.describe(),
                "serving without the issuer's keys: every token is refused until a fetch succeeds"
            );
        }
        // The task holds the cache weakly, so dropping the cache ends it.
        tokio::spawn(refresh(Arc::downgrade(self)));
    }

    /// The keys for a token with header `kid`: the cached set, fetched again
    /// first when it lacks the key and the policy allows a fetch now.
    pub async fn keys_for(&self, kid: Option<&str>) -> Arc<KeySet> {
        let keys = self.current();
        if keys.find(kid).is_some() {
            return keys;
        }
        let seen = self.fetches.load(Ordering::SeqCst);
        let mut state = self.state.lock().await;
        if self.fetches.load(Ordering::SeqCst) == seen
            && self.unknown_kid_may_fetch(&state, Instant::now())
        {
            self.fetch(&mut state, Reason::UnknownKid).await;
        }
        drop(state);
        self.current()
    }

    fn current(&self) -> Arc<KeySet> {
        // A poisoned lock still holds a whole set: it is only ever swapped.
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Whether a token of unknown `kid` may cause a fetch at `now`: not
    /// within the refetch interval of the last fetch, nor during a backoff.
    fn unknown_kid_may_fetch(&self, state: &State, now: Instant) -> bool {
        let after_interval = state
            .last_attempt
            .is_none_or(|last| now >= last + self.policy.refetch_interval);
        let after_backoff = state.retry_at.is_none_or(|at| now >= at);
        after_interval && after_backoff
    }

    /// When the refresh task fetches next: the backoff's end after a
    /// failure, else the TTL's end.
    fn next_scheduled(&self, state: &State) -> Instant {
        match (state.retry_at, state.last_success) {
            (Some(retry_at), _) => retry_at,
            (None, Some(success)) => success + self.policy.ttl,
            (None, None) => state.last_attempt.unwrap_or_else(Instant::now),
        }
    }

    /// One fetch, its outcome recorded in `state`; the caller holds the lock.
    async fn fetch(&self, state: &mut State, reason: Reason) {
        let outcome = tokio::time::timeout(self.policy.fetch_timeout, self.fetcher.fetch())
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {:?}", self.policy.fetch_timeout)));
        let now = Instant::now();
        state.last_attempt = Some(now);
        match outcome {
            Ok(keys) => {
                tracing::info!(
                    source = %self.fetcher.describe(),
                    keys = keys.len(),
                    ?reason,
                    "fetched the JWK set"
                );
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
                state.last_success = Some(now);
                state.failures = 0;
                state.retry_at = None;
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                let wait = self.backoff(state);
                state.retry_at = Some(now + wait);
                let cached = self.current().len();
                tracing::warn!(
                    source = %self.fetcher.describe(),
                    %error,
                    ?reason,
                    failures = state.failures,
                    retry_in_ms = wait.as_millis() as u64,
                    cached_keys = cached,
                    "cannot fetch the JWK set; cached keys stay in use, tokens of other keys are refused"
                );
            }
        }
        self.fetches.fetch_add(1, Ordering::SeqCst);
    }

    /// The wait after `state.failures` failures in a row: the initial wait
    /// doubled per further failure, capped, then "equal jitter" (a random
    /// point in its upper half) so it still grows but never in step.
    fn backoff(&self, state: &mut State) -> Duration {
        let doublings = state.failures.saturating_sub(1).min(30);
        let full = self
            .policy
            .backoff_initial
            .saturating_mul(1 << doublings)
            .min(self.policy.backoff_max);
        let half = full / 2;
        let jitter = state.rng.random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }
}

/// The refresh task: sleeps until the next scheduled fetch (TTL or backoff),
/// fetches unless a request already did, and ends with the cache.
async fn refresh<F: Fetch>(cache: Weak<KeyCache<F>>) {
    loop {
        let due = {
            let Some(cache) = cache.upgrade() else { return };
            let state = cache.state.lock().await;
            cache.next_scheduled(&state)
        };
        tokio::time::sleep_until(due).await;
        let Some(cache) = cache.upgrade() else { return };
        let mut state = cache.state.lock().await;
        // A fetch for an unknown `kid` may have moved the schedule while
        // this task slept.
        if Instant::now() >= cache.next_scheduled(&state) {
            cache.fetch(&mut state, Reason::Scheduled).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;
    use std::sync::atomic::AtomicUsize;

    use jsonwebtoken::DecodingKey;

    use super::super::jwks::Key;
    use super::*;

    /// A fetcher whose answer the test sets, counting its calls, optionally
    /// taking `delay` to answer.
    #[derive(Clone, Default)]
    struct Fake {
        inner: Arc<FakeInner>,
    }

    #[derive(Default)]
    struct FakeInner {
        kids: StdMutex<Option<Vec<&'static str>>>,
        calls: AtomicUsize,
        delay: StdMutex<Duration>,
    }

    impl Fake {
        fn serve(&self, kids: &[&'static str]) {
            *self.inner.kids.lock().unwrap() = Some(kids.to_vec());
        }
        fn fail(&self) {
            *self.inner.kids.lock().unwrap() = None;
        }
        fn delay(&self, delay: Duration) {
            *self.inner.delay.lock().unwrap() = delay;
        }
        fn calls(&self) -> usize {
            self.inner.calls.load(Ordering::SeqCst)
        }
    }

    impl Fetch for Fake {
        async fn fetch(&self) -> Result<KeySet, String> {
            self.inner.calls.fetch_add(1, Ordering::SeqCst);
            let delay = *self.inner.delay.lock().unwrap();
            tokio::time::sleep(delay).await;
            let kids = self.inner.kids.lock().unwrap().clone();
            let kids = kids.ok_or_else(|| "down".to_owned())?;
            Ok(KeySet::new(
                kids.into_iter()
                    .map(|kid| Key {
                        kid: Some(kid.to_owned()),
                        key: DecodingKey::from_secret(b"unused"),
                        algorithm: None,
                    })
                    .collect(),
            ))
        }
        fn describe(&self) -> String {
            "fake".into()
        }
    }

    fn policy() -> Policy {
        Policy {
            refetch_interval: Duration::from_secs(10),
            ttl: Duration::from_secs(3600),
            fetch_timeout: Duration::from_secs(5),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
        }
    }

    async fn started(fake: &Fake) -> Arc<KeyCache<Fake>> {
        let cache = Arc::new(KeyCache::new(fake.clone(), policy()));
        cache.start().await;
        cache
    }

    fn has(keys: &Arc<KeySet>, kid: &str) -> bool {
        keys.find(Some(kid)).is_some()
    }

    #[tokio::test(start_paused = true)]
    async fn an_unknown_kid_fetches_at_most_once_per_interval() {
        let fake = Fake::default();
        fake.serve(&["a"]);
        let cache = started(&fake).await;
        assert_eq!(fake.calls(), 1);
        assert!(has(&cache.keys_for(Some("a")).await, "a"));

        // Within the interval of the start fetch: no fetch, refused.
        fake.serve(&["a", "b"]);
        assert!(!has(&cache.keys_for(Some("b")).await, "b"));
        assert_eq!(fake.calls(), 1);

        // After it: one fetch, which finds the new key.
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(has(&cache.keys_for(Some("b")).await, "b"));
        assert_eq!(fake.calls(), 2);

        // Made-up kids right after: none fetches again until the interval
        // has passed, then exactly one does.
        for kid in ["x1", "x2", "x3"] {
            assert!(!has(&cache.keys_for(Some(kid)).await, kid));
        }
        assert_eq!(fake.calls(), 2);
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(!has(&cache.keys_for(Some("x4")).await, "x4"));
        assert_eq!(fake.calls(), 2);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(!has(&cache.keys_for(Some("x5")).await, "x5"));
        assert!(!has(&cache.keys_for(Some("x6")).await, "x6"));
        assert_eq!(fake.calls(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_unknown_kids_share_one_fetch() {
        let fake = Fake::default();
        fake.serve(&["a"]);
        let cache = started(&fake).await;
        tokio::time::advance(Duration::from_secs(10)).await;
        fake.serve(&["a", "b"]);
        fake.delay(Duration::from_secs(2));
        let lookups = (0..20).map(|i| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move {
                let kid = if i % 2 == 0 { "b" } else { "unknown" };
                (kid, has(&cache.keys_for(Some(kid)).await, kid))
            })
        });
        let mut results = Vec::new();
        for lookup in lookups.collect::<Vec<_>>() {
            results.push(lookup.await.unwrap());
        }
        assert_eq!(fake.calls(), 2, "one fetch for the whole burst");
        for (kid, found) in results {
            assert_eq!(found, kid == "b", "{kid}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_fetch_never_holds_up_a_cached_kid() {
        let fake = Fake::default();
        fake.serve(&["a"]);
        let cache = started(&fake).await;
        tokio::time::advance(Duration::from_secs(10)).await;
        fake.delay(Duration::from_secs(60));
        let waiting = tokio::spawn({
            let cache = Arc::clone(&cache);
            async move { cache.keys_for(Some("new")).await }
        });
        // Let the unknown-kid lookup take the lock and start its fetch.
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(fake.calls(), 2);
        let before = Instant::now();
        assert!(has(&cache.keys_for(Some("a")).await, "a"));
        assert_eq!(Instant::now(), before, "the cached key waited for nothing");
        // The slow fetch ends at the fetch timeout, keeping the cached keys.
        let keys = waiting.await.unwrap();
        assert!(has(&keys, "a") && !has(&keys, "new"));
        assert!(Instant::now() - before < Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_fetch_keeps_the_cached_keys() {
        let fake = Fake::default();
        fake.serve(&["a"]);
        let cache = started(&fake).await;
        fake.fail();
        tokio::time::advance(Duration::from_secs(10)).await;
        let keys = cache.keys_for(Some("b")).await;
        assert_eq!(fake.calls(), 2);
        assert!(has(&keys, "a") && !has(&keys, "b"));
        assert!(has(&cache.keys_for(Some("a")).await, "a"));
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_with_growing_jittered_waits() {
        let fake = Fake::default();
        let cache = Arc::new(KeyCache::new(fake.clone(), policy()));
        let mut state = cache.state.lock().await;
        let mut waits = Vec::new();
        for failures in 1..=10 {
            state.failures = failures;
            waits.push(cache.backoff(&mut state));
        }
        drop(state);
        // Each wait lies in the upper half of its base, which doubles from
        // 1 s up to the 60 s cap: so it grows while the base doubles, and
        // stays bounded once it is capped.
        let full = |n: usize| Duration::from_secs(1 << n).min(Duration::from_secs(60));
        for (n, wait) in waits.iter().enumerate() {
            assert!(
                *wait >= full(n) / 2 && *wait <= full(n),
                "wait {}: {wait:?}",
                n + 1
            );
        }
        for n in 0..5 {
            assert!(waits[n + 1] >= waits[n], "wait {} shrank: {waits:?}", n + 2);
        }
        assert!(waits[9] <= Duration::from_secs(60));
        // Jittered: two caches do not draw the same waits.
        let other = Arc::new(KeyCache::new(fake.clone(), policy()));
        let mut state = other.state.lock().await;
        let mut others = Vec::new();
        for failures in 1..=10 {
            state.failures = failures;
            others.push(other.backoff(&mut state));
        }
        assert_ne!(waits, others);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_start_is_retried_with_backoff_never_in_a_tight_loop() {
        let fake = Fake::default();
        fake.fail();
        let cache = started(&fake).await;
        assert_eq!(fake.calls(), 1);
        assert!(cache.keys_for(Some("a")).await.is_empty());
        // The refresh task retries on its own after about 1, 2, 4, 8 s...;
        // 20 s hold at most five more attempts.
        tokio::time::sleep(Duration::from_secs(20)).await;
        let retries = fake.calls() - 1;
        assert!((3..=5).contains(&retries), "{retries} retries in 20 s");
        // Tokens during the backoff cause no fetch of their own.
        let before = fake.calls();
        for _ in 0..10 {
            assert!(cache.keys_for(Some("a")).await.is_empty());
        }
        assert_eq!(fake.calls(), before);
        // Once the issuer answers, the next retry loads the keys.
        fake.serve(&["a"]);
        tokio::time::sleep(Duration::from_secs(61)).await;
        assert!(has(&cache.keys_for(Some("a")).await, "a"));
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_cause_no_fetch_during_a_backoff() {
        let fake = Fake::default();
        fake.fail();
        let policy = Policy {
            refetch_interval: Duration::from_secs(1),
            backoff_initial: Duration::from_secs(8),
            ..policy()
        };
        let cache = Arc::new(KeyCache::new(fake.clone(), policy));
        cache.start().await;
        fake.serve(&["a"]);
        // Past the refetch interval but inside the first backoff (4–8 s).
        tokio::time::advance(Duration::from_secs(2)).await;
        for _ in 0..5 {
            assert!(cache.keys_for(Some("a")).await.is_empty());
        }
        assert_eq!(fake.calls(), 1);
        tokio::time::sleep(Duration::from_secs(7)).await;
        assert_eq!(fake.calls(), 2, "the retry after the backoff");
        assert!(has(&cache.keys_for(Some("a")).await, "a"));
    }

    #[tokio::test(start_paused = true)]
    async fn the_ttl_refreshes_the_set_and_removed_keys_stop_working() {
        let fake = Fake::default();
        fake.serve(&["a", "b"]);
        let cache = started(&fake).await;
        fake.serve(&["b"]);
        tokio::time::sleep(Duration::from_secs(3599)).await;
        assert!(has(&cache.keys_for(Some("a")).await, "a"));
        assert_eq!(fake.calls(), 1);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(fake.calls(), 2, "the TTL refresh");
        let keys = cache.keys_for(Some("b")).await;
        assert!(has(&keys, "b") && !has(&keys, "a"));
        // The next refresh is a TTL later, not sooner.
        tokio::time::sleep(Duration::from_secs(3590)).await;
        assert_eq!(fake.calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cache_that_was_never_started_fetches_for_the_first_token() {
        let fake = Fake::default();
        fake.serve(&["a"]);
        let cache = KeyCache::new(fake.clone(), policy());
        assert!(has(&cache.keys_for(Some("a")).await, "a"));
        assert!(has(&cache.keys_for(Some("a")).await, "a"));
        assert_eq!(fake.calls(), 1);
    }
}
