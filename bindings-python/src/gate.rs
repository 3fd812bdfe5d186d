//! `Gate` and `PendingDelivery`: `qstash-gate`'s verification (`bindings::Verification`) for the
//! framework helpers, which only move bytes. Every rule
//! (options, head, target, refusal, delivery) is the gate's `bindings` contract; this module
//! converts Python values to and from it.

use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use qstash_gate::IndexedHead;
use qstash_gate::bindings::{self, GateOptions, Step, Verification};
use qstash_gate::replay::ReplayGuard;

use crate::body::{BodyBytes, RELEASE_GIL_FROM};
use crate::delivery::Delivery;
use crate::errors::{raise, rejection_error};
use crate::options::{optional_number, text};
use crate::receiver::{Receiver, Token};
use crate::replay::RedisReplayGuard;

/// The head of a request as the gate reads it: every header it needs, looked up once, and
/// the original target. A header mapping with `getlist` (Starlette, Werkzeug) gives every line
/// of a repeated header; otherwise its `get` is used (Starlette's and Flask's mappings ignore
/// case; a plain `dict` needs lower-case names).
fn head_of(headers: &Bound<'_, PyAny>, target: &str) -> PyResult<IndexedHead<'static>> {
    let lines_of = headers.hasattr("getlist")?;
    IndexedHead::from_lookup(bindings::original_target(target).into_owned(), |name| -> PyResult<_> {
        if lines_of {
            let lines: Vec<Token> = headers.call_method1("getlist", (name,))?.extract()?;
            return Ok(lines.iter().map(|line| line.as_bytes().to_vec()).collect());
        }
        let value = headers.call_method1("get", (name,))?;
        Ok(if value.is_none() { Vec::new() } else { vec![value.extract::<Token>()?.as_bytes().to_vec()] })
    })
}

/// Checks deliveries for one endpoint: keys, URL policy, body limit, replay protection.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct Gate {
    gate: qstash_gate::Gate,
}

/// The receiver `make()` returns when a delivery arrives (its keys and clock tolerance).
fn made_by(make: Py<PyAny>) -> qstash_gate::KeySource {
    Arc::new(move || {
        Python::attach(|py| {
            let made = make.call0(py).map_err(|e| e.to_string())?;
            let receiver = made
                .bind(py)
                .cast::<Receiver>()
                .map_err(|_| "the function given as receiver did not return a Receiver".to_owned())?
                .get();
            if receiver.replay_guard().is_some() {
                return Err("a receiver made when deliveries arrive cannot bring replay protection: give \
                            replay_guard to the helper instead"
                    .to_owned());
            }
            Ok((*receiver.shared().load()).clone())
        })
    })
}

#[pymethods]
impl Gate {
    /// `Gate(receiver=None, *, url=None, public_base=None, forwarded=None,
    /// trusted_proxies=None, check_url=True, body_limit=None, replay_guard=None)`. Without a
    /// receiver, the keys are read from the environment (as `Receiver()` reads them) when a
    /// delivery arrives, not now; a function in its place makes the receiver then (Django's
    /// settings). Until the keys can be read every delivery is refused with 401 `no_keys`,
    /// its log line naming the fix (SPEC.md §7.10). A receiver built with `replay_protection=True` refuses
    /// replays within this process, a `RedisReplayGuard` across every process that shares its
    /// Redis. The URL policy is the request's path and query unless one of `url` (exact),
    /// `public_base`, `forwarded` (`"x-forwarded"` or `"forwarded"`: the header family your
    /// proxy sets, with `trusted_proxies` of them, default 1) or `check_url=False` is given.
    /// `on_outcome` is called with the `Outcome` of every delivery, accepted or refused; with
    /// the OpenTelemetry API installed, outcomes are also counted in `qstash.deliveries`.
    #[new]
    #[pyo3(signature = (receiver=None, *, url=None, public_base=None, forwarded=None, trusted_proxies=None, check_url=true, body_limit=None, replay_guard=None, on_outcome=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        receiver: Option<&Bound<'_, PyAny>>,
        url: Option<String>,
        public_base: Option<String>,
        forwarded: Option<&Bound<'_, PyAny>>,
        trusted_proxies: Option<&Bound<'_, PyAny>>,
        check_url: bool,
        body_limit: Option<&Bound<'_, PyAny>>,
        replay_guard: Option<&RedisReplayGuard>,
        on_outcome: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let mut options = GateOptions::default();
        options.url = url;
        options.public_base = public_base;
        options.forwarded = text(forwarded)?;
        options.trusted_proxies = optional_number("trusted_proxies", trusted_proxies)?;
        options.check_url = Some(check_url);
        options.body_limit = optional_number("body_limit", body_limit)?;
        let store = replay_guard.map(|guard| guard.shared() as Arc<dyn ReplayGuard>);
        let receiver = receiver.filter(|r| !r.is_none());
        let built = match receiver {
            Some(given) => match given.cast::<Receiver>() {
                Ok(receiver) => {
                    let receiver = receiver.get();
                    options.build(receiver.shared().clone(), receiver.replay_guard(), store)
                }
                Err(_) if given.is_callable() => options.build_on(
                    qstash_gate::Gate::keys_later(Some(made_by(given.clone().unbind()))),
                    None,
                    store,
                ),
                Err(_) => {
                    return Err(pyo3::exceptions::PyTypeError::new_err(
                        "receiver must be a Receiver, a function that returns one, or None",
                    ));
                }
            },
            None => options.build_on(
                qstash_gate::Gate::keys_later(Some(bindings::environment_keys(bindings::Language::Python))),
                None,
                store,
            ),
        };
        let mut gate = built.map_err(|e| raise(py, e))?;
        if let Some(hook) = crate::outcome::hook(py, on_outcome)? {
            gate = gate.with_outcome_hook(hook);
        }
        Ok(Gate { gate })
    }

    /// The largest body accepted, in bytes.
    #[getter]
    fn body_limit(&self) -> usize {
        self.gate.body_limit()
    }

    /// Checks the token, the URL and the declared length from the request head alone (nothing
    /// of the body is read) and returns the `PendingDelivery` to feed the body to; raises
    /// `QStashRejection`. `headers` is the request's header mapping, `target` its original
    /// path and query (or its absolute URL).
    fn verify_head(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        target: &str,
    ) -> PyResult<PendingDelivery> {
        match Verification::begin(&self.gate, head_of(headers, target)?) {
            Ok(verification) => Ok(PendingDelivery { state: Mutex::new(State::Ready(verification)) }),
            Err(refusal) => Err(rejection_error(py, *refusal)),
        }
    }

    /// The refusal for a body that could not be read (the client went away, broken framing):
    /// 400 `unreadable_body`, to raise from the helper that was reading it.
    fn unreadable(&self, py: Python<'_>, headers: &Bound<'_, PyAny>, target: &str) -> PyResult<PyErr> {
        Ok(rejection_error(py, *Verification::unreadable(&self.gate, &head_of(headers, target)?)))
    }

    /// Verifies an AWS Lambda HTTP event (API Gateway, function URL, load balancer) given as
    /// its JSON text, in one call: the `Delivery`, or `QStashRejection` whose `.response` is
    /// the proxy response (JSON text) in the event's shape. `ValueError` when it is not an HTTP
    /// event (a direct invocation, another trigger): there is no caller to answer.
    fn verify_lambda(&self, py: Python<'_>, event: &str) -> PyResult<Delivery> {
        let bindings::LambdaVerification { shape, body, verification, .. } =
            bindings::lambda_event(&self.gate, event.as_bytes())
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let step = match verification {
            Ok(mut verification) => match verification.finish() {
                Step::Wait(wait) => py.detach(|| wait.wait()),
                step => step,
            },
            Err(refusal) => Step::Refused(refusal),
        };
        let response = match &step {
            Step::Refused(refusal) => Some(refusal.lambda_response(shape)),
            _ => None,
        };
        crate::settle::decided(py, step, PyBytes::new(py, &body).into_any().unbind()).inspect_err(|error| {
            if let Some(response) = response {
                // A fresh exception takes a new attribute; were it refused, the answer would
                // still be the refusal, logged by the caller.
                let _ = error.value(py).setattr("response", response);
            }
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Gate(body_limit={}, replay_guard={})",
            self.gate.body_limit(),
            if self.gate.has_replay_guard() { "set" } else { "None" }
        )
    }
}

