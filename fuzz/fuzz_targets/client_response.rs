//! Any answer a server gives the QStash client: never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_fuzz::client_response(data));
