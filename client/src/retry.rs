//! When and how long to wait before retrying a failed call.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::time::Duration;
use std::time::SystemTime;

use super::ClientError;

/// How the client waits between attempts: `tokio::time::sleep` by default; tests put in a
/// clock of their own so no test really sleeps.
pub type Sleep = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Retries on connection errors, 429 and 5xx: exponential backoff with jitter, or as long as
/// `Retry-After` / `Burst-RateLimit-Reset` / `RateLimit-Reset` say (plus a little jitter).
///
/// A call that would take effect twice if it ran twice (rotating the signing keys; a publish,
/// enqueue or batch without a deduplication id; retrying DLQ messages; a schedule without an
/// id) is retried only when QStash cannot have acted on it: the connection never opened, or
/// QStash answered 429. After a 5xx or a lost answer it is returned as it is, since the call
/// may have succeeded (see [`may_retry`]).
#[derive(Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 5; 0 = off).
    pub max_retries: u32,
    /// The first backoff (default 100 ms); doubled on every further retry.
    pub base_delay: Duration,
    /// The longest backoff, and the longest wait for a rate limit to reset: a limit that
    /// resets later is returned as [`ClientError::RateLimited`] at once (default 30 s).
    pub max_delay: Duration,
    /// Randomise each backoff within its upper half, so clients that failed together do
    /// not retry together (default on).
    pub jitter: bool,
    /// How to wait.
    pub sleep: Sleep,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .finish_non_exhaustive()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(30),
            jitter: true,
            sleep: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
        }
    }
}

impl RetryPolicy {
    /// No retries: every failure is returned at once.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..Self::default() }
    }

    /// How long to wait before retry number `attempt` (0-based) after `error`, or `None`
    /// when a rate limit resets later than `max_delay` (waiting would only block the caller).
    /// A wait until a reset gets up to a tenth more (at most a second), so the clients that
    /// hit one limit together do not all return in the same instant.
    pub fn delay(&self, attempt: u32, error: &ClientError, now: SystemTime) -> Option<Duration> {
        if let ClientError::RateLimited(limit) = error {
            if let Some(reset) = limit.reset {
                let wait = reset.duration_since(now).unwrap_or(Duration::ZERO);
                if wait > self.max_delay {
                    return None;
                }
                let spread = (wait / 10).clamp(Duration::from_millis(50), Duration::from_secs(1));
                return Some(if self.jitter { wait + spread.mul_f64(random_fraction()) } else { wait });
            }
        }
        let exponential =
            self.base_delay.saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX));
        let capped = exponential.min(self.max_delay);
        Some(if self.jitter { jittered(capped) } else { capped })
    }

    pub(crate) async fn sleep(&self, delay: Duration) {
        (self.sleep)(delay).await;
    }
}

/// Whether a call that failed with `error` may be sent again. `idempotent`: running the call
/// twice has the effect of running it once.
pub fn may_retry(error: &ClientError, idempotent: bool) -> bool {
    match error {
        // QStash refused it without acting on it, or it never left.
        ClientError::RateLimited(_) | ClientError::Connect(_) => true,
        // It may have been carried out.
        ClientError::Transport(_) => idempotent,
        ClientError::Api { status, .. } => *status >= 500 && idempotent,
        _ => false,
    }
}

/// A random number in `[0, 1]`.
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 4];
    let random = match getrandom::fill(&mut bytes) {
        Ok(()) => u32::from_le_bytes(bytes),
        Err(_) => u32::MAX / 2,
    };
    f64::from(random) / f64::from(u32::MAX)
}

/// A random duration in `[d/2, d]`.
fn jittered(d: Duration) -> Duration {
    let half = d / 2;
    half + half.mul_f64(random_fraction())
}

/// `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<SystemTime> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return now.checked_add(Duration::from_secs(seconds));
    }
    httpdate::parse_http_date(value).ok()
}

