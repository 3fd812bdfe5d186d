//! The native half of the npm package `qstash-verify`: `qstash-core` as N-API classes.
//! `lib/qstash.js` wraps them into the `@upstash/qstash`-compatible API (`SignatureError`,
//! the async `verify`) and the framework helpers.
// napi-rs's macros expand to the FFI glue, which is `unsafe`; no hand-written `unsafe` here.
#![allow(unsafe_code)]

mod body;
mod callback;
mod claims;
mod error;
mod gate;
mod lambda;
mod pending;
mod receiver;
mod replay;
mod signer;

pub use callback::{CallbackView, parse_callback};
pub use claims::{Claims, VerifyOutcome};
pub use gate::{Gate, LambdaVerification, PendingDelivery, header_names};
pub use lambda::lambda_response;
pub use pending::PendingBody;
pub use receiver::{
    KeyPairObject, PACKED_HEADER, Receiver, ReceiverConfig, TokenRequest, VERIFIED_CURRENT,
    VERIFIED_IN_REGION, VERIFIED_NEXT, VERIFY_FAILED, Verifier, VerifyRequest, last_failure, last_region,
    verify_packed, verify_packed_body,
};
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

// The constant napi exports is written out for its generated types; it is the gate's.
const _: () = assert!(DEFAULT_BODY_LIMIT as usize == qstash_gate::DEFAULT_BODY_LIMIT);
