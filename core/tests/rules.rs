//! One test per verification rule of SPEC.md §3, named after the behaviour it pins down.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod support;

use qstash_core::{KeyUsed, Receiver, Request, VerifyError};
use support::*;

// Step 1: missing

#[test]
fn absent_token_is_missing() {
    let r = receiver().verify_at(&Request::from_header(None, BODY), NOW);
    assert_eq!(r.unwrap_err(), VerifyError::Missing);
}

#[test]
fn empty_token_is_missing() {
    assert_eq!(verdict(""), "missing");
}

// Step 2: malformed shape, judged before the MAC

#[test]
fn token_without_exactly_three_segments_is_malformed() {
    let t = token("");
    for bad in [
        t.split('.').next().unwrap().to_owned(),
        t.rsplit_once('.').unwrap().0.to_owned(),
        format!("{t}.x"),
        format!("{t}."),
        "...".to_owned(),
        ".".repeat(100_000),
    ] {
        assert_eq!(verdict(&bad), "malformed", "{bad:.60}");
    }
}

#[test]
fn whitespace_around_or_inside_the_token_is_malformed_never_trimmed() {
    let t = token("");
    let mid = t.len() / 2;
    for bad in [format!(" {t}"), format!("{t} "), format!("{t}\r\n"), format!("{}\n{}", &t[..mid], &t[mid..])]
    {
        assert_eq!(verdict(&bad), "malformed");
    }
}

#[test]
fn padded_or_standard_alphabet_segments_are_malformed() {
    let t = token("");
    let (input, sig) = t.rsplit_once('.').unwrap();
    assert_eq!(verdict(&format!("{t}=")), "malformed");
    let (h, p) = input.split_once('.').unwrap();
    assert_eq!(verdict(&format!("{h}=.{p}.{sig}")), "malformed");
    let std_sig = sig.replace('-', "+").replace('_', "/");
    if std_sig != sig {
        assert_eq!(verdict(&format!("{input}.{std_sig}")), "malformed");
    }
    assert_eq!(verdict(&format!("{h}.{p}*.{sig}")), "malformed");
}

#[test]
fn non_ascii_token_bytes_are_malformed_not_a_panic() {
    let t = token("");
    let mut bytes = t.clone().into_bytes();
    bytes[5] = 0xff;
    let r = receiver().verify_at(&Request::from_header(Some(&bytes), BODY), NOW);
    assert_eq!(r.unwrap_err().reason(), "malformed");
    assert_eq!(verdict(&t.replacen('e', "é", 1)), "malformed");
}

#[test]
fn signature_with_non_zero_trailing_bits_is_malformed() {
    let t = token("");
    let (input, sig) = t.rsplit_once('.').unwrap();
    // 43 characters carry 258 bits; the last character's two low bits must be zero.
    let last = sig.as_bytes()[42];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let v = alphabet.iter().position(|&c| c == last).unwrap();
    let bumped = alphabet[v | 1] as char;
    assert_eq!(verdict(&format!("{input}.{}{bumped}", &sig[..42])), "malformed");
}

#[test]
fn signature_that_is_not_32_bytes_is_malformed() {
    let t = token("");
    let (input, _) = t.rsplit_once('.').unwrap();
    let sig = hmac(CURRENT, input.as_bytes());
    assert_eq!(verdict(&format!("{input}.{}", b64(&sig[..31]))), "malformed");
    let mut long = sig.clone();
    long.push(0);
    assert_eq!(verdict(&format!("{input}.{}", b64(&long))), "malformed");
    assert_eq!(verdict(&format!("{input}.")), "malformed");
}

// Step 3: signature

#[test]
fn token_signed_with_the_current_key_verifies_and_reports_current() {
    let v = receiver().verify_at(&Request::new(&token(""), BODY).url(URL), NOW).unwrap();
    assert_eq!(v.key, KeyUsed::Current);
    assert_eq!(v.claims.sub(), URL);
    assert_eq!(v.claims.jti(), Some("jwt_testtesttesttesttesttesttest"));
    assert_eq!(
        (v.claims.exp, v.claims.nbf, v.claims.iat),
        ((NOW + 300) as f64, NOW as f64, Some(NOW as f64))
    );
    assert_eq!(v.region, None);
}

#[test]
fn token_signed_with_the_next_key_verifies_and_reports_next() {
    let t = token_with(NEXT, HEADER, &payload("", &[]));
    let v = receiver().verify_at(&Request::new(&t, BODY).url(URL), NOW).unwrap();
    assert_eq!(v.key, KeyUsed::Next);
}

