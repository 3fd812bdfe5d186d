//! [`MemoryReplayGuard`]: a bounded, expiring, sharded set of token ids for one process.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::hash::BuildHasher;
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::sync::Mutex;

use super::{DEFAULT_MEMORY_CAPACITY, GuardFuture, ReplayError, ReplayGuard, replay_key};
use qstash_core::Verified;

const SHARDS: usize = 16;

/// Remembers accepted `jti`s in memory until they expire.
///
/// - **O(1) per request**: a hash map for lookups and a queue in arrival order for expiry
///   (QStash tokens all live five minutes, so arrival order is expiry order; an entry that
///   expires out of order is dropped when it reaches the front).
/// - **Bounded**: at most `capacity` ids (about 40 bytes each: ids are kept as 64-bit keyed
///   hashes, with a per-process random key so no sender can aim for collisions). When full,
///   the id closest to expiry is dropped first and a warning is logged: size the guard for
///   your peak deliveries per five minutes.
/// - **Concurrent**: 16 independently locked shards.
#[derive(Debug)]
pub struct MemoryReplayGuard {
    shards: Vec<Mutex<Shard>>,
    hasher: RandomState,
    capacity_per_shard: usize,
}

#[derive(Debug, Default)]
struct Shard {
    expires: HashMap<u64, i64>,
    order: VecDeque<(i64, u64)>,
}

impl MemoryReplayGuard {
    /// A guard holding at most `capacity` token ids (at least one per shard).
    pub fn new(capacity: usize) -> Self {
        MemoryReplayGuard {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            hasher: RandomState::new(),
            capacity_per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    /// Remembers `jti` until `expires_at`; `Err(Replayed)` when it is already remembered.
    /// `now` (unix seconds) drives expiry.
    pub fn check_at(&self, jti: &str, expires_at: i64, now: i64) -> Result<(), ReplayError> {
        let key = self.hasher.hash_one(jti);
        let shard = &self.shards[(key as usize) % SHARDS];
        // A poisoned lock only means another thread panicked mid-update; the map is still a
        // valid map, so keep protecting rather than fail every request.
        let mut shard = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        shard.expire(now);
        if shard.expires.get(&key).is_some_and(|&exp| exp > now) {
            return Err(ReplayError::Replayed);
        }
        if shard.expires.len() >= self.capacity_per_shard {
            tracing::warn!("replay guard full: forgetting the token id closest to expiry early");
            shard.evict_one();
        }
        shard.expires.insert(key, expires_at);
        shard.order.push_back((expires_at, key));
        Ok(())
    }

    /// [`MemoryReplayGuard::check_at`] with the system clock.
    pub fn check(&self, jti: &str, expires_at: i64) -> Result<(), ReplayError> {
        self.check_at(jti, expires_at, qstash_core::clock::now())
    }

    /// Checks a verified delivery: its `jti` until `exp` + `clock_tolerance`.
    pub fn check_verified(&self, verified: &Verified, clock_tolerance: u64) -> Result<(), ReplayError> {
        let (jti, expires_at) = replay_key(&verified.claims, clock_tolerance)?;
        self.check(jti, expires_at)
    }

    /// Forgets every id that expired by `now` in all shards at once (each shard also does
    /// this on its own whenever a request touches it).
    pub fn purge_expired_at(&self, now: i64) {
        for shard in &self.shards {
            shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).expire(now);
        }
    }

    /// Token ids remembered now (expired ones may still be counted until they are swept).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().map_or(0, |s| s.expires.len())).sum()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A guard of [`DEFAULT_MEMORY_CAPACITY`] ids.
impl Default for MemoryReplayGuard {
    fn default() -> Self {
        Self::new(DEFAULT_MEMORY_CAPACITY)
    }
}

impl Shard {
    fn expire(&mut self, now: i64) {
        while let Some(&(exp, key)) = self.order.front() {
            if exp > now {
                break;
            }
            self.order.pop_front();
            // The id may have been re-remembered with a later expiry; keep that one.
            if self.expires.get(&key) == Some(&exp) {
                self.expires.remove(&key);
            }
        }
    }

    fn evict_one(&mut self) {
        while let Some((exp, key)) = self.order.pop_front() {
            if self.expires.get(&key) == Some(&exp) {
                self.expires.remove(&key);
                return;
            }
        }
    }
}

impl ReplayGuard for MemoryReplayGuard {
    fn check_and_remember<'a>(&'a self, jti: &'a str, expires_at: i64) -> GuardFuture<'a> {
        let verdict = self.check(jti, expires_at);
        Box::pin(core::future::ready(verdict))
    }

    fn answers_at_once(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::sync::Arc;

    #[test]
    fn the_same_jti_is_refused_until_it_expires_then_accepted_again() {
        let guard = MemoryReplayGuard::new(100);
        assert_eq!(guard.check_at("jwt_a", 1000, 700), Ok(()));
        assert_eq!(guard.check_at("jwt_a", 1000, 999), Err(ReplayError::Replayed));
        assert_eq!(guard.check_at("jwt_b", 1000, 999), Ok(()));
        // At exp the token itself is expired; its id is forgotten.
        assert_eq!(guard.check_at("jwt_a", 1300, 1000), Ok(()));
    }

    #[test]
    fn memory_stays_within_the_capacity() {
        let guard = MemoryReplayGuard::new(160);
        for i in 0..10_000 {
            assert_eq!(guard.check_at(&format!("jwt_{i}"), 10_000, 0), Ok(()));
        }
        assert!(guard.len() <= 160, "{}", guard.len());
        // The most recent ids are still remembered.
        assert_eq!(guard.check_at("jwt_9999", 10_000, 1), Err(ReplayError::Replayed));
    }

    #[test]
    fn expired_ids_are_swept_as_time_passes() {
        let guard = MemoryReplayGuard::new(10_000);
        for i in 0..1000 {
            guard.check_at(&format!("jwt_{i}"), 300 + i, i).unwrap();
        }
        guard.check_at("late", 5000, 2000).unwrap();
        // Every id of the loop expired by t = 2000 (the last at 1299); only "late" remains.
        guard.purge_expired_at(2000);
        assert_eq!(guard.len(), 1);
        assert_eq!(guard.check_at("late", 5000, 2001), Err(ReplayError::Replayed));
    }

    #[test]
    fn concurrent_checks_accept_each_id_exactly_once() {
        let guard = Arc::new(MemoryReplayGuard::default());
        let accepted = Arc::new(core::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (guard, accepted) = (guard.clone(), accepted.clone());
                std::thread::spawn(move || {
                    for i in 0..2000 {
                        if guard.check_at(&format!("jwt_{i}"), 1000, 0).is_ok() {
                            accepted.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(accepted.load(core::sync::atomic::Ordering::Relaxed), 2000);
    }
}