/// A `*-RateLimit-Reset` value: QStash sends a unix time (seconds, or milliseconds when it is
/// that large); small values are read as seconds from now. A value no clock can hold (`1e30`)
/// is no reset at all: the rate limit is reported without one.
pub(crate) fn reset_time(value: &str, now: SystemTime) -> Option<SystemTime> {
    let number: f64 = value.trim().parse().ok().filter(|n: &f64| n.is_finite() && *n >= 0.0)?;
    let epoch = SystemTime::UNIX_EPOCH;
    let seconds = |s: f64| Duration::try_from_secs_f64(s).ok();
    if number >= 1e12 {
        epoch.checked_add(seconds(number / 1000.0)?)
    } else if number >= 1e9 {
        epoch.checked_add(seconds(number)?)
    } else {
        now.checked_add(seconds(number)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RateLimit;

    fn fixed() -> RetryPolicy {
        RetryPolicy { jitter: false, ..RetryPolicy::default() }
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let e = ClientError::Transport("reset".into());
        let now = SystemTime::now();
        let delays: alloc::vec::Vec<_> =
            (0..10).map(|a| fixed().delay(a, &e, now).unwrap().as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000]);
    }

    #[test]
    fn jitter_stays_within_the_upper_half() {
        let e = ClientError::Api { status: 503, message: "busy".into() };
        for _ in 0..100 {
            let d = RetryPolicy::default().delay(2, &e, SystemTime::now()).unwrap();
            assert!(d >= Duration::from_millis(200) && d <= Duration::from_millis(400), "{d:?}");
        }
    }

    #[test]
    fn resets_no_clock_can_hold_are_no_reset_never_a_panic() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
        for value in ["1e30", "1e300", "1.7976931348623157e308", "18446744073709551616000000"] {
            assert_eq!(reset_time(value, now), None, "{value}");
        }
        for value in ["NaN", "inf", "-1", "soon", ""] {
            assert_eq!(reset_time(value, now), None, "{value}");
        }
        assert_eq!(reset_time("1750000002", now), Some(now + Duration::from_secs(2)));
        assert_eq!(reset_time("1750000002000", now), Some(now + Duration::from_secs(2)));
        assert_eq!(reset_time("2", now), Some(now + Duration::from_secs(2)));
    }

    #[test]
    fn rate_limits_wait_until_their_reset_or_give_up_when_it_is_too_far() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
        let soon =
            ClientError::RateLimited(RateLimit { limit: "burst", reset: Some(now + Duration::from_secs(2)) });
        assert_eq!(fixed().delay(0, &soon, now), Some(Duration::from_secs(2)));
        let tomorrow = ClientError::RateLimited(RateLimit {
            limit: "daily",
            reset: Some(now + Duration::from_secs(86_400)),
        });
        assert_eq!(fixed().delay(0, &tomorrow, now), None);
    }

    #[test]
    fn waits_for_a_reset_get_a_little_jitter_on_top_never_less() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
        let burst =
            ClientError::RateLimited(RateLimit { limit: "burst", reset: Some(now + Duration::from_secs(2)) });
        let policy = RetryPolicy::default();
        let waits: alloc::vec::Vec<_> = (0..200).map(|_| policy.delay(0, &burst, now).unwrap()).collect();
        assert!(
            waits.iter().all(|w| *w >= Duration::from_secs(2) && *w <= Duration::from_millis(2200)),
            "{waits:?}"
        );
        assert!(waits.iter().any(|w| *w != waits[0]), "every wait was {:?}", waits[0]);
    }

    #[test]
    fn calls_that_could_take_effect_twice_are_retried_only_when_qstash_cannot_have_acted() {
        let limited = ClientError::RateLimited(RateLimit { limit: "burst", reset: None });
        let refused = ClientError::Connect("connection refused".into());
        let lost = ClientError::Transport("operation timed out".into());
        let failed = ClientError::Api { status: 502, message: "bad gateway".into() };
        let rejected = ClientError::Api { status: 400, message: "bad request".into() };
        for idempotent in [true, false] {
            assert!(may_retry(&limited, idempotent));
            assert!(may_retry(&refused, idempotent));
            assert!(!may_retry(&rejected, idempotent));
        }
        assert!(may_retry(&lost, true) && may_retry(&failed, true));
        assert!(!may_retry(&lost, false) && !may_retry(&failed, false));
    }

    #[test]
    fn reset_headers_read_as_unix_seconds_milliseconds_or_delta() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000);
        let at = |s: u64| Some(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(reset_time("1750000005", now), at(1_750_000_005));
        assert_eq!(reset_time("1750000005000", now), at(1_750_000_005));
        assert_eq!(reset_time("3", now), at(1_750_000_003));
        assert_eq!(reset_time("soon", now), None);
        assert_eq!(retry_after("7", now), at(1_750_000_007));
        assert_eq!(retry_after("Sun, 15 Jun 2025 15:06:40 GMT", now), at(1_750_000_000));
    }
}
