//! `RedisReplayGuard`: replay protection shared by every process and machine of a service, on
//! `qstash-gate`'s Redis guard and its blocking entry points (never called on the event loop
//! but for the connection at start-up).

use std::sync::Arc;
use std::time::Duration;

use napi_derive::napi;
use qstash_gate::replay::blocking;

/// Options of `new RedisReplayGuard(url, options)`.
#[napi(object)]
pub struct RedisReplayOptions {
    /// Key prefix (default `qstash:jti:`), for several services sharing one Redis.
    pub prefix: Option<String>,
    /// Accept deliveries when Redis cannot answer (logged) instead of refusing them with 503.
    pub fail_open: Option<bool>,
    /// How long to wait for Redis, in milliseconds (default 1000).
    pub timeout_ms: Option<u32>,
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
    pub fn new(url: String, options: Option<RedisReplayOptions>) -> napi::Result<Self> {
        let mut guard =
            blocking::connect(&url).map_err(|e| napi::Error::new(napi::Status::GenericFailure, e))?;
        if let Some(options) = options {
            if let Some(prefix) = options.prefix {
                guard = guard.prefix(prefix);
            }
            guard = guard.fail_open(options.fail_open.unwrap_or(false));
            if let Some(ms) = options.timeout_ms.filter(|&ms| ms > 0) {
                guard = guard.timeout(Duration::from_millis(u64::from(ms)));
            }
        }
        Ok(RedisReplayGuard { guard: Arc::new(guard) })
    }

    /// `RedisReplayGuard { prefix, fail_open, timeout }` (no connection details).
    #[napi(js_name = "toString")]
    pub fn describe(&self) -> String {
        format!("{:?}", self.guard)
    }
}
