//! `lambda_event_target`: the target of an AWS Lambda HTTP event, read by the gate
//! (`qstash_gate::lambda`), for the ASGI and WSGI adapters that run a framework on Lambda
//! (`Gate.verify_lambda` verifies a whole event).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use qstash_gate::lambda::LambdaRequest;

/// The path and query QStash called, read from an event given as its JSON text (a REST API's
/// stage included); `ValueError` when it is not an HTTP event.
#[pyfunction]
pub(crate) fn lambda_event_target(event: &str) -> PyResult<String> {
    LambdaRequest::from_event(event.as_bytes())
        .map(|request| request.target)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}
