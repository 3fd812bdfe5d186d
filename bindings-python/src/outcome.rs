//! `Outcome`: how one delivery ended, as the gate records it (SPEC.md §7.8), handed to the
//! `on_outcome` hook and to OpenTelemetry (`qstash_verify._telemetry`) when the application
//! has the OpenTelemetry API.

use pyo3::prelude::*;

use crate::options::repr;

/// How one delivery ended: `outcome` (`"accepted"` or `"rejected"`), `reason` (a reason code,
/// `"none"` when accepted), `key` (`"current"`, `"next"`, `"none"`), `region` (the configured
/// region's name, `"default"`, `"none"`) and `message_id` (as sent, unsigned; `None` when
/// absent). Every field but `message_id` is from a fixed set: safe as a metric label.
#[pyclass(frozen, module = "qstash_verify._native")]
pub(crate) struct Outcome {
    #[pyo3(get)]
    outcome: &'static str,
    #[pyo3(get)]
    reason: &'static str,
    #[pyo3(get)]
    key: &'static str,
    #[pyo3(get)]
    region: String,
    #[pyo3(get)]
    message_id: Option<String>,
}

impl From<&qstash_gate::outcome::Outcome<'_>> for Outcome {
    fn from(outcome: &qstash_gate::outcome::Outcome<'_>) -> Self {
        Outcome {
            outcome: outcome.verdict.as_str(),
            reason: outcome.reason,
            key: outcome.key_label(),
            region: outcome.region_label().to_owned(),
            message_id: outcome.message_id.map(str::to_owned),
        }
    }
}

#[pymethods]
impl Outcome {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Outcome(outcome={}, reason={}, key={}, region={}, message_id={})",
            repr(py, Some(self.outcome))?,
            repr(py, Some(self.reason))?,
            repr(py, Some(self.key))?,
            repr(py, Some(&self.region))?,
            repr(py, self.message_id.as_deref())?,
        ))
    }
}

/// The gate's outcome hook for Python: each outcome to OpenTelemetry's recorder (if the API is
/// installed) and to the user's `on_outcome`, under the interpreter lock. A hook that raises
/// is reported as unraisable (printed by Python) and never changes the answer to the request.
pub(crate) fn hook(
    py: Python<'_>,
    user: Option<Py<PyAny>>,
) -> PyResult<Option<impl Fn(&qstash_gate::outcome::Outcome<'_>) + Send + Sync + 'static>> {
    let telemetry = py.import("qstash_verify._telemetry")?.getattr("recorder")?.call0()?;
    let telemetry: Option<Py<PyAny>> = (!telemetry.is_none()).then(|| telemetry.unbind());
    if user.is_none() && telemetry.is_none() {
        return Ok(None);
    }
    Ok(Some(move |outcome: &qstash_gate::outcome::Outcome<'_>| {
        let value = Outcome::from(outcome);
        Python::attach(|py| {
            let value = match Py::new(py, value) {
                Ok(value) => value,
                Err(error) => return error.write_unraisable(py, None),
            };
            for hook in telemetry.iter().chain(user.iter()) {
                if let Err(error) = hook.call1(py, (value.clone_ref(py),)) {
                    error.write_unraisable(py, Some(hook.bind(py)));
                }
            }
        });
    }))
}
