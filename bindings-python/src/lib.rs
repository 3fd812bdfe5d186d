//! `qstash_verify._native`: the Python face of `qstash-core`. The typed public API lives in
//! `python/qstash_verify/`; this module only holds the classes it re-exports.
// PyO3's macros expand to the FFI glue, which is `unsafe`; no hand-written `unsafe` here.
#![allow(unsafe_code)]

mod body;
mod callback;
mod claims;
mod delivery;
mod errors;
mod gate;
mod lambda;
mod options;
mod outcome;
mod paths;
mod pending;
mod receiver;
mod replay;
mod settle;
mod signer;

use pyo3::prelude::*;

/// The native half of `qstash_verify`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<receiver::Receiver>()?;
    m.add_class::<signer::Signer>()?;
    m.add_class::<claims::Claims>()?;
    m.add_class::<pending::PendingBody>()?;
    m.add_class::<gate::Gate>()?;
    m.add_class::<gate::PendingDelivery>()?;
    m.add_class::<delivery::Delivery>()?;
    m.add_class::<outcome::Outcome>()?;
    m.add_class::<replay::RedisReplayGuard>()?;
    m.add_class::<callback::Callback>()?;
    m.add_class::<paths::GuardedPaths>()?;
    m.add("QStashRejection", m.py().get_type::<errors::QStashRejection>())?;
    m.add("REASON_CODES", qstash_gate::Rejection::reason_codes().collect::<Vec<_>>())?;
    m.add("SignatureError", m.py().get_type::<errors::SignatureError>())?;
    m.add("ConfigError", m.py().get_type::<errors::ConfigError>())?;
    m.add_function(wrap_pyfunction!(path_and_query_of, m)?)?;
    m.add_function(wrap_pyfunction!(lambda::lambda_event_target, m)?)?;
    m.add("DEFAULT_BODY_LIMIT", qstash_gate::DEFAULT_BODY_LIMIT)?;
    Ok(())
}

/// The path and query of an absolute URL (`https://h/p?q` → `/p?q`), or `None`: what the
/// path-and-query URL policy compares with the request target.
#[pyfunction]
fn path_and_query_of(url: &str) -> Option<String> {
    qstash_gate::path_and_query_of(url).map(|pq| pq.into_owned())
}
