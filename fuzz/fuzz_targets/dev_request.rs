//! Any request to the dev server's API: never a panic, a 5xx or an error without its body.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_fuzz::dev_request(data));
