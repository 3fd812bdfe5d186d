//! The Go-layout fast path reads every payload it accepts exactly as the general JSON reader.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_fuzz::payload_fast_path(data));
