//! The native half of the npm package `qstash-verify`: `qstash-core` as N-API classes.
//! `lib/qstash.js` wraps them into the `@upstash/qstash`-compatible API (`SignatureError`,
//! the async `verify`) and the framework helpers.
// napi-rs's macros expand to the FFI glue, which is `unsafe`; no hand-written `unsafe` here.
#![allow(unsafe_code)]

mod body;
mod claims;
mod gate;
mod pending;
mod receiver;
mod replay;
mod signer;

pub use claims::{Claims, VerifyOutcome};
pub use gate::{Delivery, FinishTask, Gate, GateOptions, PendingDelivery, Rejection, header_names};
pub use pending::PendingBody;
pub use receiver::{PACKED_HEADER, Receiver, ReceiverConfig, SigningKeys, TokenRequest, VerifyRequest};
pub use replay::{RedisReplayGuard, RedisReplayOptions};
pub use signer::{SignOptions, Signer};

use napi_derive::napi;

/// The path and query of an absolute URL (`https://h/p?q` → `/p?q`), or `null`: what the
/// path-and-query URL policy compares with the request target.
#[napi]
pub fn path_and_query_of(url: String) -> Option<String> {
    qstash_gate::path_and_query_of(&url).map(|pq| pq.into_owned())
}

/// Every reason code a `SignatureError` or a `Rejection` can carry (SPEC.md §3.2), from the
/// gate's own list.
#[napi]
pub fn reason_codes() -> Vec<&'static str> {
    qstash_gate::Rejection::reason_codes().collect()
}

/// The default body limit of the framework helpers, in bytes (10 MiB).
#[napi]
pub const DEFAULT_BODY_LIMIT: u32 = 10 * 1024 * 1024;

/// A failed verification as a JS error whose `code` is the reason (`expired`, `body`, …);
/// `lib/qstash.js` turns it into a `SignatureError`.
pub(crate) fn reason_error(error: &qstash_core::VerifyError) -> napi::Error<&'static str> {
    napi::Error::new(error.reason(), error.to_string())
}

/// A configuration error (`code` = `config`).
pub(crate) fn config_error(error: &qstash_core::ConfigError) -> napi::Error {
    napi::Error::new(napi::Status::InvalidArg, format!("config: {error}"))
}
