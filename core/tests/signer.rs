//! `Signer`: known answers, sign → verify properties, and the `jsonwebtoken` crate as a
//! second opinion on every token it mints.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod support;

use proptest::prelude::*;
use qstash_core::{Receiver, Request, Signer};
use support::{NOW, hmac};

const KAT_KEY: &str = "sig_katCurrentKey000000000001";
const KAT_URL: &str = "https://example.com/api/qstash?a=1&b=<2>";
const KAT_BODY: &[u8] = br#"{"hello":"world"}"#;
/// Computed independently (Python `hmac`/`hashlib`, Go-style escaping of `&`, `<`, `>`).
const KAT_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiIiLCJib2R5IjoiazZJNWNha1U1ZXJMOEtqU1VWVE5vd25Ed2NjdnU1a1UxSHhnODh0b0ZZZz0iLCJleHAiOjE3NTAwMDAzMDAsImlhdCI6MTc1MDAwMDAwMCwiaXNzIjoiVXBzdGFzaCIsImp0aSI6Imp3dF9BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBIiwibmJmIjoxNzUwMDAwMDAwLCJzdWIiOiJodHRwczovL2V4YW1wbGUuY29tL2FwaS9xc3Rhc2g_YT0xXHUwMDI2Yj1cdTAwM2MyXHUwMDNlIn0.5rL9xbCH6wHKeCwViW7xp58GWCU-gyPCur8-QITOOBY";

fn kat_signer() -> Signer {
    Signer::new(KAT_KEY).unwrap()
}

#[test]
fn signer_output_is_byte_identical_to_the_known_answer() {
    let token =
        kat_signer().token(KAT_URL, KAT_BODY).jti("jwt_AAAAAAAAAAAAAAAAAAAAAAAAAAAA").sign_at(1_750_000_000);
    assert_eq!(token, KAT_TOKEN);
}

#[test]
fn signer_payload_has_qstash_member_order_and_shape() {
    let token = Signer::dev().token("https://x.example/a", b"").jti("jwt_x").sign_at(100);
    let payload = token.split('.').nth(1).unwrap();
    let json = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json,
        r#"{"aud":"","body":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=","exp":400,"iat":100,"iss":"Upstash","jti":"jwt_x","nbf":100,"sub":"https://x.example/a"}"#
    );
    assert!(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
}

#[test]
fn signer_overrides_each_claim() {
    let token = Signer::dev()
        .token("u", b"b")
        .issued_at(10)
        .not_before(-62_135_596_800)
        .expires_at(20)
        .issuer("NotUpstash")
        .jti("jwt_1")
        .sign_at(999);
    let payload = token.split('.').nth(1).unwrap();
    let json = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap(),
    )
    .unwrap();
    assert!(
        json.contains(r#""exp":20,"iat":10,"iss":"NotUpstash","jti":"jwt_1","nbf":-62135596800"#),
        "{json}"
    );
    let lifetime = Signer::dev().token("u", b"b").lifetime(60).jti("j").sign_at(0);
    assert!(lifetime.len() > 10);
}

#[test]
fn signer_default_jti_is_random_and_qstash_shaped() {
    let signer = Signer::dev();
    let a = Receiver::dev().verify_at(&Request::new(&signer.token("u", b"").sign_at(NOW), b""), NOW).unwrap();
    let b = Receiver::dev().verify_at(&Request::new(&signer.token("u", b"").sign_at(NOW), b""), NOW).unwrap();
    let (a, b) = (a.claims.jti().unwrap().to_owned(), b.claims.jti().unwrap().to_owned());
    assert_ne!(a, b);
    assert!(a.starts_with("jwt_") && a.len() == 32, "{a}");
}

#[test]
fn signer_refuses_empty_and_dev_keys_in_new() {
    assert!(Signer::new("").is_err());
    assert!(Signer::new(qstash_core::DEV_CURRENT_SIGNING_KEY).unwrap_err().to_string().contains("dev()"));
    assert_eq!(format!("{:?}", kat_signer()), "Signer { key: [REDACTED] }");
}

#[test]
fn token_from_sign_uses_the_system_clock_and_verifies_now() {
    let token = Signer::dev().token("https://e.example/", b"x").sign();
    assert!(Receiver::dev().verify(&Request::new(&token, b"x").url("https://e.example/")).is_ok());
}

#[test]
fn dev_next_signer_verifies_with_the_next_key() {
    let token = Signer::dev_next().token("u", b"").sign_at(NOW);
    let v = Receiver::dev().verify_at(&Request::new(&token, b""), NOW).unwrap();
    assert_eq!(v.key, qstash_core::KeyUsed::Next);
}

/// What `jsonwebtoken` (an independent HS256 implementation) thinks of a token.
fn jsonwebtoken_accepts(token: &str, key: &str) -> bool {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(key.as_bytes()),
        &validation,
    )
    .is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_minted_token_verifies_and_jsonwebtoken_agrees(
        path in "[a-zA-Z0-9/_.~%&<>?=-]{0,40}",
        body in proptest::collection::vec(any::<u8>(), 0..300),
        iat in 0i64..4_000_000_000,
    ) {
        let url = format!("https://example.com/{path}");
        let token = kat_signer().token(&url, &body).sign_at(iat);
        let receiver = Receiver::new(KAT_KEY, "sig_unrelatedNextKey").unwrap();
        prop_assert!(receiver.verify_at(&Request::new(&token, &body).url(&url), iat).is_ok());
        prop_assert!(jsonwebtoken_accepts(&token, KAT_KEY));
        prop_assert!(!jsonwebtoken_accepts(&token, "sig_unrelatedNextKey"));
    }

    #[test]
    fn any_single_byte_change_of_token_or_body_fails(
        body in proptest::collection::vec(any::<u8>(), 1..200),
        position in any::<prop::sample::Index>(),
        replacement in any::<u8>(),
        change_body in any::<bool>(),
    ) {
        let url = "https://example.com/p";
        let token = kat_signer().token(url, &body).sign_at(NOW);
        let receiver = Receiver::new(KAT_KEY, "sig_unrelatedNextKey").unwrap();
        let (mut token_bytes, mut body) = (token.clone().into_bytes(), body);
        if change_body {
            let i = position.index(body.len());
            prop_assume!(body[i] != replacement);
            body[i] = replacement;
        } else {
            let i = position.index(token_bytes.len());
            prop_assume!(token_bytes[i] != replacement);
            token_bytes[i] = replacement;
        }
        let result = receiver.verify_at(&Request::from_header(Some(&token_bytes), &body).url(url), NOW);
        prop_assert!(result.is_err());
    }
}

#[test]
fn kat_signature_is_the_hmac_of_the_signing_input() {
    let (input, sig) = KAT_TOKEN.rsplit_once('.').unwrap();
    assert_eq!(support::b64(&hmac(KAT_KEY, input.as_bytes())), sig);
}
