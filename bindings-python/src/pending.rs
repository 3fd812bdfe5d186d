//! `PendingBody`: a token that verified, waiting for its body (streamed in chunks).

use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use qstash_core::replay::MemoryReplayGuard;
use qstash_core::{BodyHasher, VerifiedToken};

use crate::body::{BodyBytes, RELEASE_GIL_FROM};
use crate::claims::Claims;
use crate::errors::signature_error;

/// Returned by `Receiver.verify_token`: feed the body with `update(chunk)` as it arrives, then
/// `finish()` returns the `Claims` or raises `SignatureError` (`body`).
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct PendingBody {
    // A lock, not a borrow flag: the object may be shared between threads.
    state: Mutex<Option<(VerifiedToken, BodyHasher)>>,
    replay: Option<Arc<MemoryReplayGuard>>,
    clock_tolerance: u64,
}

impl PendingBody {
    pub(crate) fn new(
        token: VerifiedToken,
        replay: Option<Arc<MemoryReplayGuard>>,
        clock_tolerance: u64,
    ) -> Self {
        let hasher = token.body_hasher();
        PendingBody { state: Mutex::new(Some((token, hasher))), replay, clock_tolerance }
    }
}

fn finished() -> PyErr {
    PyRuntimeError::new_err("this PendingBody is already finished")
}

#[pymethods]
impl PendingBody {
    /// Hashes the next chunk of the body.
    fn update(&self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<()> {
        let chunk = BodyBytes::extract(chunk)?;
        let mut state = self.state.lock().map_err(|_| finished())?;
        let (_, hasher) = state.as_mut().ok_or_else(finished)?;
        if chunk.as_bytes().len() >= RELEASE_GIL_FROM {
            py.detach(|| hasher.update(chunk.as_bytes()));
        } else {
            hasher.update(chunk.as_bytes());
        }
        Ok(())
    }

    /// Compares the hash of everything passed to `update` with the token.
    fn finish(&self, py: Python<'_>) -> PyResult<Claims> {
        let (token, hasher) = self.state.lock().map_err(|_| finished())?.take().ok_or_else(finished)?;
        let verified = hasher.verify(token).map_err(|e| signature_error(py, &e))?;
        if let Some(guard) = &self.replay {
            guard.check_verified(&verified, self.clock_tolerance).map_err(|e| signature_error(py, &e))?;
        }
        Ok(Claims::new(verified))
    }

    /// The destination URL the verified token names (before the body is checked).
    #[getter]
    fn sub(&self) -> PyResult<String> {
        let state = self.state.lock().map_err(|_| finished())?;
        let (token, _) = state.as_ref().ok_or_else(finished)?;
        Ok(token.claims().sub().to_owned())
    }
}
