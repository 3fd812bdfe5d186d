//! Request bodies as bytes, whatever Python type they arrive as.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};

/// Bodies at least this large are hashed with the interpreter released, so other threads run
/// meanwhile; below it, releasing costs more than the hash.
pub(crate) const RELEASE_GIL_FROM: usize = 16 * 1024;

/// The raw bytes of a body: `bytes` and `str` are borrowed (no copy), `bytearray` and
/// `memoryview` are copied because Python code could change them while the interpreter is
/// released.
pub(crate) enum BodyBytes {
    Bytes(PyBackedBytes),
    Str(PyBackedStr),
    Owned(Vec<u8>),
}

impl BodyBytes {
    pub(crate) fn extract(body: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = body.cast::<PyBytes>() {
            return Ok(BodyBytes::Bytes(PyBackedBytes::from(bytes.clone())));
        }
        if let Ok(text) = body.cast::<PyString>() {
            // A `str` body is hashed as its UTF-8 encoding, as QStash sends text.
            return Ok(BodyBytes::Str(PyBackedStr::try_from(text.clone())?));
        }
        if let Ok(array) = body.cast::<PyByteArray>() {
            return Ok(BodyBytes::Owned(array.to_vec()));
        }
        if body.cast::<PyMemoryView>().is_ok() {
            let bytes = body.call_method0("tobytes")?;
            return Ok(BodyBytes::Bytes(bytes.extract()?));
        }
        Err(PyTypeError::new_err(format!(
            "body must be bytes, bytearray, memoryview or str, not {}",
            body.get_type().name()?
        )))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            BodyBytes::Bytes(b) => b,
            BodyBytes::Str(s) => s.as_bytes(),
            BodyBytes::Owned(v) => v,
        }
    }
}
