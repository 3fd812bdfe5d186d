//! The WebAssembly half of the npm package `qstash-verify`, for the runtimes where a native
//! addon cannot load (workerd, Vercel Edge, Deno, browsers): `qstash-core`'s verifier and
//! `qstash-gate`'s request-to-verdict sequence behind wasm-bindgen. `bindings-node/wasm/`
//! wraps it into the same JavaScript API as the native build.
//!
//! wasm32-unknown-unknown has no clock, so every check takes `now` (Unix seconds) from the
//! caller (`Date.now() / 1000` in JavaScript); nothing here reads the system time.
// wasm-bindgen's macros expand to the FFI glue; no hand-written `unsafe` here.
#![allow(unsafe_code)]

mod gate;
mod receiver;

pub use gate::{Gate, PendingDelivery};
pub use receiver::Receiver;

use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The header names `Gate.verifyHead` wants, in the order it wants their values.
#[wasm_bindgen(js_name = headerNames)]
pub fn header_names() -> Vec<String> {
    qstash_gate::HEADERS_READ.iter().map(|name| (*name).to_owned()).collect()
}

/// Every reason code a verification or a gate can refuse with (SPEC.md §3.2).
#[wasm_bindgen(js_name = reasonCodes)]
pub fn reason_codes() -> Vec<String> {
    qstash_gate::Rejection::reason_codes().map(str::to_owned).collect()
}

/// Reads a verified delivery's body as the callback QStash sent (both bodies decoded, as
/// `Uint8Array`s); throws an `Error` when it is not one.
#[wasm_bindgen(js_name = parseCallback)]
pub fn parse_callback(body: &[u8]) -> Result<JsValue, JsError> {
    let callback =
        qstash_gate::callback::Callback::from_json(body).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(to_js(&callback))
}

/// An error of the gate or the core, thrown as `{ code, message }` (the bindings' one
/// convention: a reason code, or `config`); the JavaScript wrapper turns it into a
/// `SignatureError` or a `ConfigError`.
pub(crate) fn host_error(error: impl Into<qstash_gate::bindings::HostError>) -> JsValue {
    to_js(&error.into().in_language(qstash_gate::bindings::Language::JavaScript))
}

/// A configuration mistake found before the gate could see it (an options object of the wrong
/// shape), thrown like the gate's.
pub(crate) fn config_error(message: &str) -> JsValue {
    #[derive(Serialize)]
    struct ConfigError<'a> {
        code: &'static str,
        message: &'a str,
    }
    to_js(&ConfigError { code: "config", message })
}

/// `value` as a plain JavaScript object (maps as objects, `None` as `null`).
pub(crate) fn to_js<T: Serialize>(value: &T) -> JsValue {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true).serialize_missing_as_null(true);
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

/// Unix seconds from JavaScript's clock, as the verifier counts them.
pub(crate) fn seconds(now: f64) -> i64 {
    if now.is_finite() { now.floor() as i64 } else { 0 }
}
