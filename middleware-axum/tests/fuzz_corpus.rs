//! Replays the committed `request_head` fuzz corpus on stable (see `fuzz/README.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::path::Path;

#[test]
fn request_head_corpus_never_panics_and_keeps_invariants() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/request_head");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| qstash_axum::fuzzing::request_head(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
        count += 1;
    }
    assert!(count > 0, "no corpus in {}", dir.display());
}
