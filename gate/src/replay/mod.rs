//! Replay protection (SPEC.md §6; the Redis store with feature `redis`): a token stays valid for five minutes, so
//! anyone who saw one delivery could send it again. A [`ReplayGuard`] remembers every signed
//! `jti` it accepted until the token expires and refuses it the second time (`replayed`).
//!
//! The check runs only after the signature, every claim and the body verified, so forged or
//! expired tokens never reach the store. Only the signed `jti` is used as the key, never the
//! unsigned `Upstash-Message-Id`.
//!
//! ```
//! use qstash_gate::replay::{DEFAULT_MEMORY_CAPACITY, MemoryReplayGuard, ReplayError};
//! use qstash_core::{Receiver, Request, Signer};
//!
//! let guard = MemoryReplayGuard::new(DEFAULT_MEMORY_CAPACITY);
//! let token = Signer::dev().token("https://a.example/hook", b"{}").sign();
//! let verified = Receiver::dev().verify(&Request::new(&token, b"{}")).unwrap();
//! assert_eq!(guard.check_verified(&verified, 0), Ok(()));
//! assert_eq!(guard.check_verified(&verified, 0), Err(ReplayError::Replayed));
//! ```

mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
#[doc(hidden)]
pub mod runtime;

pub use memory::MemoryReplayGuard;
#[cfg(feature = "redis")]
pub use redis::{RedisReplayGuard, RedisTls};

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;

use qstash_core::Claims;

use crate::Rejection;

/// How many token ids an in-memory guard remembers unless told otherwise: QStash tokens live
/// five minutes, so this covers a peak of about 330 deliveries per second.
pub const DEFAULT_MEMORY_CAPACITY: usize = 100_000;

/// Why a replay guard refused a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayError {
    /// The `jti` was already accepted and has not expired, or the token has none (`replayed`).
    Replayed,
    /// The store could not answer in time (`replay_store_unavailable`, 503).
    StoreUnavailable,
}

impl From<ReplayError> for Rejection {
    fn from(error: ReplayError) -> Self {
        match error {
            ReplayError::Replayed => Rejection::Replayed,
            ReplayError::StoreUnavailable => Rejection::ReplayStoreUnavailable,
        }
    }
}

impl ReplayError {
    /// The reason code: `replayed` or `replay_store_unavailable`.
    pub fn reason(self) -> &'static str {
        Rejection::from(self).reason()
    }
}

impl core::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&Rejection::from(*self), f)
    }
}

impl core::error::Error for ReplayError {}

/// The future a [`ReplayGuard`] answers with.
pub type GuardFuture<'a> = Pin<Box<dyn Future<Output = Result<(), ReplayError>> + Send + 'a>>;

/// Check-and-remember of a token id, shared by every request (and, with a shared store, by
/// every instance of a service).
pub trait ReplayGuard: Send + Sync {
    /// Remembers `jti` until `expires_at` (unix seconds) and resolves `Ok(())` the first time;
    /// resolves [`ReplayError::Replayed`] when it was already remembered and has not expired,
    /// and [`ReplayError::StoreUnavailable`] when the store cannot answer.
    fn check_and_remember<'a>(&'a self, jti: &'a str, expires_at: i64) -> GuardFuture<'a>;

    /// Whether the answer is ready as soon as it is asked, with no I/O and no runtime (the
    /// in-memory guard): callers that cannot await poll it once. A guard that talks to a store
    /// keeps the default, `false`.
    fn answers_at_once(&self) -> bool {
        false
    }
}

/// A guard shared behind an `Arc` (one guard for several gates or receivers) is a guard.
impl<G: ReplayGuard + ?Sized> ReplayGuard for alloc::sync::Arc<G> {
    fn check_and_remember<'a>(&'a self, jti: &'a str, expires_at: i64) -> GuardFuture<'a> {
        (**self).check_and_remember(jti, expires_at)
    }

    fn answers_at_once(&self) -> bool {
        (**self).answers_at_once()
    }
}

/// What to remember for a verified delivery: its `jti` until `exp` plus the clock tolerance
/// (a token is accepted that long). A token without a `jti` cannot be told apart from its
/// replays, so it is refused as `replayed` when a guard is in use (QStash always sends one).
pub fn replay_key(claims: &Claims, clock_tolerance: u64) -> Result<(&str, i64), ReplayError> {
    let jti = claims.jti().filter(|j| !j.is_empty()).ok_or(ReplayError::Replayed)?;
    let exp = claims.exp.ceil();
    let exp = if exp.is_finite() && exp < i64::MAX as f64 { exp as i64 } else { i64::MAX };
    Ok((jti, exp.saturating_add(i64::try_from(clock_tolerance).unwrap_or(i64::MAX))))
}

/// How long to wait for a replay store before failing the request.
pub const DEFAULT_STORE_TIMEOUT: core::time::Duration = core::time::Duration::from_secs(1);
