//! The properties the fuzz targets check, each one function of raw fuzzer bytes that panics
//! when a property breaks (how a target reports to libFuzzer). The targets in
//! `fuzz_targets/` are one line each, and `tests/corpus.rs` replays the committed corpus
//! through the same functions on stable Rust.
//!
//! They reach the libraries through their public API, `qstash_core::internal` (the MAC layer
//! and the two payload readers) and `qstash_client::internal` (its handling of an answer),
//! never through code compiled into the libraries for fuzzing.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod client_response;
mod dev_request;
mod request_head;
mod verifier;

pub use client_response::client_response;
pub use dev_request::dev_request;
pub use request_head::request_head;
pub use verifier::{payload_fast_path, roundtrip, verify_bytes, verify_structured};

/// `jsonwebtoken`'s HS256 check of a token's signature alone: the second opinion of
/// `verify_structured` on whether a MAC is valid.
pub fn jsonwebtoken_mac_valid(token: &str, key: &[u8]) -> bool {
    let Some((input, signature)) = token.rsplit_once('.') else { return false };
    let key = jsonwebtoken::DecodingKey::from_secret(key);
    jsonwebtoken::crypto::verify(signature, input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap_or(false)
}
