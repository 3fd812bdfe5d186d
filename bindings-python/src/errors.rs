//! The exceptions, raised by the one convention of the bindings (`qstash_gate::bindings::HostError`):
//! a reason code raises `SignatureError` with `.reason`, `config` raises `ConfigError`.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use qstash_gate::bindings::{HostError, Language, Refusal};

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
     `dev()` and `QSTASH_DEV=1`, bad region names, missing environment variables, out-of-range \
     numbers). `.reason` is `config`."
);

/// `SignatureError` joined with the official `qstash.errors.SignatureError`, made once the
/// official package has been imported.
static WITH_OFFICIAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The class a refusal is raised as. Once the official package is imported, a subclass of both
/// `SignatureError` and the official `qstash.errors.SignatureError`, so code written for the
/// official package (`except qstash.errors.SignatureError`) still catches it. Looked up when a
/// refusal is raised rather than at import: importing the official package costs a quarter of a
/// second, and code that catches its class has imported it by then, before or after this
/// module. (`SignatureError.__bases__` cannot be changed instead: CPython refuses, the two
/// bases' layouts differ.)
fn refusal_class(py: Python<'_>) -> Bound<'_, PyType> {
    if let Some(joined) = WITH_OFFICIAL.get(py) {
        return joined.bind(py).clone();
    }
    let ours = py.get_type::<SignatureError>();
    let official = py
        .import("sys")
        .and_then(|sys| sys.getattr("modules"))
        .and_then(|modules| modules.get_item("qstash.errors"))
        .and_then(|errors| errors.getattr("SignatureError"));
    let Ok(official) = official else { return ours };
    let joined = (|| -> PyResult<Py<PyType>> {
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", ours.getattr("__module__")?)?;
        namespace.set_item("__qualname__", "SignatureError")?;
        namespace.set_item("__doc__", ours.getattr("__doc__")?)?;
        let joined =
            py.get_type::<PyType>().call1(("SignatureError", (ours.clone(), official), namespace))?;
        Ok(joined.cast_into::<PyType>()?.unbind())
    })();
    match joined {
        Ok(joined) => WITH_OFFICIAL.get_or_init(py, || joined).bind(py).clone(),
        // An official class that cannot be joined (a future release with an incompatible
        // layout) leaves the refusal qstash-verify's own.
        Err(_) => ours,
    }
}

/// The exception for an error of the gate or the core.
pub(crate) fn raise(py: Python<'_>, error: impl Into<HostError>) -> PyErr {
    let error = error.into().in_language(Language::Python);
    let exception = if error.is_verification() {
        PyErr::from_type(refusal_class(py), error.message().to_owned())
    } else {
        ConfigError::new_err(error.message().to_owned())
    };
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it ever
    // did, the exception is still raised, only without `.reason`.
    let _ = exception.value(py).setattr("reason", error.code());
    exception
}

create_exception!(
    qstash_verify,
    QStashRejection,
    PyException,
    "A request the gate refused. `.status` (401, 413, 400 or 503), `.reason` (the stable code), \
     `.body` (the JSON text to answer with), `.headers` (the response headers) and \
     `.log_message` (what to log: reason, message id and path, never the token) say everything \
     the response needs."
);

/// The gate's refusal as the Python exception.
pub(crate) fn rejection_error(py: Python<'_>, refusal: Refusal) -> PyErr {
    let error = QStashRejection::new_err(format!("QStash delivery rejected: {}", refusal.reason));
    let value = error.value(py);
    let headers = PyDict::new(py);
    // Setting attributes on a fresh exception and items on a fresh dict cannot fail in
    // practice; if one ever did, the exception is still raised with what it has.
    for (name, header) in refusal.headers {
        let _ = headers.set_item(name, header);
    }
    let _ = value.setattr("status", refusal.status);
    let _ = value.setattr("reason", refusal.reason);
    let _ = value.setattr("error", refusal.error);
    let _ = value.setattr("body", refusal.body);
    let _ = value.setattr("headers", headers);
    let _ = value.setattr("log_message", refusal.log_message);
    error
}
