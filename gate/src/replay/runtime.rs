//! The store's own runtime, for hosts without a Rust async executor (the Python and Node
//! packages): the Redis connections live on one thread of this module's, started on first
//! use. A host either waits for a check on its own thread
//! ([`StoreWait::wait`](crate::bindings::StoreWait::wait), for synchronous servers) or hands
//! the check over and is called back when it is done
//! ([`StoreWait::spawn`](crate::bindings::StoreWait::spawn), for event loops, which must never
//! wait).
//!
//! A process forked after the store was used (`gunicorn --preload`, uWSGI without
//! `lazy-apps`, `os.fork()`) keeps none of the parent's threads and shares the parent's
//! sockets: the runtime is started again in the child, and a [`ProcessStore`] connects again
//! there, so a worker answers instead of waiting forever on a thread that does not exist.

use std::boxed::Box;
use std::string::{String, ToString};
use std::sync::{Arc, Mutex, PoisonError};

use super::{GuardFuture, RedisReplayGuard, ReplayGuard};
use crate::{Rejection, ReplayCheck};

/// The runtime of this process, with the id of the process that started it.
static RUNTIME: Mutex<Option<(u32, Arc<tokio::runtime::Runtime>)>> = Mutex::new(None);

fn runtime() -> Result<Arc<tokio::runtime::Runtime>, String> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    match slot.take() {
        Some((started_by, runtime)) if started_by == pid => {
            *slot = Some((started_by, Arc::clone(&runtime)));
            return Ok(runtime);
        }
        // Started before a fork: its thread is not in this process, and dropping it would wait
        // for that thread forever. Left as it is.
        Some((_, stale)) => core::mem::forget(stale),
        None => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("qstash-replay-store")
        .enable_all()
        .build()
        .map_err(|e| alloc::format!("cannot start the replay store's runtime: {e}"))?;
    let runtime = Arc::new(runtime);
    *slot = Some((pid, Arc::clone(&runtime)));
    Ok(runtime)
}

/// [`RedisReplayGuard::connect`], waited for; the error says why Redis cannot be reached.
pub fn connect(url: &str) -> Result<RedisReplayGuard, String> {
    connect_to(&StoreTarget { nodes: alloc::vec![url.into()], ..StoreTarget::default() })
}

/// How a host's guard behaves once connected, as the bindings' options give it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreSettings {
    /// The key prefix (default `qstash:jti:`).
    pub prefix: Option<String>,
    /// How long the store may take to answer, already checked (`bindings::store_timeout`).
    pub timeout: Option<core::time::Duration>,
    /// Accept deliveries unchecked while the store cannot answer.
    pub fail_open: bool,
}

impl StoreSettings {
    fn apply(self, mut guard: RedisReplayGuard) -> RedisReplayGuard {
        if let Some(prefix) = self.prefix {
            guard = guard.prefix(prefix);
        }
        if let Some(timeout) = self.timeout {
            guard = guard.timeout(timeout);
        }
        guard.fail_open(self.fail_open)
    }
}

/// Where a host's guard connects, as the bindings' options give it: one server's URL, or a
/// cluster's node URLs (`cluster`), and the PEM files of a CA and a client certificate for
/// `rediss://`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreTarget {
    /// `redis://` or `rediss://` URLs: one, or some nodes of a cluster.
    pub nodes: alloc::vec::Vec<String>,
    /// The nodes are a Redis Cluster's.
    pub cluster: bool,
    /// A CA certificate file (PEM) to trust instead of the system's roots.
    pub ca_file: Option<String>,
    /// A client certificate file (PEM), with `client_key_file`.
    pub client_cert_file: Option<String>,
    /// The client certificate's key file (PEM).
    pub client_key_file: Option<String>,
}

impl StoreTarget {
    /// The TLS settings of the files named, read now; `None` when no file is named.
    fn tls(&self) -> Result<Option<super::RedisTls>, String> {
        let read = |what: &str, path: &Option<String>| -> Result<Option<alloc::vec::Vec<u8>>, String> {
            path.as_ref()
                .map(|path| {
                    std::fs::read(path).map_err(|e| alloc::format!("cannot read the {what} {path}: {e}"))
                })
                .transpose()
        };
        let tls = super::RedisTls {
            ca_pem: read("CA file", &self.ca_file)?,
            client_cert_pem: read("client certificate file", &self.client_cert_file)?,
            client_key_pem: read("client key file", &self.client_key_file)?,
        };
        let none = tls.ca_pem.is_none() && tls.client_cert_pem.is_none() && tls.client_key_pem.is_none();
        Ok((!none).then_some(tls))
    }
}

/// Connects to `target`, waited for; the error says why Redis cannot be reached.
pub fn connect_to(target: &StoreTarget) -> Result<RedisReplayGuard, String> {
    let tls = target.tls()?;
    runtime()?.block_on(connect_with(target, tls.as_ref()))
}

