//! `RedisReplayGuard`: replay protection shared by every worker and machine of a service, on
//! `qstash-gate`'s Redis guard and a runtime of this module's own.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use pyo3::exceptions::{PyConnectionError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use qstash_gate::{Rejection, ReplayCheck};

/// The runtime the Redis connections live on: one worker thread, started on first use. Python
/// threads block on it with the interpreter released, so nothing else waits for them.
static RUNTIME: LazyLock<Result<tokio::runtime::Runtime, String>> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("qstash-verify-redis")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
});

fn runtime() -> PyResult<&'static tokio::runtime::Runtime> {
    RUNTIME.as_ref().map_err(|e| PyRuntimeError::new_err(format!("cannot start the Redis runtime: {e}")))
}

/// Waits for a replay check that could not answer at once, with the interpreter released.
pub(crate) fn block_on(py: Python<'_>, check: ReplayCheck) -> PyResult<Result<(), Rejection>> {
    let runtime = runtime()?;
    Ok(py.detach(|| runtime.block_on(check)))
}

/// Remembers accepted token ids in Redis (`SET qstash:jti:<jti> 1 NX EXAT <exp>`), so a
/// delivery replayed to another worker process or machine is refused too.
///
/// `RedisReplayGuard("redis://127.0.0.1:6379/0", prefix="qstash:jti:", fail_open=False,
/// timeout=1.0)` connects at once (`ConnectionError` when Redis cannot be reached). When Redis
/// does not answer within `timeout` seconds the delivery is refused with 503
/// `replay_store_unavailable` (QStash retries it later), unless `fail_open=True`.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct RedisReplayGuard {
    guard: Arc<qstash_gate::replay::RedisReplayGuard>,
}

impl RedisReplayGuard {
    pub(crate) fn shared(&self) -> Arc<qstash_gate::replay::RedisReplayGuard> {
        Arc::clone(&self.guard)
    }
}

#[pymethods]
impl RedisReplayGuard {
    #[new]
    #[pyo3(signature = (url, *, prefix=None, fail_open=false, timeout=1.0))]
    fn new(
        py: Python<'_>,
        url: &str,
        prefix: Option<String>,
        fail_open: bool,
        timeout: f64,
    ) -> PyResult<Self> {
        let timeout = Duration::try_from_secs_f64(timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| PyValueError::new_err("timeout must be a positive number of seconds"))?;
        let runtime = runtime()?;
        let connected = py.detach(|| runtime.block_on(qstash_gate::replay::RedisReplayGuard::connect(url)));
        let mut guard =
            connected.map_err(|e| PyConnectionError::new_err(format!("cannot reach Redis: {e}")))?;
        if let Some(prefix) = prefix {
            guard = guard.prefix(prefix);
        }
        Ok(RedisReplayGuard { guard: Arc::new(guard.fail_open(fail_open).timeout(timeout)) })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.guard)
    }
}