#[test]
fn token_signed_with_another_key_is_signature() {
    assert_eq!(verdict(&token_with("sig_someoneElse", HEADER, &payload("", &[]))), "signature");
    // One letter's case differs: keys are compared as exact bytes.
    assert_eq!(verdict(&token_with(&CURRENT.replace('C', "c"), HEADER, &payload("", &[]))), "signature");
}

#[test]
fn changed_header_or_payload_with_the_original_signature_is_signature() {
    let t = token("");
    let (input, sig) = t.rsplit_once('.').unwrap();
    let (h, p) = input.split_once('.').unwrap();
    let other_payload = b64(payload("\"exp\":99999999999,", &[]).as_bytes());
    assert_eq!(verdict(&format!("{h}.{other_payload}.{sig}")), "signature");
    let other_header = b64(br#"{"alg":"HS256","typ":"JVT"}"#);
    assert_eq!(verdict(&format!("{other_header}.{p}.{sig}")), "signature");
}

#[test]
fn claims_are_judged_on_the_next_key_token_without_masking_the_reason() {
    let expired = token_with(NEXT, HEADER, &payload(&format!("\"exp\":{},", NOW - 1), &[]));
    assert_eq!(verdict(&expired), "expired");
}

#[test]
fn alg_none_with_an_empty_signature_is_malformed_before_any_key_is_tried() {
    let t = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), b64(payload("", &[]).as_bytes()));
    assert_eq!(verdict(&t), "malformed");
}

// Step 4: malformed content, judged only after the MAC matched

