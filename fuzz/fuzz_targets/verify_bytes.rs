//! Arbitrary bytes as token and body: never a panic, never `valid`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_fuzz::verify_bytes(data));
