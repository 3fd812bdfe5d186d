//! `PendingBody`: a token that verified, waiting for its body (streamed in chunks).

use std::sync::{Arc, Mutex, MutexGuard};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use qstash_core::{BodyHasher, VerifiedToken};
use qstash_gate::replay::MemoryReplayGuard;

use crate::body::{BodyBytes, RELEASE_GIL_FROM};
use crate::claims::Claims;
use crate::errors::raise;

/// Returned by `Receiver.verify_token`: feed the body with `update(chunk)` as it arrives, then
/// `finish()` returns the `Claims` or raises `SignatureError` (`body`).
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct PendingBody {
    // A lock, not a borrow flag: the object may be shared between threads. It is only ever
    // held with the interpreter held and never across a release of it: a thread that released
    // the interpreter while holding it would deadlock against a thread that holds the
    // interpreter and waits for the lock.
    state: Mutex<State>,
    replay: Option<Arc<MemoryReplayGuard>>,
    clock_tolerance: u64,
}

enum State {
    Ready(Box<(VerifiedToken, BodyHasher)>),
    /// `update` took the hasher out to hash a large chunk without the interpreter.
    Hashing,
    Finished,
}

impl PendingBody {
    pub(crate) fn new(
        token: VerifiedToken,
        replay: Option<Arc<MemoryReplayGuard>>,
        clock_tolerance: u64,
    ) -> Self {
        let hasher = token.body_hasher();
        PendingBody { state: Mutex::new(State::Ready(Box::new((token, hasher)))), replay, clock_tolerance }
    }
}

fn finished() -> PyErr {
    PyRuntimeError::new_err("this PendingBody is already finished")
}

fn busy() -> PyErr {
    PyRuntimeError::new_err(
        "this PendingBody is being updated by another thread: feed a body from one thread",
    )
}

impl PendingBody {
    fn lock(&self) -> PyResult<MutexGuard<'_, State>> {
        self.state.lock().map_err(|_| finished())
    }

    /// Takes the token and hasher out, leaving `next` in their place.
    fn take(&self, next: State) -> PyResult<Box<(VerifiedToken, BodyHasher)>> {
        let mut state = self.lock()?;
        match std::mem::replace(&mut *state, next) {
            State::Ready(ready) => Ok(ready),
            other => {
                let error = if matches!(other, State::Hashing) { busy() } else { finished() };
                *state = other;
                Err(error)
            }
        }
    }
}

#[pymethods]
impl PendingBody {
    /// Hashes the next chunk of the body.
    fn update(&self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<()> {
        let chunk = BodyBytes::extract(chunk)?;
        if chunk.as_bytes().len() < RELEASE_GIL_FROM {
            let mut state = self.lock()?;
            return match &mut *state {
                State::Ready(ready) => {
                    ready.1.update(chunk.as_bytes());
                    Ok(())
                }
                State::Hashing => Err(busy()),
                State::Finished => Err(finished()),
            };
        }
        let mut ready = self.take(State::Hashing)?;
        py.detach(|| ready.1.update(chunk.as_bytes()));
        *self.lock()? = State::Ready(ready);
        Ok(())
    }

    /// Compares the hash of everything passed to `update` with the token.
    fn finish(&self, py: Python<'_>) -> PyResult<Claims> {
        let (token, hasher) = *self.take(State::Finished)?;
        let verified = hasher.verify(token).map_err(|e| raise(py, e))?;
        if let Some(guard) = &self.replay {
            guard.check_verified(&verified, self.clock_tolerance).map_err(|e| raise(py, e))?;
        }
        Ok(Claims::from(qstash_gate::bindings::ClaimsView::from(verified)))
    }

    /// The destination URL the verified token names (before the body is checked).
    #[getter]
    fn sub(&self) -> PyResult<String> {
        match &*self.lock()? {
            State::Ready(ready) => Ok(ready.0.claims().sub().to_owned()),
            State::Hashing => Err(busy()),
            State::Finished => Err(finished()),
        }
    }
}
