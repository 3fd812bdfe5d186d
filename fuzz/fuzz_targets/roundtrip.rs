//! Signer output always verifies; one flipped bit or a changed body never does.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_fuzz::roundtrip(data));
