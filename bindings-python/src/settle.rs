//! The asyncio side of `PendingDelivery.finish_async`: a future of the running loop, settled
//! with the delivery (or the refusal) at once, or, when the gate waits for its store (Redis),
//! from the store's thread through the loop, so neither the loop nor a thread pool waits.

use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use qstash_gate::bindings::Step;

use crate::delivery::Delivery;
use crate::errors::rejection_error;

/// The delivery of a decided step holding `body`, or the refusal raised. Python's gates have
/// no replay store of the host's, so the gate never asks one.
pub(crate) fn decided(py: Python<'_>, step: Step, body: Py<PyAny>) -> PyResult<Delivery> {
    match step {
        Step::Accepted(accepted) => Delivery::new(py, accepted.delivery, body),
        Step::Refused(refusal) => Err(rejection_error(py, *refusal)),
        _ => Err(PyRuntimeError::new_err("the gate asked for a replay store this binding does not have")),
    }
}

/// A future of the running loop for `step`: settled now, or once the store answered.
pub(crate) fn future_of(py: Python<'_>, step: Step, body: Py<PyAny>) -> PyResult<Py<PyAny>> {
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let future = event_loop.call_method0("create_future")?;
    let wait = match step {
        Step::Wait(wait) => wait,
        step => {
            match decided(py, step, body) {
                Ok(delivery) => future.call_method1("set_result", (delivery,))?,
                Err(error) => future.call_method1("set_exception", (error.into_value(py),))?,
            };
            return Ok(future.unbind());
        }
    };
    let settle = Settle {
        future: future.clone().unbind(),
        event_loop: event_loop.unbind(),
        body,
        step: Mutex::new(None),
    };
    let settle = Py::new(py, settle)?;
    wait.spawn(move |step| {
        // Back on the interpreter only to hand the step to the loop's thread; when the
        // interpreter is shutting down there is no loop left to tell.
        let _ = Python::try_attach(|py| {
            let settle = settle.bind(py);
            if let Ok(mut slot) = settle.get().step.lock() {
                *slot = Some(step);
            }
            let event_loop = settle.get().event_loop.bind(py);
            // A closed loop has no one waiting any more.
            let _ = event_loop.call_method1("call_soon_threadsafe", (settle,));
        });
    });
    Ok(future.unbind())
}

/// Resolves a `finish_async` future on its loop's thread once the store has answered.
#[pyclass(frozen, module = "qstash_verify._native")]
struct Settle {
    future: Py<PyAny>,
    event_loop: Py<PyAny>,
    body: Py<PyAny>,
    step: Mutex<Option<Step>>,
}

#[pymethods]
impl Settle {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let future = self.future.bind(py);
        // Cancelled while the store was asked (the client went away): nothing to settle.
        if future.call_method0("done")?.is_truthy()? {
            return Ok(());
        }
        let Some(step) = self.step.lock().ok().and_then(|mut slot| slot.take()) else { return Ok(()) };
        match decided(py, step, self.body.clone_ref(py)) {
            Ok(delivery) => future.call_method1("set_result", (delivery,))?,
            Err(error) => future.call_method1("set_exception", (error.into_value(py),))?,
        };
        Ok(())
    }
}
