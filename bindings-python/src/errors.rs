//! The exceptions, raised by the one convention of the bindings (`qstash_gate::host::HostError`):
//! a reason code raises `SignatureError` with `.reason`, `config` raises `ConfigError`.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use qstash_gate::host::HostError;

create_exception!(
    qstash_verify,
    SignatureError,
    PyException,
    "A delivery did not verify. `.reason` is the stable code (`missing`, `malformed`, `signature`, \
     `issuer`, `expired`, `not_yet_valid`, `subject`, `body`, `no_keys`, `replayed`)."
);

create_exception!(
    qstash_verify,
    ConfigError,
    PyValueError,
    "Keys, regions or options that cannot work (empty keys, the public development keys outside \
     `dev()`, bad region names, missing environment variables, out-of-range numbers). `.reason` \
     is `config`."
);

/// The exception for an error of the gate or the core.
pub(crate) fn raise(py: Python<'_>, error: impl Into<HostError>) -> PyErr {
    let error = error.into();
    let exception = if error.is_verification() {
        SignatureError::new_err(error.message().to_owned())
    } else {
        ConfigError::new_err(error.message().to_owned())
    };
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it ever
    // did, the exception is still raised, only without `.reason`.
    let _ = exception.value(py).setattr("reason", error.code());
    exception
}
