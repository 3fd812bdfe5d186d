//! `RedisReplayGuard`: replay protection shared by every worker and machine of a service, on
//! `qstash-gate`'s Redis guard and its store runtime.

use std::sync::Arc;

use pyo3::exceptions::PyConnectionError;
use pyo3::prelude::*;
use qstash_gate::host;
use qstash_gate::replay::runtime;

use crate::errors::raise;
use crate::options::{number, repr};

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
    #[pyo3(signature = (url, *, prefix=None, fail_open=false, timeout=None))]
    fn new(
        py: Python<'_>,
        url: &str,
        prefix: Option<String>,
        fail_open: bool,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let timeout = match timeout.filter(|t| !t.is_none()) {
            Some(seconds) => {
                Some(host::store_timeout(number("timeout", seconds)?).map_err(|e| raise(py, e))?)
            }
            None => None,
        };
        let mut guard = py.detach(|| runtime::connect(url)).map_err(PyConnectionError::new_err)?;
        if let Some(prefix) = prefix {
            guard = guard.prefix(prefix);
        }
        if let Some(timeout) = timeout {
            guard = guard.timeout(timeout);
        }
        Ok(RedisReplayGuard { guard: Arc::new(guard.fail_open(fail_open)) })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "RedisReplayGuard(prefix={}, fail_open={}, timeout={:?})",
            repr(py, Some(self.guard.key_prefix()))?,
            if self.guard.fails_open() { "True" } else { "False" },
            self.guard.store_timeout().as_secs_f64(),
        ))
    }
}
