//! [`Rejection`]: why a request was refused, and the status and body it gets (SPEC.md §7).

use alloc::string::String;
use core::fmt;

use qstash_core::VerifyError;

/// Why the middleware refused a request. Never a server error: every variant is the
/// client's (or the sender's) fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The signature or a claim did not verify (401).
    Unauthorized(VerifyError),
    /// The body is larger than the configured limit (413).
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read: the connection failed or the framing was invalid (400).
    BadBody,
    /// The replay store could not be asked, so the delivery was refused (503, fail closed);
    /// QStash retries it later.
    ReplayStoreUnavailable,
}

impl Rejection {
    /// Every reason code a rejection can carry: the verifier's (SPEC.md §3.2), then
    /// `payload_too_large` and `unreadable_body`. The bindings export this list instead of
    /// spelling the codes out again.
    pub fn reason_codes() -> impl Iterator<Item = &'static str> {
        VerifyError::REASON_CODES.into_iter().chain(["payload_too_large", "unreadable_body"])
    }

    /// The HTTP status code this rejection gets by default: 401, 413 or 400.
    pub fn status(&self) -> u16 {
        match self {
            Rejection::Unauthorized(_) => 401,
            Rejection::PayloadTooLarge { .. } => 413,
            Rejection::BadBody => 400,
            Rejection::ReplayStoreUnavailable => 503,
        }
    }

    /// The stable reason code: the verifier's (`signature`, `expired`, …), `payload_too_large`
    /// or `unreadable_body`.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::Unauthorized(e) => e.reason(),
            Rejection::PayloadTooLarge { .. } => "payload_too_large",
            Rejection::BadBody => "unreadable_body",
            Rejection::ReplayStoreUnavailable => "replay_store_unavailable",
        }
    }

    /// The `error` member of the JSON body: `invalid_signature` for every 401, otherwise the
    /// reason code.
    pub fn error(&self) -> &'static str {
        match self {
            Rejection::Unauthorized(_) => "invalid_signature",
            other => other.reason(),
        }
    }

    /// The default response body, `{"error":"invalid_signature","reason":"<code>"}` (served as
    /// `application/json`).
    pub fn json_body(&self) -> String {
        // Both strings are fixed ASCII identifiers, so no JSON escaping is needed.
        alloc::format!(r#"{{"error":"{}","reason":"{}"}}"#, self.error(), self.reason())
    }

    /// The `WWW-Authenticate` value a 401 carries (RFC 9110 asks 401 responses to name a
    /// scheme; QStash's is its signature header); `None` for the other rejections.
    pub fn www_authenticate(&self) -> Option<&'static str> {
        matches!(self, Rejection::Unauthorized(_)).then_some("Upstash-Signature")
    }
}

impl From<VerifyError> for Rejection {
    fn from(error: VerifyError) -> Self {
        match error {
            VerifyError::ReplayStoreUnavailable => Rejection::ReplayStoreUnavailable,
            error => Rejection::Unauthorized(error),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Unauthorized(e) => write!(f, "QStash signature rejected: {e}"),
            Rejection::PayloadTooLarge { limit } => write!(f, "QStash body larger than {limit} bytes"),
            Rejection::BadBody => f.write_str("QStash body could not be read"),
            Rejection::ReplayStoreUnavailable => f.write_str("QStash replay store unavailable"),
        }
    }
}

impl core::error::Error for Rejection {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rejection_has_its_status_and_reason_json() {
        let r = Rejection::Unauthorized(VerifyError::Expired);
        assert_eq!(r.status(), 401);
        assert_eq!(r.json_body(), r#"{"error":"invalid_signature","reason":"expired"}"#);
        assert_eq!(r.www_authenticate(), Some("Upstash-Signature"));
        let r = Rejection::PayloadTooLarge { limit: 1 };
        assert_eq!(
            (r.status(), r.json_body().as_str()),
            (413, r#"{"error":"payload_too_large","reason":"payload_too_large"}"#)
        );
        assert_eq!(r.www_authenticate(), None);
        assert_eq!(Rejection::BadBody.status(), 400);
        assert_eq!(
            Rejection::BadBody.json_body(),
            r#"{"error":"unreadable_body","reason":"unreadable_body"}"#
        );
    }
}
