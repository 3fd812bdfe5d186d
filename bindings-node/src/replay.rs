//! `RedisReplayGuard`: replay protection shared by every process and machine of a service, on
//! `qstash-gate`'s Redis guard and its store runtime (connected to once, at start-up, waited
//! for on the calling thread; every check after that runs on the store's own thread).

use std::sync::Arc;

use napi::Either;
use napi_derive::napi;
use qstash_gate::bindings::{self, Number};
use qstash_gate::replay::runtime;

use crate::error::host_error;

/// Options of `new RedisReplayGuard(url, options)`.
#[napi(object)]
#[derive(Default)]
pub struct RedisReplayOptions {
    /// Key prefix (default `qstash:jti:`), for several services sharing one Redis.
    pub prefix: Option<String>,
    /// Accept deliveries when Redis cannot answer (logged) instead of refusing them with 503.
    pub fail_open: Option<bool>,
    /// How long to wait for Redis, in milliseconds (default 1000, at most an hour).
    pub timeout_ms: Option<f64>,
    /// The URLs are a Redis Cluster's nodes (one or several).
    pub cluster: Option<bool>,
    /// A CA certificate file (PEM) to trust for `rediss://` instead of the system's roots.
    pub ca_file: Option<String>,
    /// A client certificate file (PEM), for a server that asks for one (with `clientKeyFile`).
    pub client_cert_file: Option<String>,
    /// The client certificate's key file (PEM).
    pub client_key_file: Option<String>,
}

/// Remembers accepted token ids in Redis (`SET qstash:jti:<jti> 1 NX EXAT <exp>`), so a
/// delivery replayed to another process (Node cluster workers, containers) is refused too.
/// Connects at once and throws when Redis cannot be reached. `rediss://` is TLS (the system's
/// roots, or `caFile`; `clientCertFile` and `clientKeyFile` for a server that asks for a client
/// certificate), `user:password@` in the URL authenticates, and `cluster: true` takes a Redis
/// Cluster's node URLs. When Redis does not answer in time the delivery is refused with 503
/// `replay_store_unavailable` unless `failOpen`.
#[napi]
pub struct RedisReplayGuard {
    guard: Arc<runtime::ProcessStore>,
}

impl RedisReplayGuard {
    pub(crate) fn shared(&self) -> Arc<runtime::ProcessStore> {
        Arc::clone(&self.guard)
    }
}

#[napi]
impl RedisReplayGuard {
    /// `new RedisReplayGuard('redis://127.0.0.1:6379/0', { prefix, failOpen, timeoutMs })`;
    /// `new RedisReplayGuard(['redis://node-1:6379', …], { cluster: true })` for a cluster.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "string | string[]")] url: Either<String, Vec<String>>,
        options: Option<RedisReplayOptions>,
    ) -> napi::Result<Self, &'static str> {
        let options = options.unwrap_or_default();
        let timeout = options
            .timeout_ms
            .map(|ms| bindings::store_timeout(Number::Float(ms / 1000.0)))
            .transpose()
            .map_err(host_error)?;
        let target = runtime::StoreTarget {
            nodes: match url {
                Either::A(url) => vec![url],
                Either::B(urls) => urls,
            },
            cluster: options.cluster.unwrap_or(false),
            ca_file: options.ca_file,
            client_cert_file: options.client_cert_file,
            client_key_file: options.client_key_file,
        };
        let settings = runtime::StoreSettings {
            prefix: options.prefix,
            timeout,
            fail_open: options.fail_open.unwrap_or(false),
        };
        let guard =
            runtime::ProcessStore::connect(target, settings).map_err(|e| napi::Error::new("store", e))?;
        Ok(RedisReplayGuard { guard: Arc::new(guard) })
    }

    /// `RedisReplayGuard { prefix, fail_open, timeout }` (no connection details).
    #[napi(js_name = "toString")]
    pub fn describe(&self) -> String {
        format!("{:?}", self.guard)
    }
}
