//! `Receiver`: the drop-in for `qstash.Receiver`.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use std::sync::Arc;

use qstash_core::{KeyPair, SharedReceiver, Verified};
use qstash_gate::bindings::{self, ClaimsView, TokenBody};
use qstash_gate::replay::MemoryReplayGuard;

use crate::body::{BodyBytes, RELEASE_GIL_FROM};
use crate::claims::Claims;
use crate::errors::raise;
use crate::options::optional_number;
use crate::pending::PendingBody;

/// The `Upstash-Signature` header value, as `str` or `bytes` (`None` = header absent).
#[derive(FromPyObject)]
pub(crate) enum Token {
    Str(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl Token {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Token::Str(s) => s.as_bytes(),
            Token::Bytes(b) => b,
        }
    }
}

/// Verifies QStash deliveries. Thread-safe; keys can be replaced while other threads verify.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct Receiver {
    inner: SharedReceiver,
    replay: Option<Arc<MemoryReplayGuard>>,
}

/// The in-memory replay guard of `replay_protection=True`, holding `replay_capacity` ids.
fn guard(
    py: Python<'_>,
    replay_protection: bool,
    replay_capacity: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Arc<MemoryReplayGuard>>> {
    let capacity = optional_number("replay_capacity", replay_capacity)?;
    bindings::memory_guard(replay_protection, capacity).map_err(|e| raise(py, e))
}

fn keys(py: Python<'_>, current: &str, next: &str) -> PyResult<KeyPair> {
    KeyPair::new(current, next).map_err(|e| raise(py, e))
}

fn tolerance(py: Python<'_>, clock_tolerance: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    optional_number("clock_tolerance", clock_tolerance)?
        .map(|t| bindings::clock_tolerance(t).map_err(|e| raise(py, e)))
        .transpose()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Receiver {
    /// The keys, shared with every gate built on this receiver.
    pub(crate) fn shared(&self) -> &SharedReceiver {
        &self.inner
    }

    /// The replay guard of `replay_protection=True`, shared with the gates built on it.
    pub(crate) fn replay_guard(&self) -> Option<Arc<MemoryReplayGuard>> {
        self.replay.clone()
    }

    fn check_replay(&self, py: Python<'_>, verified: &Verified, tolerance: Option<u64>) -> PyResult<()> {
        let Some(guard) = &self.replay else { return Ok(()) };
        let tolerance = tolerance.unwrap_or_else(|| self.inner.load().clock_tolerance());
        guard.check_verified(verified, tolerance).map_err(|e| raise(py, e))
    }
}

#[pymethods]
impl Receiver {
    /// `Receiver(current_signing_key, next_signing_key)`, as the official SDK; optional
    /// per-region pairs (`regions={"EU_CENTRAL_1": (current, next)}`) and a default clock
    /// tolerance in seconds. Without keys, they come from the environment (`from_env()`).
    /// Refuses empty keys and the public development keys unless development mode is on:
    /// `dev_mode=True`, or `QSTASH_DEV=1` in the environment when `dev_mode` is not given.
    ///
    /// `replay_protection=True` refuses a token whose `jti` this receiver already accepted
    /// (reason `replayed`), remembering up to `replay_capacity` ids (default 100 000) until
    /// they expire.
    #[new]
    #[pyo3(signature = (current_signing_key=None, next_signing_key=None, *, regions=None, clock_tolerance=None, dev_mode=None, replay_protection=false, replay_capacity=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        current_signing_key: Option<&str>,
        next_signing_key: Option<&str>,
        regions: Option<HashMap<String, (String, String)>>,
        clock_tolerance: Option<&Bound<'_, PyAny>>,
        dev_mode: Option<bool>,
        replay_protection: bool,
        replay_capacity: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let regions = regions.unwrap_or_default();
        let options = qstash_core::ReceiverOptions {
            current: current_signing_key,
            next: next_signing_key,
            dev: dev_mode,
            regions: regions
                .iter()
                .map(|(name, (current, next))| (name.as_str(), current.as_str(), next.as_str()))
                .collect(),
            clock_tolerance: tolerance(py, clock_tolerance)?.unwrap_or(0),
        };
        let receiver = qstash_core::Receiver::from_options(&options, |name| std::env::var(name).ok())
            .map_err(|e| raise(py, e))?;
        Ok(Receiver { inner: receiver.into(), replay: guard(py, replay_protection, replay_capacity)? })
    }

    /// A receiver with the public local-development keys (QStash CLI dev server, tests).
    #[staticmethod]
    #[pyo3(signature = (*, replay_protection=false, replay_capacity=None))]
    fn dev(
        py: Python<'_>,
        replay_protection: bool,
        replay_capacity: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Ok(Receiver {
            inner: qstash_core::Receiver::dev().into(),
            replay: guard(py, replay_protection, replay_capacity)?,
        })
    }

    /// Keys from `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY` and, when
    /// `QSTASH_REGION` is set, the `{REGION}_QSTASH_*_SIGNING_KEY` pairs; the development keys
    /// when `QSTASH_DEV=1` (as `qstash-kit dev` prints).
    #[staticmethod]
    #[pyo3(signature = (*, replay_protection=false, replay_capacity=None))]
    fn from_env(
        py: Python<'_>,
        replay_protection: bool,
        replay_capacity: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let receiver = qstash_core::Receiver::from_env().map_err(|e| raise(py, e))?;
        Ok(Receiver { inner: receiver.into(), replay: guard(py, replay_protection, replay_capacity)? })
    }

    /// Verifies a delivery and returns its `Claims`; raises `SignatureError` (with `.reason`)
    /// otherwise. `body` is the raw body: `bytes`, `bytearray`, `memoryview` or `str`
    /// (hashed as UTF-8). `url=None` skips the URL check; `now` (unix seconds) replaces the
    /// system clock.
    #[pyo3(signature = (*, signature, body, url=None, clock_tolerance=None, region=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        py: Python<'_>,
        signature: Option<Token>,
        body: &Bound<'_, PyAny>,
        url: Option<&str>,
        clock_tolerance: Option<&Bound<'_, PyAny>>,
        region: Option<&str>,
        now: Option<i64>,
    ) -> PyResult<Claims> {
        let body = BodyBytes::extract(body)?;
        let tolerance = tolerance(py, clock_tolerance)?;
        let now = now.unwrap_or_else(unix_now);
        let run = || {
            let request = bindings::request(
                signature.as_ref().map(Token::as_bytes),
                body.as_bytes(),
                url,
                region,
                tolerance,
            );
            self.inner.verify_at(&request, now)
        };
        let verdict = if body.as_bytes().len() >= RELEASE_GIL_FROM { py.detach(run) } else { run() };
        let verified = verdict.map_err(|e| raise(py, e))?;
        self.check_replay(py, &verified, tolerance)?;
        Ok(Claims::from(ClaimsView::from(verified)))
    }

    /// Verifies everything but the body, before it is read; returns a `PendingBody` to feed
    /// the body to. `path_and_query` (`"/hook?x=1"`) applies the path-and-query URL policy.
    #[pyo3(signature = (*, signature, url=None, path_and_query=None, clock_tolerance=None, region=None, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify_token(
        &self,
        py: Python<'_>,
        signature: Option<Token>,
        url: Option<&str>,
        path_and_query: Option<&str>,
        clock_tolerance: Option<&Bound<'_, PyAny>>,
        region: Option<&str>,
        now: Option<i64>,
    ) -> PyResult<PendingBody> {
        let tolerance = tolerance(py, clock_tolerance)?;
        let request = bindings::request(signature.as_ref().map(Token::as_bytes), &[], url, region, tolerance);
        let token =
            self.inner.verify_token_at(&request, now.unwrap_or_else(unix_now)).map_err(|e| raise(py, e))?;
        if let Some(target) = path_and_query {
            if !qstash_gate::subject_matches_target(token.claims().sub(), target) {
                return Err(raise(py, qstash_core::VerifyError::Subject));
            }
        }
        let tolerance = tolerance.unwrap_or_else(|| self.inner.load().clock_tolerance());
        Ok(PendingBody::new(TokenBody::new(token, self.replay.clone(), tolerance)))
    }

    /// Replaces the default key pair on this live receiver (key rotation); verifications that
    /// start afterwards use the new keys, in every thread.
    fn replace_keys(
        &self,
        py: Python<'_>,
        current_signing_key: &str,
        next_signing_key: &str,
    ) -> PyResult<()> {
        self.inner.replace_keys(keys(py, current_signing_key, next_signing_key)?);
        Ok(())
    }

    /// Token ids the replay guard remembers now (0 without replay protection).
    #[getter]
    fn replay_entries(&self) -> usize {
        self.replay.as_ref().map_or(0, |g| g.len())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let receiver = self.inner.load();
        let keys = if receiver.has_default_keys() { "[REDACTED]" } else { "None" };
        let regions = receiver
            .regions()
            .map(|region| crate::options::repr(py, Some(region.as_str())))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(format!(
            "Receiver(current_signing_key={keys}, next_signing_key={keys}, regions=[{}], clock_tolerance={}, \
             replay_protection={})",
            regions.join(", "),
            receiver.clock_tolerance(),
            if self.replay.is_some() { "True" } else { "False" },
        ))
    }
}
