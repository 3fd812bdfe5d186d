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

/// The verified claims of a delivery, as a plain JavaScript object.
#[derive(Serialize)]
pub(crate) struct Claims {
    iss: String,
    sub: String,
    jti: Option<String>,
    exp: f64,
    nbf: f64,
    iat: Option<f64>,
    key: &'static str,
    region: Option<String>,
}

impl Claims {
    pub(crate) fn new(
        claims: qstash_core::Claims,
        key: qstash_core::KeyUsed,
        region: Option<qstash_core::Region>,
    ) -> Self {
        Claims {
            iss: claims.iss.to_owned(),
            sub: claims.sub().to_owned(),
            jti: claims.jti().map(str::to_owned),
            exp: claims.exp,
            nbf: claims.nbf,
            iat: claims.iat,
            key: key.as_str(),
            region: region.as_ref().map(|r| r.as_str().to_owned()),
        }
    }
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
