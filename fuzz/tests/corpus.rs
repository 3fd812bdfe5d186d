//! Replays every committed corpus file (`corpus/<target>/`) through the functions the targets
//! call, on stable Rust, so the corpus (and every crash found and fixed) is re-checked without
//! a fuzzer: `cargo test --manifest-path fuzz/Cargo.toml`.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

fn replay(target: &str, run: impl Fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus for {target} in {}", dir.display());
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&data)));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn verify_bytes_corpus_never_panics_or_verifies() {
    replay("verify_bytes", qstash_fuzz::verify_bytes);
}

#[test]
fn verify_structured_corpus_matches_the_independent_reading_of_the_rules() {
    replay("verify_structured", |d| qstash_fuzz::verify_structured(d, &qstash_fuzz::jsonwebtoken_mac_valid));
}

#[test]
fn roundtrip_corpus_verifies_and_every_change_fails() {
    replay("roundtrip", qstash_fuzz::roundtrip);
}

#[test]
fn payload_fast_path_corpus_reads_like_the_general_reader() {
    replay("payload_fast_path", qstash_fuzz::payload_fast_path);
}

#[test]
fn request_head_corpus_never_panics_and_keeps_invariants() {
    replay("request_head", qstash_fuzz::request_head);
}

#[test]
fn client_response_corpus_never_panics() {
    replay("client_response", qstash_fuzz::client_response);
}

#[test]
fn dev_request_corpus_never_panics_or_answers_a_5xx() {
    replay("dev_request", qstash_fuzz::dev_request);
}