enum State {
    Ready(Verification),
    /// `update` took the verification out to hash a large chunk without the interpreter.
    Hashing,
    Finished,
}

/// A delivery whose token verified, waiting for its body: `update(chunk)` as it arrives (raises
/// `QStashRejection` 413 past the limit), then `finish(body)` (synchronous servers) or
/// `await finish_async(body)` (asyncio servers).
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct PendingDelivery {
    // Only ever held with the interpreter held, never across a release of it (see `update`).
    state: Mutex<State>,
}

fn finished() -> PyErr {
    PyRuntimeError::new_err("this PendingDelivery is already finished")
}

fn busy() -> PyErr {
    PyRuntimeError::new_err(
        "this PendingDelivery is being updated by another thread: feed a body from one thread",
    )
}

impl PendingDelivery {
    fn take(&self, next: State) -> PyResult<Verification> {
        let mut state = self.state.lock().map_err(|_| finished())?;
        match std::mem::replace(&mut *state, next) {
            State::Ready(verification) => Ok(verification),
            other => {
                let error = if matches!(other, State::Hashing) { busy() } else { finished() };
                *state = other;
                Err(error)
            }
        }
    }
}

#[pymethods]
impl PendingDelivery {
    /// Hashes the next chunk of the body (with the interpreter released for large chunks).
    fn update(&self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<()> {
        let chunk = BodyBytes::extract(chunk)?;
        let mut verification = self.take(State::Hashing)?;
        let verdict = if chunk.as_bytes().len() >= RELEASE_GIL_FROM {
            py.detach(|| verification.update(chunk.as_bytes()))
        } else {
            verification.update(chunk.as_bytes())
        };
        let (next, verdict) = match verdict {
            Ok(()) => (State::Ready(verification), Ok(())),
            Err(refusal) => (State::Finished, Err(rejection_error(py, *refusal))),
        };
        *self.state.lock().map_err(|_| finished())? = next;
        verdict
    }

    /// Checks the body's hash, parses the delivery headers and checks for a replay; returns the
    /// `Delivery` holding `body` (the bytes fed to `update`), or raises `QStashRejection`. A
    /// shared store (Redis) is waited for on this thread with the interpreter released: for
    /// synchronous servers; asyncio code awaits `finish_async` instead.
    fn finish(&self, py: Python<'_>, body: Py<PyAny>) -> PyResult<Delivery> {
        let step = match self.take(State::Finished)?.finish() {
            Step::Wait(wait) => py.detach(|| wait.wait()),
            step => step,
        };
        crate::settle::decided(py, step, body)
    }

    /// `finish` for asyncio servers: an awaitable of the `Delivery` (or of `QStashRejection`).
    /// A shared store (Redis) is asked on the store's own thread and the answer comes back
    /// through the event loop, so neither the loop nor any thread pool waits for it; the
    /// store's timeout bounds the wait (503 `replay_store_unavailable`).
    fn finish_async(&self, py: Python<'_>, body: Py<PyAny>) -> PyResult<Py<PyAny>> {
        crate::settle::future_of(py, self.take(State::Finished)?.finish(), body)
    }
}
