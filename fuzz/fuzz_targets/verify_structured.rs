//! Signed, structured tokens: the verdict must match an independent reading of SPEC.md §3,
//! and `jsonwebtoken` must agree on whether the MAC is valid.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_fuzz::verify_structured(data, &qstash_fuzz::jsonwebtoken_mac_valid));
