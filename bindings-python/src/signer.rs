//! `Signer`: mints tokens exactly as QStash does, for tests and local development.

use pyo3::prelude::*;

use crate::body::BodyBytes;
use crate::errors::raise;

/// Mints `Upstash-Signature` tokens with one signing key, byte-identical in shape to QStash's.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct Signer {
    inner: qstash_core::Signer,
}

#[pymethods]
impl Signer {
    /// A signer with `key` (refuses empty keys and the development keys: use `dev()`).
    #[new]
    fn new(py: Python<'_>, key: &str) -> PyResult<Self> {
        qstash_core::Signer::new(key).map(|inner| Signer { inner }).map_err(|e| raise(py, e))
    }

    /// A signer with the public development current key (what `Receiver.dev()` accepts).
    #[staticmethod]
    fn dev() -> Self {
        Signer { inner: qstash_core::Signer::dev() }
    }

    /// A signer with the public development next key.
    #[staticmethod]
    fn dev_next() -> Self {
        Signer { inner: qstash_core::Signer::dev_next() }
    }

    /// A token for a delivery of `body` to `url`. `now` (unix seconds) replaces the clock;
    /// `lifetime` (default 300 s), `not_before`, `expires_at`, `jti` and `issuer` override
    /// the claims QStash would set.
    #[pyo3(signature = (url, body, *, now=None, lifetime=None, not_before=None, expires_at=None, jti=None, issuer=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        url: &str,
        body: &Bound<'_, PyAny>,
        now: Option<i64>,
        lifetime: Option<i64>,
        not_before: Option<i64>,
        expires_at: Option<i64>,
        jti: Option<&str>,
        issuer: Option<&str>,
    ) -> PyResult<String> {
        let body = BodyBytes::extract(body)?;
        let mut token = self.inner.token(url, body.as_bytes());
        if let Some(lifetime) = lifetime {
            token = token.lifetime(lifetime);
        }
        if let Some(nbf) = not_before {
            token = token.not_before(nbf);
        }
        if let Some(exp) = expires_at {
            token = token.expires_at(exp);
        }
        if let Some(jti) = jti {
            token = token.jti(jti);
        }
        if let Some(issuer) = issuer {
            token = token.issuer(issuer);
        }
        Ok(match now {
            Some(now) => token.sign_at(now),
            None => token.sign(),
        })
    }

    fn __repr__(&self) -> &'static str {
        "Signer(key=[REDACTED])"
    }
}
