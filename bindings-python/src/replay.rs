//! `RedisReplayGuard`: replay protection shared by every worker and machine of a service, on
//! `qstash-gate`'s Redis guard and its store runtime.

use std::sync::Arc;

use pyo3::exceptions::PyConnectionError;
use pyo3::prelude::*;
use qstash_gate::bindings;
use qstash_gate::replay::runtime;

use crate::errors::raise;
use crate::options::{number, repr};

/// Remembers accepted token ids in Redis (`SET qstash:jti:<jti> 1 NX EXAT <exp>`), so a
/// delivery replayed to another worker process or machine is refused too.
///
/// `RedisReplayGuard("redis://127.0.0.1:6379/0", prefix="qstash:jti:", fail_open=False,
/// timeout=1.0)` connects at once (`ConnectionError` when Redis cannot be reached).
/// `rediss://` is TLS (the system's roots, or `ca_file`; `client_cert_file` and
/// `client_key_file` for a server that asks for a client certificate); `user:password@` in the
/// URL authenticates. `cluster=True` takes a Redis Cluster's node URLs (one or several, a
/// string or a list). When Redis does not answer within `timeout` seconds the delivery is
/// refused with 503 `replay_store_unavailable` (QStash retries it later), unless
/// `fail_open=True`.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct RedisReplayGuard {
    guard: Arc<runtime::ProcessStore>,
}

impl RedisReplayGuard {
    pub(crate) fn shared(&self) -> Arc<runtime::ProcessStore> {
        Arc::clone(&self.guard)
    }
}

/// A URL or a sequence of URLs.
#[derive(FromPyObject)]
enum Urls {
    One(String),
    Many(Vec<String>),
}

#[pymethods]
impl RedisReplayGuard {
    #[new]
    #[pyo3(signature = (url, *, prefix=None, fail_open=false, timeout=None, cluster=false, ca_file=None, client_cert_file=None, client_key_file=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        url: Urls,
        prefix: Option<String>,
        fail_open: bool,
        timeout: Option<&Bound<'_, PyAny>>,
        cluster: bool,
        ca_file: Option<std::path::PathBuf>,
        client_cert_file: Option<std::path::PathBuf>,
        client_key_file: Option<std::path::PathBuf>,
    ) -> PyResult<Self> {
        let timeout = match timeout.filter(|t| !t.is_none()) {
            Some(seconds) => {
                Some(bindings::store_timeout(number("timeout", seconds)?).map_err(|e| raise(py, e))?)
            }
            None => None,
        };
        let path = |p: Option<std::path::PathBuf>| p.map(|p| p.to_string_lossy().into_owned());
        let target = runtime::StoreTarget {
            nodes: match url {
                Urls::One(url) => vec![url],
                Urls::Many(urls) => urls,
            },
            cluster,
            ca_file: path(ca_file),
            client_cert_file: path(client_cert_file),
            client_key_file: path(client_key_file),
        };
        let settings = runtime::StoreSettings { prefix, timeout, fail_open };
        let guard = py
            .detach(|| runtime::ProcessStore::connect(target, settings))
            .map_err(PyConnectionError::new_err)?;
        Ok(RedisReplayGuard { guard: Arc::new(guard) })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let guard = self.guard.settings();
        Ok(format!(
            "RedisReplayGuard(prefix={}, fail_open={}, timeout={:?})",
            repr(py, Some(guard.key_prefix()))?,
            if guard.fails_open() { "True" } else { "False" },
            guard.store_timeout().as_secs_f64(),
        ))
    }
}
