//! Signed, structured tokens: the verdict must match an independent reading of SPEC.md §3,
//! and `jsonwebtoken` must agree on whether the MAC is valid.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qstash_core::fuzzing::verify_structured(data, &mac_valid));

fn mac_valid(token: &str, key: &[u8]) -> bool {
    let Some((input, signature)) = token.rsplit_once('.') else { return false };
    let key = jsonwebtoken::DecodingKey::from_secret(key);
    jsonwebtoken::crypto::verify(signature, input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap_or(false)
}
