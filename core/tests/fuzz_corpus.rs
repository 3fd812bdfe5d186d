//! Replays every committed fuzz corpus file (`fuzz/corpus/<target>/`) through the same
//! `qstash_core::fuzzing` functions the cargo-fuzz targets call, on stable Rust, so the corpus
//! (and every crash found and fixed) is re-checked by every test run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::path::{Path, PathBuf};

use qstash_core::fuzzing;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus for {target} in {}", dir.display());
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

/// The same second opinion the `verify_structured` target uses: `jsonwebtoken`'s HS256 check
/// of the signature alone.
fn jsonwebtoken_mac_valid(token: &str, key: &[u8]) -> bool {
    let Some((input, signature)) = token.rsplit_once('.') else { return false };
    let key = jsonwebtoken::DecodingKey::from_secret(key);
    jsonwebtoken::crypto::verify(signature, input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)
        .unwrap_or(false)
}

fn replay(target: &str, run: impl Fn(&[u8])) {
    for (path, data) in corpus(target) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&data)));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn verify_bytes_corpus_never_panics_or_verifies() {
    replay("verify_bytes", fuzzing::verify_bytes);
}

#[test]
fn verify_structured_corpus_matches_the_independent_reading_of_the_rules() {
    replay("verify_structured", |d| fuzzing::verify_structured(d, &jsonwebtoken_mac_valid));
}

#[test]
fn roundtrip_corpus_verifies_and_every_change_fails() {
    replay("roundtrip", fuzzing::roundtrip);
}

#[test]
fn payload_fast_path_corpus_reads_like_the_general_reader() {
    replay("payload_fast_path", fuzzing::payload_fast_path);
}
