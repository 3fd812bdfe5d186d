//! `Claims`: what a verified delivery tells the caller (the gate's `ClaimsView`).

use pyo3::prelude::*;
use qstash_gate::bindings::ClaimsView;

use crate::options::repr;

/// The verified claims of a delivery, returned by `Receiver.verify` (always truthy, so code
/// written for the official receiver's `None` keeps working when it only checks for an
/// exception).
// A free list: one is made for every verification, and reusing the memory of the last ones
// saves an allocation and a free per call.
#[pyclass(frozen, freelist = 64, module = "qstash_verify._native")]
pub(crate) struct Claims {
    view: ClaimsView,
}

impl From<ClaimsView> for Claims {
    fn from(view: ClaimsView) -> Self {
        Claims { view }
    }
}

#[pymethods]
impl Claims {
    /// Always `"Upstash"`.
    #[getter]
    fn iss(&self) -> &'static str {
        self.view.iss()
    }

    /// The destination URL QStash delivered to.
    #[getter]
    fn sub(&self) -> &str {
        self.view.sub()
    }

    /// The unique token id (`jwt_…`), the key for replay protection.
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.view.jti()
    }

    /// Expiry, unix seconds.
    #[getter]
    fn exp(&self) -> f64 {
        self.view.exp()
    }

    /// Not-before, unix seconds.
    #[getter]
    fn nbf(&self) -> f64 {
        self.view.nbf()
    }

    /// Issued-at, unix seconds, when present.
    #[getter]
    fn iat(&self) -> Option<f64> {
        self.view.iat()
    }

    /// `"current"` or `"next"`: which signing key matched.
    #[getter]
    fn key(&self) -> &'static str {
        self.view.key()
    }

    /// The region whose key pair verified the token (`"EU_CENTRAL_1"`, …), or `None` for the
    /// default pair.
    #[getter]
    fn region(&self) -> Option<&str> {
        self.view.region()
    }

    fn __bool__(&self) -> bool {
        true
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let float = |x: Option<f64>| -> PyResult<String> {
            match x {
                Some(x) => pyo3::types::PyFloat::new(py, x).repr()?.extract(),
                None => Ok("None".to_owned()),
            }
        };
        Ok(format!(
            "Claims(sub={}, jti={}, exp={}, nbf={}, iat={}, key={}, region={})",
            repr(py, Some(self.view.sub()))?,
            repr(py, self.view.jti())?,
            float(Some(self.view.exp()))?,
            float(Some(self.view.nbf()))?,
            float(self.view.iat())?,
            repr(py, Some(self.view.key()))?,
            repr(py, self.view.region())?,
        ))
    }
}
