//! The store's own runtime, for hosts without a Rust async executor (the Python and Node
//! packages): the Redis connections live on one thread of this module's, started on first
//! use. A host either waits for a check on its own thread ([`wait`], for synchronous servers)
//! or hands the check over and is called back when it is done ([`spawn`], for event loops,
//! which must never wait).

use std::string::{String, ToString};
use std::sync::LazyLock;

use super::RedisReplayGuard;
use crate::{Rejection, ReplayCheck};

static RUNTIME: LazyLock<Result<tokio::runtime::Runtime, String>> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("qstash-replay-store")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
});

fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    RUNTIME.as_ref().map_err(|e| alloc::format!("cannot start the replay store's runtime: {e}"))
}

/// [`RedisReplayGuard::connect`], waited for; the error says why Redis cannot be reached.
pub fn connect(url: &str) -> Result<RedisReplayGuard, String> {
    connect_to(&StoreTarget { nodes: alloc::vec![url.into()], ..StoreTarget::default() })
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
    let connecting = async {
        match (target.cluster, target.nodes.as_slice(), &tls) {
            (true, nodes, tls) if !nodes.is_empty() => {
                let nodes: alloc::vec::Vec<&str> = nodes.iter().map(String::as_str).collect();
                RedisReplayGuard::connect_cluster(&nodes, tls.as_ref()).await
            }
            (false, [url], Some(tls)) => RedisReplayGuard::connect_tls(url, tls).await,
            (false, [url], None) => RedisReplayGuard::connect(url).await,
            _ => Err(redis::RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "give one Redis URL, or several with cluster",
            ))),
        }
    };
    runtime()?.block_on(connecting).map_err(|e| alloc::format!("cannot reach Redis: {e}"))
}

/// Waits on the calling thread for a replay check (`replay_store_unavailable` if the runtime
/// cannot start). For synchronous servers, whose worker thread waits anyway.
pub fn wait(check: ReplayCheck) -> Result<(), Rejection> {
    match runtime() {
        Ok(runtime) => runtime.block_on(check),
        Err(_) => Err(Rejection::ReplayStoreUnavailable),
    }
}

/// Runs a replay check on the store's runtime and calls `done` with its verdict there, on the
/// runtime's thread: the caller's thread (an event loop) goes on at once and no thread waits.
/// The store's timeout bounds how long `done` can take to come.
pub fn spawn(check: ReplayCheck, done: impl FnOnce(Result<(), Rejection>) + Send + 'static) {
    match runtime() {
        Ok(runtime) => {
            runtime.spawn(async move { done(check.await) });
        }
        Err(_) => done(Err(Rejection::ReplayStoreUnavailable)),
    }
}
