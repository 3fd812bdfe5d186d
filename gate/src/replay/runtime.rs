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
    runtime()?.block_on(RedisReplayGuard::connect(url)).map_err(|e| alloc::format!("cannot reach Redis: {e}"))
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
