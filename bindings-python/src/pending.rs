//! `PendingBody`: a token that verified, waiting for its body (streamed in chunks).

use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use qstash_gate::bindings::TokenBody;

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
}

enum State {
    Ready(Box<TokenBody>),
    /// `update` took the hasher out to hash a large chunk without the interpreter.
    Hashing,
    Finished,
}

impl PendingBody {
    pub(crate) fn new(body: TokenBody) -> Self {
        PendingBody { state: Mutex::new(State::Ready(Box::new(body))) }
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

    /// Takes the body out, leaving `next` in its place.
    fn take(&self, next: State) -> PyResult<Box<TokenBody>> {
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
                    ready.update(chunk.as_bytes());
                    Ok(())
                }
                State::Hashing => Err(busy()),
                State::Finished => Err(finished()),
            };
        }
        let mut ready = self.take(State::Hashing)?;
        py.detach(|| ready.update(chunk.as_bytes()));
        *self.lock()? = State::Ready(ready);
        Ok(())
    }

    /// Compares the hash of everything passed to `update` with the token.
    fn finish(&self, py: Python<'_>) -> PyResult<Claims> {
        let body = self.take(State::Finished)?;
        Ok(Claims::from(body.finish().map_err(|e| raise(py, e))?))
    }

    /// The destination URL the verified token names (before the body is checked).
    #[getter]
    fn sub(&self) -> PyResult<String> {
        match &*self.lock()? {
            State::Ready(ready) => Ok(ready.sub().to_owned()),
            State::Hashing => Err(busy()),
            State::Finished => Err(finished()),
        }
    }
}
