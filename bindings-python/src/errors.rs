//! The two exception types, with the stable reason codes of SPEC.md §3 on `.reason`.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;

create_exception!(
    qstash_verify,
    SignatureError,
    PyException,
    "A delivery did not verify. `.reason` is the stable code (`missing`, `malformed`, `signature`, \
     `issuer`, `expired`, `not_yet_valid`, `subject`, `body`, `no_keys`)."
);

create_exception!(
    qstash_verify,
    ConfigError,
    PyValueError,
    "Keys or regions that cannot build a receiver or signer (empty keys, the public development \
     keys outside `dev()`, bad region names, missing environment variables). `.reason` is `config`."
);

/// A `SignatureError` carrying `reason`.
pub(crate) fn signature_error(py: Python<'_>, error: &qstash_core::VerifyError) -> PyErr {
    with_reason(py, SignatureError::new_err(error.to_string()), error.reason())
}

/// A `ConfigError` (`reason == "config"`).
pub(crate) fn config_error(py: Python<'_>, error: &qstash_core::ConfigError) -> PyErr {
    with_reason(py, ConfigError::new_err(error.to_string()), error.reason())
}

fn with_reason(py: Python<'_>, error: PyErr, reason: &'static str) -> PyErr {
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it ever
    // did, the exception is still raised, only without `.reason`.
    let _ = error.value(py).setattr("reason", reason);
    error
}