#[test]
fn header_alg_other_than_exactly_hs256_is_malformed() {
    for alg in
        [r#""none""#, r#""hs256""#, r#""HS512""#, r#""HS384""#, r#""RS256""#, "256", "null", r#"["HS256"]"#]
    {
        let header = format!(r#"{{"alg":{alg},"typ":"JWT"}}"#);
        assert_eq!(verdict(&token_with(CURRENT, &header, &payload("", &[]))), "malformed", "{alg}");
    }
    assert_eq!(verdict(&token_with(CURRENT, r#"{"typ":"JWT"}"#, &payload("", &[]))), "malformed");
}

#[test]
fn header_crit_or_b64_is_malformed() {
    for header in [
        r#"{"alg":"HS256","crit":["exp"]}"#,
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        r#"{"alg":"HS256","b64":true}"#,
    ] {
        assert_eq!(verdict(&token_with(CURRENT, header, &payload("", &[]))), "malformed", "{header}");
    }
}

#[test]
fn header_kid_or_typ_that_is_not_a_string_is_malformed_and_typ_value_is_ignored() {
    for header in [r#"{"alg":"HS256","kid":1}"#, r#"{"alg":"HS256","typ":null}"#] {
        assert_eq!(verdict(&token_with(CURRENT, header, &payload("", &[]))), "malformed", "{header}");
    }
    for header in [
        r#"{"alg":"HS256","typ":"jwt"}"#,
        r#"{"alg":"HS256"}"#,
        r#"{"alg":"HS256","kid":"k1","x":[1]}"#,
        r#" { "typ" : "JWT" , "alg" : "HS256" } "#,
    ] {
        assert_eq!(verdict(&token_with(CURRENT, header, &payload("", &[]))), "valid", "{header}");
    }
}

#[test]
fn header_or_payload_that_is_not_a_utf8_json_object_is_malformed() {
    for text in ["not json", "[]", r#"[{"alg":"HS256"}]"#, "\u{feff}{\"alg\":\"HS256\"}", ""] {
        assert_eq!(verdict(&token_with(CURRENT, text, &payload("", &[]))), "malformed", "{text:?}");
        assert_eq!(verdict(&token_with(CURRENT, HEADER, text)), "malformed", "{text:?}");
    }
    let utf16: Vec<u8> = payload("", &[]).encode_utf16().flat_map(u16::to_le_bytes).collect();
    let input = format!("{}.{}", b64(HEADER.as_bytes()), b64(&utf16));
    let t = format!("{input}.{}", b64(&hmac(CURRENT, input.as_bytes())));
    assert_eq!(verdict(&t), "malformed");
}

#[test]
fn duplicate_member_names_anywhere_are_malformed() {
    let dup_header = r#"{"alg":"none","typ":"JWT","alg":"HS256"}"#;
    assert_eq!(verdict(&token_with(CURRENT, dup_header, &payload("", &[]))), "malformed");
    for extra in [
        &format!("\"exp\":{},\"exp\":{},", NOW - 10, NOW + 300),
        "\"sub\":\"https://evil.example\",\"s\\u0075b\":\"https://example.com/api/qstash\",",
        "\"x\":{\"a\":1,\"a\":2},",
        "\"x\":[{\"a\":1,\"a\":2}],",
    ] {
        assert_eq!(verdict(&token(extra)), "malformed", "{extra}");
    }
}

#[test]
fn missing_or_non_numeric_exp_or_nbf_is_malformed() {
    assert_eq!(verdict(&token_with(CURRENT, HEADER, &payload("", &["exp"]))), "malformed");
    assert_eq!(verdict(&token_with(CURRENT, HEADER, &payload("", &["nbf"]))), "malformed");
    for v in ["null", "\"1750000300\"", "\"soon\"", "true", "[1750000300]", "{}", "1e400", "-1e400"] {
        assert_eq!(verdict(&token(&format!("\"exp\":{v},"))), "malformed", "exp {v}");
        assert_eq!(verdict(&token(&format!("\"nbf\":{v},"))), "malformed", "nbf {v}");
    }
}

#[test]
fn iat_if_present_must_be_a_finite_number() {
    assert_eq!(verdict(&token_with(CURRENT, HEADER, &payload("", &["iat"]))), "valid");
    for v in ["null", "\"1750000000\"", "1e999"] {
        assert_eq!(verdict(&token(&format!("\"iat\":{v},"))), "malformed", "iat {v}");
    }
}

#[test]
fn time_claims_may_be_negative_fractional_or_huge() {
    assert_eq!(verdict(&token("\"nbf\":-62135596800,")), "valid");
    assert_eq!(verdict(&token(&format!("\"exp\":{}.5,", NOW + 100))), "valid");
    assert_eq!(verdict(&token("\"exp\":100000000000000000000,")), "valid");
    assert_eq!(verdict(&token("\"exp\":1.7500003e9,")), "valid");
}

#[test]
fn jti_if_present_must_be_a_string() {
    assert_eq!(verdict(&token_with(CURRENT, HEADER, &payload("", &["jti"]))), "valid");
    for v in ["1", "null", "[\"jwt_x\"]"] {
        assert_eq!(verdict(&token(&format!("\"jti\":{v},"))), "malformed", "jti {v}");
    }
}

#[test]
fn aud_must_be_absent_or_the_empty_string() {
    assert_eq!(verdict(&token_with(CURRENT, HEADER, &payload("", &["aud"]))), "valid");
    assert_eq!(verdict(&token("\"aud\":\"\",")), "valid");
    for v in ["\"https://example.com\"", "null", "[]", "[\"\"]", "0"] {
        assert_eq!(verdict(&token(&format!("\"aud\":{v},"))), "malformed", "aud {v}");
    }
}

#[test]
fn unknown_claims_are_ignored() {
    assert_eq!(verdict(&token("\"scope\":[\"a\",{\"b\":null}],\"n\":1e400,")), "valid");
}

// Step 5: issuer

#[test]
fn issuer_other_than_exactly_upstash_is_issuer() {
    for v in ["\"UPSTASH\"", "\"upstash\"", "\"Upstash \"", "null", "[\"Upstash\"]", "1"] {
        assert_eq!(verdict(&token(&format!("\"iss\":{v},"))), "issuer", "iss {v}");
    }
    assert_eq!(verdict(&token_with(CURRENT, HEADER, &payload("", &["iss"]))), "issuer");
    assert_eq!(verdict(&token("\"iss\":\"Upst\\u0061sh\",")), "valid");
}

#[test]
fn issuer_is_checked_before_expiry() {
    assert_eq!(verdict(&token(&format!("\"iss\":\"x\",\"exp\":{},", NOW - 1000))), "issuer");
}

// Step 6: expired

#[test]
fn token_expired_at_or_before_now_minus_tolerance_is_expired() {
    let t = token(&format!("\"exp\":{},", NOW + 10));
    assert_eq!(verdict_for(&t, BODY, Some(URL), NOW + 9, 0), "valid");
    assert_eq!(verdict_for(&t, BODY, Some(URL), NOW + 10, 0), "expired");
    assert_eq!(verdict_for(&t, BODY, Some(URL), NOW + 19, 10), "valid");
    assert_eq!(verdict_for(&t, BODY, Some(URL), NOW + 20, 10), "expired");
    for exp in ["0", "-1"] {
        assert_eq!(verdict(&token(&format!("\"exp\":{exp},"))), "expired");
    }
}

#[test]
fn fractional_expiry_is_compared_numerically() {
    assert_eq!(verdict(&token(&format!("\"exp\":{}.5,", NOW))), "valid");
    assert_eq!(verdict(&token(&format!("\"exp\":{}.5,", NOW - 1))), "expired");
}

#[test]
fn expiry_is_checked_before_not_before() {
    let t = token(&format!("\"exp\":{},\"nbf\":{},", NOW - 1, NOW + 100));
    assert_eq!(verdict(&t), "expired");
}

// Step 7: not yet valid

#[test]
fn nbf_after_now_plus_tolerance_is_not_yet_valid() {
    let t = token(&format!("\"nbf\":{},\"iat\":{},", NOW + 10, NOW + 10));
    assert_eq!(verdict_for(&t, BODY, Some(URL), NOW, 0), "not_yet_valid");
    assert_eq!(verdict_for(&t, BODY, Some(URL), NOW, 9), "not_yet_valid");
    assert_eq!(verdict_for(&t, BODY, Some(URL), NOW, 10), "valid");
    assert_eq!(verdict(&token(&format!("\"nbf\":{}.5,", NOW))), "not_yet_valid");
    assert_eq!(verdict(&token(&format!("\"nbf\":{NOW},"))), "valid");
}

#[test]
fn iat_after_now_plus_tolerance_is_not_yet_valid() {
    let t = token(&format!("\"iat\":{},", NOW + 60));
    assert_eq!(verdict(&t), "not_yet_valid");
    assert_eq!(verdict_for(&t, BODY, Some(URL), NOW, 60), "valid");
}

#[test]
fn iat_long_ago_is_fine_while_exp_is_in_the_future() {
    assert_eq!(verdict(&token(&format!("\"iat\":{},", NOW - 864_000))), "valid");
}

#[test]
fn receiver_clock_tolerance_applies_when_the_request_sets_none() {
    let receiver = Receiver::builder()
        .keys(qstash_core::KeyPair::new(CURRENT, NEXT).unwrap())
        .clock_tolerance(30)
        .build()
        .unwrap();
    let t = token(&format!("\"exp\":{},", NOW - 20));
    assert!(receiver.verify_at(&Request::new(&t, BODY).url(URL), NOW).is_ok());
    assert_eq!(
        receiver.verify_at(&Request::new(&t, BODY).url(URL).clock_tolerance(0), NOW).unwrap_err(),
        VerifyError::Expired
    );
}

// Step 8: subject

#[test]
fn subject_must_equal_the_url_exactly_without_normalisation() {
    for sub in [
        "https://other.example.com/api/qstash",
        "https://example.com/api/qstash/",
        "https://example.com/api/qstash?x=1",
        "https://EXAMPLE.com/api/qstash",
        "https://example.com/API/qstash",
        "http://example.com/api/qstash",
        "https://example.com/api/q%73tash",
        "",
    ] {
        assert_eq!(verdict(&token(&format!("\"sub\":\"{sub}\","))), "subject", "{sub}");
    }
}

#[test]
fn subject_is_compared_after_json_unescaping() {
    assert_eq!(verdict(&token("\"sub\":\"https:\\/\\/example.com\\/api\\/qstash\",")), "valid");
    let url = "https://example.com/api/caf\u{e9}/\u{1f600}";
    let t = token("\"sub\":\"https://example.com/api/caf\\u00e9/\\ud83d\\ude00\",");
    assert_eq!(verdict_for(&t, BODY, Some(url), NOW, 0), "valid");
}

#[test]
fn empty_url_is_compared_not_skipped() {
    assert_eq!(verdict_for(&token(""), BODY, Some(""), NOW, 0), "subject");
    assert_eq!(verdict_for(&token("\"sub\":\"\","), BODY, Some(""), NOW, 0), "valid");
}

#[test]
fn subject_must_be_a_string_even_when_no_url_is_checked() {
    assert_eq!(verdict_for(&token(""), BODY, None, NOW, 0), "valid");
    for v in ["1", "null", "[\"https://example.com/api/qstash\"]"] {
        assert_eq!(verdict_for(&token(&format!("\"sub\":{v},")), BODY, None, NOW, 0), "subject", "{v}");
    }
    let no_sub = token_with(CURRENT, HEADER, &payload("", &["sub"]));
    assert_eq!(verdict_for(&no_sub, BODY, None, NOW, 0), "subject");
    assert_eq!(verdict(&no_sub), "subject");
}

// Step 9: body

#[test]
fn body_claim_with_one_two_or_no_padding_verifies() {
    let unpadded = body_claim(BODY).trim_end_matches('=').to_owned();
    for claim in [unpadded.clone(), format!("{unpadded}="), format!("{unpadded}==")] {
        assert_eq!(verdict(&token(&format!("\"body\":\"{claim}\","))), "valid", "{claim}");
    }
}

#[test]
fn body_that_differs_from_the_claim_by_one_byte_is_body() {
    assert_eq!(verdict_for(&token(""), b"{\"hello\":\"World\"}", Some(URL), NOW, 0), "body");
    assert_eq!(verdict_for(&token(""), b"{\"hello\":\"world\"}\n", Some(URL), NOW, 0), "body");
    assert_eq!(verdict_for(&token(""), b"", Some(URL), NOW, 0), "body");
}

#[test]
fn body_claim_in_another_encoding_is_body() {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(BODY);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let std_b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD_NO_PAD, digest);
    let unpadded = body_claim(BODY).trim_end_matches('=').to_owned();
    for claim in [hex, format!("{unpadded} "), format!(" {unpadded}"), format!("{unpadded}=A"), String::new()]
    {
        assert_eq!(verdict(&token(&format!("\"body\":\"{claim}\","))), "body", "{claim}");
    }
    if std_b64 != unpadded {
        assert_eq!(verdict(&token(&format!("\"body\":\"{std_b64}\","))), "body");
    }
}

#[test]
fn body_claim_that_is_absent_or_not_a_string_is_body() {
    assert_eq!(verdict(&token_with(CURRENT, HEADER, &payload("", &["body"]))), "body");
    for v in ["null", "1", &format!("{{\"sha256\":\"{}\"}}", body_claim(BODY))] {
        assert_eq!(verdict(&token(&format!("\"body\":{v},"))), "body", "{v}");
    }
}

#[test]
fn bodies_are_bytes_not_text() {
    let body: &[u8] = b"\xef\xbb\xbf\xff\xfe\x00binary";
    let t = token(&format!("\"body\":\"{}\",", body_claim(body)));
    assert_eq!(verdict_for(&t, body, Some(URL), NOW, 0), "valid");
    assert_eq!(verdict_for(&t, &body[3..], Some(URL), NOW, 0), "body");
    let lossy = String::from_utf8_lossy(body).into_owned();
    assert_eq!(verdict_for(&t, lossy.as_bytes(), Some(URL), NOW, 0), "body");
}

#[test]
fn subject_is_checked_before_the_body() {
    assert_eq!(
        verdict_for(&token("\"sub\":\"https://evil.example\","), b"other", Some(URL), NOW, 0),
        "subject"
    );
}

#[test]
fn streamed_body_verifies_like_the_whole_body() {
    let t = token("");
    let pending = receiver().verify_token_at(&Request::new(&t, b"ignored").url(URL), NOW).unwrap();
    assert_eq!(pending.claims().sub(), URL);
    let mut hasher = pending.body_hasher();
    for chunk in BODY.chunks(3) {
        hasher.update(chunk);
    }
    assert!(hasher.verify(pending.clone()).is_ok());
    let mut wrong = pending.body_hasher();
    wrong.update(&BODY[1..]);
    assert_eq!(wrong.verify(pending).unwrap_err(), VerifyError::Body);
}

#[test]
fn one_mebibyte_signed_payload_verifies() {
    let big = "x".repeat(1 << 20);
    assert_eq!(verdict(&token(&format!("\"pad\":\"{big}\","))), "valid");
}

#[test]
fn payloads_with_many_members_still_find_duplicates() {
    let mut extra: String = (0..100).map(|i| format!("\"c{i}\":{i},")).collect();
    assert_eq!(verdict(&token(&extra)), "valid");
    extra.push_str("\"c\\u00350\":0,");
    assert_eq!(verdict(&token(&extra)), "malformed");
}

#[test]
fn error_messages_and_debug_output_never_contain_keys_or_the_token() {
    let t = token_with(NEXT, HEADER, &payload(&format!("\"exp\":{},", NOW - 1), &[]));
    let err = receiver().verify_at(&Request::new(&t, BODY).url(URL), NOW).unwrap_err();
    let request = Request::new(&t, BODY);
    let shown = format!("{err} {err:?} {:?} {request:?}", receiver());
    for secret in [CURRENT, NEXT, &t] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn every_reason_code_is_the_stable_lower_case_string() {
    let all = [
        (VerifyError::Missing, "missing"),
        (VerifyError::Malformed { what: "x" }, "malformed"),
        (VerifyError::Signature, "signature"),
        (VerifyError::Issuer, "issuer"),
        (VerifyError::Expired, "expired"),
        (VerifyError::NotYetValid, "not_yet_valid"),
        (VerifyError::Subject, "subject"),
        (VerifyError::Body, "body"),
        (VerifyError::NoKeys, "no_keys"),
    ];
    for (e, code) in all {
        assert_eq!(e.reason(), code);
        assert!(!e.to_string().is_empty());
    }
}
