//! Test helpers that build tokens independently of `Signer`, so the verifier is not only ever
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! tested against its own signer.
#![allow(dead_code, unreachable_pub)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const CURRENT: &str = "sig_testCurrentKey1111111111";
pub const NEXT: &str = "sig_testNextKey22222222222222";
pub const URL: &str = "https://example.com/api/qstash";
pub const NOW: i64 = 1_750_000_000;
pub const BODY: &[u8] = br#"{"hello":"world"}"#;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Padded base64url SHA-256, as QStash writes the `body` claim.
pub fn body_claim(body: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(Sha256::digest(body))
}

pub fn hmac(key: &str, message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// `b64(header).b64(payload).b64(HMAC(key))` over arbitrary header and payload text.
pub fn token_with(key: &str, header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = hmac(key, input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

pub const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The payload QStash sends for `BODY` to `URL` at `NOW`, with `extra` members spliced in
/// at the front (`"k":v,` form) and members named in `drop` left out.
pub fn payload(extra: &str, drop: &[&str]) -> String {
    let members = [
        ("aud", "\"\"".to_owned()),
        ("body", format!("\"{}\"", body_claim(BODY))),
        ("exp", (NOW + 300).to_string()),
        ("iat", NOW.to_string()),
        ("iss", "\"Upstash\"".to_owned()),
        ("jti", "\"jwt_testtesttesttesttesttesttest\"".to_owned()),
        ("nbf", NOW.to_string()),
        ("sub", format!("\"{URL}\"")),
    ];
    let kept: Vec<String> = members
        .iter()
        .filter(|(k, _)| !drop.contains(k) && !extra.contains(&format!("\"{k}\":")))
        .map(|(k, v)| format!("\"{k}\":{v}"))
        .collect();
    // `extra` ends with its own comma.
    let extra = if kept.is_empty() { extra.trim_end_matches(',') } else { extra };
    format!("{{{extra}{}}}", kept.join(","))
}

/// A token like QStash's with `extra` members replacing or adding to the defaults.
pub fn token(extra: &str) -> String {
    token_with(CURRENT, HEADER, &payload(extra, &[]))
}

pub fn receiver() -> qstash_core::Receiver {
    qstash_core::Receiver::new(CURRENT, NEXT).unwrap()
}

/// The reason code `receiver()` gives for `token` with `BODY` and `URL` at `NOW`, or "valid".
pub fn verdict(token: &str) -> &'static str {
    verdict_for(token, BODY, Some(URL), NOW, 0)
}

pub fn verdict_for(token: &str, body: &[u8], url: Option<&str>, now: i64, tolerance: u64) -> &'static str {
    let mut request = qstash_core::Request::new(token, body).clock_tolerance(tolerance);
    if let Some(url) = url {
        request = request.url(url);
    }
    match receiver().verify_at(&request, now) {
        Ok(_) => "valid",
        Err(e) => e.reason(),
    }
}
