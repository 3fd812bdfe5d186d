//! `RedisReplayGuard`: replay protection shared by every process and machine of a service, on
//! `qstash-gate`'s Redis guard and its store runtime (connected to once, at start-up, waited
//! for on the calling thread; every check after that runs on the store's own thread).

use std::sync::Arc;

use napi_derive::napi;
use qstash_gate::host::{self, Number};
use qstash_gate::replay::runtime;

use crate::error::host_error;

/// Options of `new RedisReplayGuard(url, options)`.
#[napi(object)]
pub struct RedisReplayOptions {
    /// Key prefix (default `qstash:jti:`), for several services sharing one Redis.
    pub prefix: Option<String>,
    /// Accept deliveries when Redis cannot answer (logged) instead of refusing them with 503.
    pub fail_open: Option<bool>,
    /// How long to wait for Redis, in milliseconds (default 1000, at most an hour).
    pub timeout_ms: Option<f64>,
}

/// Remembers accepted token ids in Redis (`SET qstash:jti:<jti> 1 NX EXAT <exp>`), so a
/// delivery replayed to another process (Node cluster workers, containers) is refused too.
/// Connects at once and throws when Redis cannot be reached. When Redis does not answer in
/// time the delivery is refused with 503 `replay_store_unavailable` unless `failOpen`.
#[napi]
pub struct RedisReplayGuard {
    guard: Arc<qstash_gate::replay::RedisReplayGuard>,
}

impl RedisReplayGuard {
    pub(crate) fn shared(&self) -> Arc<qstash_gate::replay::RedisReplayGuard> {
        Arc::clone(&self.guard)
    }
}

#[napi]
impl RedisReplayGuard {
    /// `new RedisReplayGuard('redis://127.0.0.1:6379/0', { prefix, failOpen, timeoutMs })`.
    #[napi(constructor)]
    pub fn new(url: String, options: Option<RedisReplayOptions>) -> napi::Result<Self, &'static str> {
        let (prefix, fail_open, timeout) = match options {
            Some(options) => (options.prefix, options.fail_open, options.timeout_ms),
            None => (None, None, None),
        };
        let timeout = timeout
            .map(|ms| host::store_timeout(Number::Float(ms / 1000.0)))
            .transpose()
            .map_err(host_error)?;
        let mut guard = runtime::connect(&url).map_err(|e| napi::Error::new("store", e))?;
        if let Some(prefix) = prefix {
            guard = guard.prefix(prefix);
        }
        if let Some(timeout) = timeout {
            guard = guard.timeout(timeout);
        }
        Ok(RedisReplayGuard { guard: Arc::new(guard.fail_open(fail_open.unwrap_or(false))) })
    }

    /// `RedisReplayGuard { prefix, fail_open, timeout }` (no connection details).
    #[napi(js_name = "toString")]
    pub fn describe(&self) -> String {
        format!("{:?}", self.guard)
    }
}
