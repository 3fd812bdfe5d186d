//! The Redis guard for hosts without an async executor (the Python and Node packages): the
//! connections live on a one-thread runtime of this module's own, started on first use, and
//! the caller's thread waits (with its interpreter or event loop free to go on).

use std::string::{String, ToString};
use std::sync::LazyLock;

use super::RedisReplayGuard;
use crate::{Rejection, ReplayCheck};

static RUNTIME: LazyLock<Result<tokio::runtime::Runtime, String>> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("qstash-replay-redis")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
});

fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    RUNTIME.as_ref().map_err(|e| alloc::format!("cannot start the Redis runtime: {e}"))
}

/// [`RedisReplayGuard::connect`], waited for; the error says why Redis cannot be reached.
pub fn connect(url: &str) -> Result<RedisReplayGuard, String> {
    runtime()?.block_on(RedisReplayGuard::connect(url)).map_err(|e| alloc::format!("cannot reach Redis: {e}"))
}

/// Waits for a replay check of a guard made by [`connect`] (`replay_store_unavailable` if the
/// runtime cannot start).
pub fn wait(check: ReplayCheck) -> Result<(), Rejection> {
    match runtime() {
        Ok(runtime) => runtime.block_on(check),
        Err(_) => Err(Rejection::ReplayStoreUnavailable),
    }
}
