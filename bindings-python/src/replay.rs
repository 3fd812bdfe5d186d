//! `RedisReplayGuard`: replay protection shared by every worker and machine of a service, on
//! `qstash-gate`'s Redis guard and its blocking entry points.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::{PyConnectionError, PyValueError};
use pyo3::prelude::*;
use qstash_gate::replay::blocking;
use qstash_gate::{Rejection, ReplayCheck};

/// Waits for a replay check on the store, with the interpreter released.
pub(crate) fn block_on(py: Python<'_>, check: ReplayCheck) -> Result<(), Rejection> {
    py.detach(|| blocking::wait(check))
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
        let mut guard = py.detach(|| blocking::connect(url)).map_err(PyConnectionError::new_err)?;
        if let Some(prefix) = prefix {
            guard = guard.prefix(prefix);
        }
        Ok(RedisReplayGuard { guard: Arc::new(guard.fail_open(fail_open).timeout(timeout)) })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.guard)
    }
}
