//! Every parser qstash-axum runs on request data: never a panic, invariants kept.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_axum::fuzzing::request_head(data));
