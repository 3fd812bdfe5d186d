//! Every parser the gate runs on request data: never a panic, invariants kept.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_fuzz::request_head(data));
