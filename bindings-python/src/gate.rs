//! `Gate`, `PendingDelivery`, `Delivery` and the `Rejection` exception: `qstash-gate`'s
//! request-to-verdict sequence for the FastAPI and Flask helpers, which only move bytes.

use std::sync::Mutex;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use qstash_core::SharedReceiver;
use qstash_gate::{HEADERS_READ, HeadValues, Rejection, UrlPolicy, join_lines};

use crate::body::{BodyBytes, RELEASE_GIL_FROM};
use crate::claims::Claims;
use crate::errors::config_error;
use crate::receiver::{Receiver, Token};
use crate::replay::RedisReplayGuard;

create_exception!(
    qstash_verify,
    QStashRejection,
    PyException,
    "A request the gate refused. `.status` (401, 413, 400 or 503), `.reason` (the stable code), \
     `.body` (the JSON text to answer with), `.headers` (the response headers) and \
     `.log_message` (what to log: reason, message id and path, never the token) say everything \
     the response needs."
);

/// The Python exception for a gate refusal, logged the way the gate logs it.
fn rejection_error(
    py: Python<'_>,
    gate: &qstash_gate::Gate,
    rejection: &Rejection,
    head: &HeadValues,
) -> PyErr {
    let error = QStashRejection::new_err(rejection.to_string());
    let value = error.value(py);
    let headers = PyDict::new(py);
    // Setting attributes on a fresh exception and items on a fresh dict cannot fail in
    // practice; if one ever did, the exception is still raised with what it has.
    let _ = headers.set_item("content-type", "application/json");
    if let Some(scheme) = rejection.www_authenticate() {
        let _ = headers.set_item("www-authenticate", scheme);
    }
    let _ = value.setattr("status", rejection.status());
    let _ = value.setattr("reason", rejection.reason());
    let _ = value.setattr("error", rejection.error());
    let _ = value.setattr("body", rejection.json_body());
    let _ = value.setattr("headers", headers);
    let _ = value.setattr("log_message", gate.log_line(rejection, head));
    error
}

/// The head of a request as the gate reads it: every header it needs, looked up once, and the
/// raw path and query. A header mapping with `getlist` (Starlette, Werkzeug) gives every line
/// of a repeated header, joined as the gate expects; otherwise its `get` is used (Starlette's
/// and Flask's mappings ignore case; a plain `dict` needs lower-case names).
fn head_of(headers: &Bound<'_, PyAny>, target: &str) -> PyResult<HeadValues> {
    let mut head = HeadValues { target: target.to_owned(), ..HeadValues::default() };
    let lines_of = headers.hasattr("getlist")?;
    for (slot, name) in head.values.iter_mut().zip(HEADERS_READ) {
        if lines_of {
            let lines: Vec<Token> = headers.call_method1("getlist", (name,))?.extract()?;
            if !lines.is_empty() {
                *slot = Some(join_lines(lines.iter().map(Token::as_bytes)));
            }
        } else {
            let value = headers.call_method1("get", (name,))?;
            if !value.is_none() {
                *slot = Some(value.extract::<Token>()?.as_bytes().to_vec());
            }
        }
    }
    Ok(head)
}

/// Checks deliveries for one endpoint: keys, URL policy, body limit, replay protection.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct Gate {
    gate: qstash_gate::Gate,
}

