//! `Callback`: a verified callback or failure callback of QStash, read by the gate
//! (`qstash_gate::callback`), both bodies decoded.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use qstash_gate::callback::{self, Headers};

/// What QStash reports after a delivery (`Upstash-Callback`) or after its last failed retry
/// (`Upstash-Failure-Callback`, which has a `dlq_id`); from `Delivery.callback()`.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct Callback {
    inner: callback::Callback,
}

impl Callback {
    /// Reads a verified delivery's body; `ValueError` when it is not a QStash callback.
    pub(crate) fn from_body(body: &[u8]) -> PyResult<Self> {
        callback::Callback::from_json(body)
            .map(|inner| Callback { inner })
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

fn header_dict<'py>(py: Python<'py>, headers: &Headers) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, values) in headers {
        dict.set_item(name, values)?;
    }
    Ok(dict)
}

#[pymethods]
impl Callback {
    /// The HTTP status the destination answered with (0 when it could not be reached).
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status
    }

    /// The destination's response headers: each name with its values.
    #[getter]
    fn header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        header_dict(py, &self.inner.header)
    }

    /// The destination's response body.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.body)
    }

    /// How many times the source message had been retried.
    #[getter]
    fn retried(&self) -> u32 {
        self.inner.retried
    }

    /// How many retries it was allowed.
    #[getter]
    fn max_retries(&self) -> Option<u32> {
        self.inner.max_retries
    }

    /// The id of the message this callback reports on.
    #[getter]
    fn source_message_id(&self) -> &str {
        &self.inner.source_message_id
    }

    /// Its destination URL.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }

    /// The method it was delivered with.
    #[getter]
    fn method(&self) -> Option<&str> {
        self.inner.method.as_deref()
    }

    /// The headers it was published with.
    #[getter]
    fn source_header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        header_dict(py, &self.inner.source_header)
    }

    /// The body it was published with.
    #[getter]
    fn source_body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.source_body)
    }

    /// Its URL group, when it was published to one.
    #[getter]
    fn topic_name(&self) -> Option<&str> {
        self.inner.topic_name.as_deref()
    }

    /// The endpoint of that URL group.
    #[getter]
    fn endpoint_name(&self) -> Option<&str> {
        self.inner.endpoint_name.as_deref()
    }

    /// Its schedule, when a schedule published it.
    #[getter]
    fn schedule_id(&self) -> Option<&str> {
        self.inner.schedule_id.as_deref()
    }

    /// The dead-letter-queue entry: set on failure callbacks.
    #[getter]
    fn dlq_id(&self) -> Option<&str> {
        self.inner.dlq_id.as_deref()
    }

    /// The IP address that published the message.
    #[getter]
    fn caller_ip(&self) -> Option<&str> {
        self.inner.caller_ip.as_deref()
    }

    /// When it was first due (Unix milliseconds).
    #[getter]
    fn not_before(&self) -> Option<u64> {
        self.inner.not_before
    }

    /// When it was published (Unix milliseconds).
    #[getter]
    fn created_at(&self) -> Option<u64> {
        self.inner.created_at
    }

    /// Whether this is a failure callback (the message went to the dead-letter queue).
    #[getter]
    fn is_failure(&self) -> bool {
        self.inner.is_failure()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let body: String = PyBytes::new(py, &self.inner.body).repr()?.extract()?;
        let id: String = pyo3::types::PyString::new(py, &self.inner.source_message_id).repr()?.extract()?;
        Ok(format!(
            "Callback(source_message_id={id}, status={}, retried={}, failure={}, body={body})",
            self.inner.status,
            self.inner.retried,
            if self.inner.is_failure() { "True" } else { "False" },
        ))
    }
}
