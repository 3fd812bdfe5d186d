//! `LambdaEvent`: an AWS Lambda HTTP event read by the gate (`qstash_gate::lambda`) for the
//! `qstash_verify.aws_lambda` decorator, which only moves it between the handler and the gate.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use qstash_gate::lambda::{EventShape, LambdaRequest, proxy_response};

/// The HTTP request of an API Gateway, function URL or load balancer event: its original
/// `target` (stage included), `method`, `body` bytes, and its headers through `getlist`, so the
/// event itself is the header mapping `Gate.verify_head` reads.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct LambdaEvent {
    shape: EventShape,
    method: String,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Py<PyBytes>,
}

#[pymethods]
impl LambdaEvent {
    /// Reads an event given as its JSON text; `ValueError` when it is not an HTTP event (a
    /// direct invocation, another trigger) or its `isBase64Encoded` body is not base64.
    #[new]
    fn new(py: Python<'_>, event: &str) -> PyResult<Self> {
        let request =
            LambdaRequest::from_event(event.as_bytes()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(LambdaEvent {
            shape: request.shape,
            method: request.method,
            target: request.target,
            headers: request.headers,
            body: PyBytes::new(py, &request.body).unbind(),
        })
    }

    /// `rest`, `http` (HTTP APIs and function URLs), `alb` or `alb-multi-value`.
    #[getter]
    fn shape(&self) -> &'static str {
        self.shape.name()
    }

    /// The HTTP method.
    #[getter]
    fn method(&self) -> &str {
        &self.method
    }

    /// The path and query QStash called.
    #[getter]
    fn target(&self) -> &str {
        &self.target
    }

    /// The body bytes.
    #[getter]
    fn body(&self, py: Python<'_>) -> Py<PyBytes> {
        self.body.clone_ref(py)
    }

    /// Every value of the header `name` (in lower case), in order.
    fn getlist<'py>(&self, py: Python<'py>, name: &str) -> Vec<Bound<'py, PyBytes>> {
        self.headers.iter().filter(|(n, _)| n == name).map(|(_, v)| PyBytes::new(py, v)).collect()
    }

    /// The proxy response (JSON text) for `status`, `headers` and the text `body`, in the shape
    /// this event's caller expects.
    fn response(&self, status: u16, headers: &Bound<'_, PyDict>, body: &str) -> PyResult<String> {
        let headers = headers
            .iter()
            .map(|(name, value)| Ok((name.extract::<String>()?, value.extract::<String>()?)))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(proxy_response(self.shape, status, &headers, body))
    }

    fn __repr__(&self) -> String {
        format!(
            "LambdaEvent(shape={:?}, method={:?}, target={:?})",
            self.shape.name(),
            self.method,
            self.target
        )
    }
}
