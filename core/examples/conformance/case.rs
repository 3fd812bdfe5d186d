//! One conformance case (SPEC.md §8): a JSONL line in, a verdict line out. Shared by the
//! runner example and the test that checks it against `expect`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qstash_core::{Receiver, Request};
use serde::Deserialize;

/// The fields of a case the verifier needs; the rest (`description`, `sdk`, …) is ignored.
#[derive(Debug, Deserialize)]
pub(crate) struct Case {
    pub(crate) id: String,
    pub(crate) token: Option<String>,
    pub(crate) body_b64: String,
    pub(crate) url: Option<String>,
    pub(crate) now: i64,
    pub(crate) clock_tolerance_s: u64,
    pub(crate) current_key: String,
    pub(crate) next_key: String,
    #[serde(default)]
    pub(crate) region: Option<String>,
    // Read by the conformance test; the runner only prints verdicts.
    #[allow(dead_code)]
    pub(crate) expect: String,
    #[allow(dead_code)]
    pub(crate) expect_reason: Option<String>,
}

/// The runner's answer for one case.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) valid: bool,
    pub(crate) reason: Option<String>,
}

impl Verdict {
    /// `{"id":…,"verdict":…,"reason":…}`, the line every runner prints.
    #[allow(dead_code)] // the conformance test compares verdicts, not lines
    pub(crate) fn to_line(&self, id: &str) -> String {
        serde_json::json!({
            "id": id,
            "verdict": if self.valid { "valid" } else { "invalid" },
            "reason": self.reason,
        })
        .to_string()
    }
}

/// Runs one case through the public API exactly as a user would.
pub(crate) fn run(case: &Case) -> Result<Verdict, String> {
    let body = STANDARD.decode(&case.body_b64).map_err(|e| format!("{}: body_b64: {e}", case.id))?;
    let receiver = match Receiver::new(&case.current_key, &case.next_key) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Verdict { valid: false, reason: Some(e.reason().to_owned()) });
        }
    };
    let mut request = Request::from_header(case.token.as_deref().map(str::as_bytes), &body)
        .clock_tolerance(case.clock_tolerance_s);
    if let Some(url) = &case.url {
        request = request.url(url);
    }
    if let Some(region) = &case.region {
        request = request.region(region);
    }
    Ok(match receiver.verify_at(&request, case.now) {
        Ok(_) => Verdict { valid: true, reason: None },
        Err(e) => Verdict { valid: false, reason: Some(e.reason().to_owned()) },
    })
}
