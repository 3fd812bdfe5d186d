//! Python values as the gate's option reader takes them: numbers as `Number` (Python's
//! integers are unbounded), text as text. The checks themselves are the gate's.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};
use qstash_gate::bindings::Number;

/// An `int` or a `float` (not a `bool`, which Python counts as an `int`).
pub(crate) fn number(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Number> {
    if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        // Machine-sized first (one C call); past ±2⁶³ it is out of every range anyway, and
        // infinity says so in the gate's words.
        return Ok(match value.extract::<i64>() {
            Ok(small) => Number::Int(i128::from(small)),
            Err(_) => value.extract::<i128>().map_or(Number::Float(f64::INFINITY), Number::Int),
        });
    }
    if value.is_instance_of::<PyFloat>() {
        return Ok(Number::Float(value.extract()?));
    }
    Err(PyTypeError::new_err(format!("{name} must be a number, not {}", value.get_type().name()?)))
}

/// [`number`] of an optional argument.
pub(crate) fn optional_number(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Number>> {
    value.filter(|v| !v.is_none()).map(|v| number(name, v)).transpose()
}

/// A `str` as it is; anything else as its `repr`, for the gate to refuse with a message that
/// shows what it got (the `forwarded` option once took a number).
pub(crate) fn text(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(None),
        Some(v) => match v.extract::<String>() {
            Ok(text) => Ok(Some(text)),
            Err(_) => Ok(Some(v.repr()?.extract()?)),
        },
    }
}

/// `repr()` of an optional string, as Python writes it (`'msg_1'`, `None`).
pub(crate) fn repr(py: Python<'_>, value: Option<&str>) -> PyResult<String> {
    match value {
        Some(text) => pyo3::types::PyString::new(py, text).repr()?.extract(),
        None => Ok("None".to_owned()),
    }
}
