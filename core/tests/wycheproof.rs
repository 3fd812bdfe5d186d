//! C2SP Wycheproof HMAC-SHA256 vectors through the MAC layer the verifier uses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    #[serde(rename = "testGroups")]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(rename = "tagSize")]
    tag_bits: usize,
    tests: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(rename = "tcId")]
    id: u32,
    key: String,
    msg: String,
    tag: String,
    result: String,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn vectors() -> File {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/wycheproof_hmac_sha256_test.json");
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

#[test]
fn full_length_tags_verify_exactly_when_wycheproof_says_valid() {
    let mut checked = 0;
    for group in vectors().groups.iter().filter(|g| g.tag_bits == 256) {
        for case in &group.tests {
            let ok = qstash_core::internal::mac::verify(&hex(&case.key), &hex(&case.msg), &hex(&case.tag));
            assert_eq!(ok, case.result == "valid", "tcId {}", case.id);
            checked += 1;
        }
    }
    assert_eq!(checked, 87);
}

/// QStash signatures are always 32 bytes, so the verifier's MAC layer must refuse every
/// truncated tag, even a correct one (accepting them would let 2^128 work forge a token).
/// The truncated groups still pin down the computed MAC: a valid truncated tag is a prefix of it.
#[test]
fn truncated_tags_are_refused_and_valid_ones_are_prefixes_of_the_full_tag() {
    let mut checked = 0;
    for group in vectors().groups.iter().filter(|g| g.tag_bits == 128) {
        for case in &group.tests {
            let (key, msg, tag) = (hex(&case.key), hex(&case.msg), hex(&case.tag));
            assert!(!qstash_core::internal::mac::verify(&key, &msg, &tag), "tcId {}", case.id);
            let full = qstash_core::internal::mac::tag(&key, &msg);
            assert_eq!(full.starts_with(&tag) && tag.len() == 16, case.result == "valid", "tcId {}", case.id);
            checked += 1;
        }
    }
    assert_eq!(checked, 87);
}
