//! `Claims`: what a verified delivery tells the caller.

use pyo3::prelude::*;
use qstash_core::{KeyUsed, Region, Verified};

/// The verified claims of a delivery, returned by `Receiver.verify` (always truthy, so code
/// written for the official receiver's `None` keeps working when it only checks for an
/// exception).
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct Claims {
    claims: qstash_core::Claims,
    key: KeyUsed,
    region: Option<Region>,
}

impl Claims {
    pub(crate) fn new(verified: Verified) -> Self {
        Self::from_parts(verified.claims, verified.key, verified.region)
    }

    pub(crate) fn from_parts(claims: qstash_core::Claims, key: KeyUsed, region: Option<Region>) -> Self {
        Claims { claims, key, region }
    }
}

#[pymethods]
impl Claims {
    /// Always `"Upstash"`.
    #[getter]
    fn iss(&self) -> &'static str {
        self.claims.iss
    }

    /// The destination URL QStash delivered to.
    #[getter]
    fn sub(&self) -> &str {
        self.claims.sub()
    }

    /// The unique token id (`jwt_…`), the key for replay protection.
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.claims.jti()
    }

    /// Expiry, unix seconds.
    #[getter]
    fn exp(&self) -> f64 {
        self.claims.exp
    }

    /// Not-before, unix seconds.
    #[getter]
    fn nbf(&self) -> f64 {
        self.claims.nbf
    }

    /// Issued-at, unix seconds, when present.
    #[getter]
    fn iat(&self) -> Option<f64> {
        self.claims.iat
    }

    /// `"current"` or `"next"`: which signing key matched.
    #[getter]
    fn key(&self) -> &'static str {
        self.key.as_str()
    }

    /// The region whose key pair verified the token (`"EU_CENTRAL_1"`, …), or `None` for the
    /// default pair.
    #[getter]
    fn region(&self) -> Option<String> {
        self.region.as_ref().map(|r| r.as_str().to_owned())
    }

    fn __bool__(&self) -> bool {
        true
    }

    fn __repr__(&self) -> String {
        format!(
            "Claims(sub={:?}, jti={:?}, exp={}, key={:?}, region={:?})",
            self.sub(),
            self.jti(),
            self.exp(),
            self.key(),
            self.region()
        )
    }
}
