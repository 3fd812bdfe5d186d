//! `GuardedPaths`: which requests the ASGI and WSGI middlewares verify, decided by the gate.

use pyo3::prelude::*;

use crate::errors::raise;

/// The paths a middleware guards. `GuardedPaths(["/api/qstash"])`; `guards(target, routed)` is
/// `True` for a request whose raw target or routed path could reach one of them, however it
/// is spelled (percent-escapes, dot segments, an encoded slash, an absolute-form target).
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct GuardedPaths {
    paths: qstash_gate::GuardedPaths,
    listed: Vec<String>,
}

#[pymethods]
impl GuardedPaths {
    #[new]
    fn new(py: Python<'_>, paths: Vec<String>) -> PyResult<Self> {
        let guarded = qstash_gate::GuardedPaths::new(&paths).map_err(|e| raise(py, e))?;
        Ok(GuardedPaths { paths: guarded, listed: paths })
    }

    /// Whether the request must be verified.
    #[pyo3(signature = (target, routed=None))]
    fn guards(&self, target: &str, routed: Option<&str>) -> bool {
        self.paths.guards(target, routed)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let listed = pyo3::types::PyList::new(py, &self.listed)?;
        Ok(format!("GuardedPaths({})", listed.repr()?))
    }
}