#[pymethods]
impl Gate {
    /// `Gate(receiver=None, *, url=None, public_base=None, forwarded=None, check_url=True,
    /// body_limit=DEFAULT_BODY_LIMIT, replay_guard=None)`. Without a receiver,
    /// `Receiver.from_env()`; a receiver built with `replay_protection=True` refuses replays
    /// within this process, a `RedisReplayGuard` across every process that shares its Redis.
    /// The URL policy is the request's path and query unless one of `url` (exact),
    /// `public_base`, `forwarded` (the number of trusted proxies whose `Forwarded` /
    /// `X-Forwarded-*` headers count) or `check_url=False` is given.
    #[new]
    #[pyo3(signature = (receiver=None, *, url=None, public_base=None, forwarded=None, check_url=true, body_limit=qstash_gate::DEFAULT_BODY_LIMIT, replay_guard=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        receiver: Option<&Receiver>,
        url: Option<String>,
        public_base: Option<String>,
        forwarded: Option<usize>,
        check_url: bool,
        body_limit: usize,
        replay_guard: Option<&RedisReplayGuard>,
    ) -> PyResult<Self> {
        let policy =
            UrlPolicy::from_options(url, public_base, forwarded, check_url).map_err(PyValueError::new_err)?;
        let (shared, replay) = match receiver {
            Some(receiver) => (receiver.shared().clone(), receiver.replay_guard()),
            None => {
                let receiver = qstash_core::Receiver::from_env().map_err(|e| config_error(py, &e))?;
                (SharedReceiver::new(receiver), None)
            }
        };
        let mut gate = qstash_gate::Gate::new(shared).with_url_policy(policy).with_body_limit(body_limit);
        match (replay, replay_guard) {
            (Some(_), Some(_)) => {
                return Err(PyValueError::new_err(
                    "the receiver already has in-memory replay protection: pass replay_guard= or \
                     replay_protection=True, not both",
                ));
            }
            (Some(memory), None) => gate = gate.with_replay_guard(memory),
            (None, Some(redis)) => gate = gate.with_replay_guard(redis.shared()),
            (None, None) => {}
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
    /// `QStashRejection`. `headers` is the request's header mapping, `target` its raw path and
    /// query.
    fn verify_head(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        target: &str,
    ) -> PyResult<PendingDelivery> {
        let head = head_of(headers, target)?;
        match self.gate.verify_head(&head) {
            Ok(pending) => Ok(PendingDelivery {
                gate: self.gate.clone(),
                head: head.clone(),
                state: Mutex::new(State::Ready(pending)),
            }),
            Err(rejection) => Err(rejection_error(py, &self.gate, &rejection, &head)),
        }
    }

    /// The refusal for a body that could not be read (the client went away, broken framing):
    /// 400 `unreadable_body`, to raise from the helper that was reading it.
    fn unreadable(&self, py: Python<'_>, headers: &Bound<'_, PyAny>, target: &str) -> PyResult<PyErr> {
        let head = head_of(headers, target)?;
        Ok(rejection_error(py, &self.gate, &Rejection::BadBody, &head))
    }
}

enum State {
    Ready(qstash_gate::Pending),
    /// `update` took the pending delivery out to hash a large chunk without the interpreter.
    Hashing,
    Finished,
}

/// A delivery whose token verified, waiting for its body: `update(chunk)` as it arrives (raises
/// `QStashRejection` 413 past the limit), then `finish(body)`.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct PendingDelivery {
    gate: qstash_gate::Gate,
    head: HeadValues,
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
    fn take(&self, next: State) -> PyResult<qstash_gate::Pending> {
        let mut state = self.state.lock().map_err(|_| finished())?;
        match std::mem::replace(&mut *state, next) {
            State::Ready(pending) => Ok(pending),
            other => {
                let error = if matches!(other, State::Hashing) { busy() } else { finished() };
                *state = other;
                Err(error)
            }
        }
    }

    fn reject(&self, py: Python<'_>, rejection: &Rejection) -> PyErr {
        rejection_error(py, &self.gate, rejection, &self.head)
    }
}

#[pymethods]
impl PendingDelivery {
    /// Hashes the next chunk of the body (with the interpreter released for large chunks).
    fn update(&self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<()> {
        let chunk = BodyBytes::extract(chunk)?;
        let mut pending = self.take(State::Hashing)?;
        let verdict = if chunk.as_bytes().len() >= RELEASE_GIL_FROM {
            py.detach(|| pending.update(chunk.as_bytes()))
        } else {
            pending.update(chunk.as_bytes())
        };
        match verdict {
            Ok(()) => {
                *self.state.lock().map_err(|_| finished())? = State::Ready(pending);
                Ok(())
            }
            Err(rejection) => {
                *self.state.lock().map_err(|_| finished())? = State::Finished;
                Err(self.reject(py, &rejection))
            }
        }
    }

    /// Checks the body's hash, parses the delivery headers and checks for a replay; returns the
    /// `Delivery` holding `body` (the bytes fed to `update`), or raises `QStashRejection`.
    fn finish(&self, py: Python<'_>, body: Py<PyAny>) -> PyResult<Delivery> {
        let pending = self.take(State::Finished)?;
        let delivery = if self.gate.replay_waits() {
            let delivery = pending.finish(&self.head).map_err(|rejection| self.reject(py, &rejection))?;
            if let Some(check) = self.gate.replay_check(&delivery) {
                crate::replay::block_on(py, check).map_err(|rejection| self.reject(py, &rejection))?;
            }
            delivery
        } else {
            self.gate.finish_now(pending, &self.head).map_err(|rejection| self.reject(py, &rejection))?
        };
        let qstash_gate::Delivery {
            claims,
            key,
            region,
            message_id,
            retried,
            region_header,
            schedule_id,
            topic_name,
            ..
        } = delivery;
        Ok(Delivery {
            claims: Py::new(py, Claims::from_parts(claims, key, region))?,
            body,
            message_id,
            retried,
            region: region_header,
            schedule_id,
            topic_name,
        })
    }
}

/// A verified delivery: the signed claims, the exact body bytes, and the (unsigned) delivery
/// headers QStash sets (absent when missing or not valid).
#[pyclass(frozen, get_all, module = "qstash_verify._native")]
pub(crate) struct Delivery {
    /// The verified claims.
    claims: Py<Claims>,
    /// The exact body bytes QStash signed.
    body: Py<PyAny>,
    /// `Upstash-Message-Id`.
    message_id: Option<String>,
    /// `Upstash-Retried`: how many times QStash retried this message.
    retried: Option<u32>,
    /// `Upstash-Region` as sent.
    region: Option<String>,
    /// `Upstash-Schedule-Id`.
    schedule_id: Option<String>,
    /// `Upstash-Topic-Name` (URL group).
    topic_name: Option<String>,
}

#[pymethods]
impl Delivery {
    fn __repr__(&self) -> String {
        format!(
            "Delivery(message_id={:?}, retried={:?}, region={:?}, schedule_id={:?}, topic_name={:?})",
            self.message_id, self.retried, self.region, self.schedule_id, self.topic_name
        )
    }
}
