//! The public conformance vectors (`vectors/`) through the same case runner as the conformance example.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

#[path = "../examples/conformance/case.rs"]
mod case;

use std::path::PathBuf;

#[test]
fn every_public_conformance_case_matches_its_expected_verdict_and_reason() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/qstash_conformance_public.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let c: case::Case = serde_json::from_str(line).unwrap();
        let got = case::run(&c).unwrap();
        let want = case::Verdict { valid: c.expect == "valid", reason: c.expect_reason.clone() };
        if got != want {
            failures.push(format!("{}: want {want:?}, got {got:?}", c.id));
        }
        count += 1;
    }
    assert!(failures.is_empty(), "{} of {count} cases differ:\n{}", failures.len(), failures.join("\n"));
    assert!(count >= 119, "only {count} cases read");
}