/// Connects to `target` with the TLS settings read from its files.
async fn connect_with(
    target: &StoreTarget,
    tls: Option<&super::RedisTls>,
) -> Result<RedisReplayGuard, String> {
    let connecting = async {
        match (target.cluster, target.nodes.as_slice(), tls) {
            (true, nodes, tls) if !nodes.is_empty() => {
                let nodes: alloc::vec::Vec<&str> = nodes.iter().map(String::as_str).collect();
                RedisReplayGuard::connect_cluster(&nodes, tls).await
            }
            (false, [url], Some(tls)) => RedisReplayGuard::connect_tls(url, tls).await,
            (false, [url], None) => RedisReplayGuard::connect(url).await,
            _ => Err(redis::RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "give one Redis URL, or several with cluster",
            ))),
        }
    };
    connecting.await.map_err(|e| alloc::format!("cannot reach Redis: {e}"))
}

/// A host's Redis replay guard: a [`RedisReplayGuard`] for this process, connected again (to
/// the same target, with the same prefix, timeout and failure mode) the first time it is used
/// in a process forked from the one that connected it. The parent's connection is shared with
/// the parent, so a child never uses it; a child that cannot connect answers as the store
/// being unavailable, within the guard's timeout.
pub struct ProcessStore {
    target: StoreTarget,
    tls: Option<super::RedisTls>,
    current: Mutex<(u32, Arc<RedisReplayGuard>)>,
}

impl core::fmt::Debug for ProcessStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&*self.settings(), f)
    }
}

impl ProcessStore {
    /// Connects to `target` now (waited for), with the `settings` every reconnection after a
    /// fork keeps.
    pub fn connect(target: StoreTarget, settings: StoreSettings) -> Result<Self, String> {
        let tls = target.tls()?;
        let guard = runtime()?.block_on(connect_with(&target, tls.as_ref()))?;
        let current = Mutex::new((std::process::id(), Arc::new(settings.apply(guard))));
        Ok(ProcessStore { target, tls, current })
    }

    /// The guard last connected (in this process or before a fork), for its settings.
    pub fn settings(&self) -> Arc<RedisReplayGuard> {
        Arc::clone(&self.current.lock().unwrap_or_else(PoisonError::into_inner).1)
    }

    /// This process's guard: the one connected here, or a new connection after a fork.
    async fn for_this_process(&self) -> Result<Arc<RedisReplayGuard>, (Arc<RedisReplayGuard>, String)> {
        let pid = std::process::id();
        let known = {
            let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            (current.0 == pid, Arc::clone(&current.1))
        };
        let stale = match known {
            (true, guard) => return Ok(guard),
            (false, stale) => stale,
        };
        let connecting = connect_with(&self.target, self.tls.as_ref());
        let fresh = match tokio::time::timeout(stale.store_timeout(), connecting).await {
            Ok(Ok(guard)) => guard,
            Ok(Err(why)) => return Err((stale, why)),
            Err(_) => return Err((stale, "no connection within the store's timeout".to_string())),
        };
        let fresh = Arc::new(
            fresh.prefix(stale.key_prefix()).timeout(stale.store_timeout()).fail_open(stale.fails_open()),
        );
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = (pid, Arc::clone(&fresh));
        Ok(fresh)
    }
}

impl ReplayGuard for ProcessStore {
    fn check_and_remember<'a>(&'a self, jti: &'a str, expires_at: i64) -> GuardFuture<'a> {
        Box::pin(async move {
            match self.for_this_process().await {
                Ok(guard) => guard.check_and_remember(jti, expires_at).await,
                Err((stale, why)) => stale.unavailable(&alloc::format!("after a fork: {why}")),
            }
        })
    }
}

/// Waits on the calling thread for a replay check (`replay_store_unavailable` if the runtime
/// cannot start). For synchronous servers, whose worker thread waits anyway.
pub(crate) fn wait(check: ReplayCheck) -> Result<(), Rejection> {
    match runtime() {
        Ok(runtime) => runtime.block_on(check),
        Err(_) => Err(Rejection::ReplayStoreUnavailable),
    }
}

/// Runs a replay check on the store's runtime and calls `done` with its verdict there, on the
/// runtime's thread: the caller's thread (an event loop) goes on at once and no thread waits.
/// The store's timeout bounds how long `done` can take to come.
pub(crate) fn spawn(check: ReplayCheck, done: impl FnOnce(Result<(), Rejection>) + Send + 'static) {
    match runtime() {
        Ok(runtime) => {
            runtime.spawn(async move { done(check.await) });
        }
        Err(_) => done(Err(Rejection::ReplayStoreUnavailable)),
    }
}
