//! `Delivery`: a verified delivery as the Python helpers hand it to handlers.

use pyo3::prelude::*;
use qstash_gate::bindings::DeliveryView;

use crate::claims::Claims;
use crate::options::repr;

/// A verified delivery: the signed claims, the exact body bytes, and the (unsigned) delivery
/// headers QStash sets (`None` when missing or not valid).
#[pyclass(frozen, get_all, module = "qstash_verify._native")]
pub(crate) struct Delivery {
    /// The verified claims.
    claims: Py<Claims>,
    /// The exact body bytes QStash signed.
    body: Py<PyAny>,
    /// `Upstash-Message-Id`.
    message_id: Option<String>,
    /// `Upstash-Retried`: how many times QStash retried this message.
    retried: Option<u32>,
    /// `Upstash-Region` as sent.
    region: Option<String>,
    /// `Upstash-Schedule-Id`.
    schedule_id: Option<String>,
    /// `Upstash-Topic-Name` (URL group).
    topic_name: Option<String>,
}

impl Delivery {
    pub(crate) fn new(py: Python<'_>, view: DeliveryView, body: Py<PyAny>) -> PyResult<Self> {
        Ok(Delivery {
            claims: Py::new(py, Claims::from(view.claims))?,
            body,
            message_id: view.message_id,
            retried: view.retried,
            region: view.region,
            schedule_id: view.schedule_id,
            topic_name: view.topic_name,
        })
    }
}

#[pymethods]
impl Delivery {
    /// The body as text: UTF-8, with bytes that are not UTF-8 as U+FFFD (as the JavaScript
    /// delivery's `text()` and Flask's `get_data(as_text=True)`).
    fn text(&self, py: Python<'_>) -> PyResult<String> {
        let body = self.body.bind(py);
        Ok(String::from_utf8_lossy(body.extract::<&[u8]>()?).into_owned())
    }

    /// The body parsed as JSON (`json.loads`, as Starlette's `request.json()`); raises
    /// `json.JSONDecodeError` (a `ValueError`) when it is not JSON.
    fn json(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(py.import("json")?.call_method1("loads", (self.body.bind(py),))?.unbind())
    }

    /// The body read as the callback or failure callback QStash sent (both bodies decoded);
    /// `ValueError` when this delivery is not a callback.
    fn callback(&self, py: Python<'_>) -> PyResult<crate::callback::Callback> {
        crate::callback::Callback::from_body(self.body.bind(py).extract::<&[u8]>()?)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let body: String = self.body.bind(py).repr()?.extract()?;
        let body =
            if body.chars().count() > 60 { format!("<{} bytes>", self.body.bind(py).len()?) } else { body };
        Ok(format!(
            "Delivery(message_id={}, retried={}, region={}, schedule_id={}, topic_name={}, claims={}, body={body})",
            repr(py, self.message_id.as_deref())?,
            self.retried.map_or_else(|| "None".to_owned(), |n| n.to_string()),
            repr(py, self.region.as_deref())?,
            repr(py, self.schedule_id.as_deref())?,
            repr(py, self.topic_name.as_deref())?,
            self.claims.bind(py).repr()?,
        ))
    }
}
