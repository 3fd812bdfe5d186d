//! [`Rejection`]: why a request was refused, and the status, headers and body it gets
//! (SPEC.md §7.2). Every front end answers from these methods, so none can drift.

use alloc::string::String;
use core::fmt;

use qstash_core::VerifyError;

/// Why a front end refused a request. Every variant is the sender's (or the store's) doing,
/// never a server error: the statuses are 401, 413, 400 and 503.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The signature or a claim did not verify (401).
    Unauthorized(VerifyError),
    /// The replay guard has already accepted this token's `jti`, or a guarded token has none
    /// (401, SPEC.md §6).
    Replayed,
    /// The body is larger than the configured limit (413).
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read: the connection failed or the framing was invalid (400).
    BadBody,
    /// The replay store could not answer in time, so the delivery was refused (503, fail
    /// closed); QStash retries it later.
    ReplayStoreUnavailable,
}

/// The headers of a 401: the body's type and the scheme RFC 9110 asks a 401 to name.
const UNAUTHORIZED_HEADERS: [(&str, &str); 2] =
    [("content-type", "application/json"), ("www-authenticate", "Upstash-Signature")];

impl Rejection {
    /// Every reason code a rejection can carry, in the order of SPEC.md §3.2: the verifier's,
    /// then `replayed`, `replay_store_unavailable`, `payload_too_large` and `unreadable_body`.
    /// The bindings export this list instead of spelling the codes out again.
    pub fn reason_codes() -> impl Iterator<Item = &'static str> {
        VerifyError::REASON_CODES.into_iter().chain([
            "replayed",
            "replay_store_unavailable",
            "payload_too_large",
            "unreadable_body",
        ])
    }

    /// The HTTP status: 401, 413, 400 or 503.
    pub fn status(&self) -> u16 {
        match self {
            Rejection::Unauthorized(_) | Rejection::Replayed => 401,
            Rejection::PayloadTooLarge { .. } => 413,
            Rejection::BadBody => 400,
            Rejection::ReplayStoreUnavailable => 503,
        }
    }

    /// The stable reason code: the verifier's (`signature`, `expired`, …), `replayed`,
    /// `payload_too_large`, `unreadable_body` or `replay_store_unavailable`.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::Unauthorized(e) => e.reason(),
            Rejection::Replayed => "replayed",
            Rejection::PayloadTooLarge { .. } => "payload_too_large",
            Rejection::BadBody => "unreadable_body",
            Rejection::ReplayStoreUnavailable => "replay_store_unavailable",
        }
    }

    /// The `error` member of the JSON body: `invalid_signature` for every 401, otherwise the
    /// reason code.
    pub fn error(&self) -> &'static str {
        match self.status() {
            401 => "invalid_signature",
            _ => self.reason(),
        }
    }

    /// The response body, `{"error":"invalid_signature","reason":"<code>"}`.
    pub fn json_body(&self) -> String {
        // Both strings are fixed ASCII identifiers, so no JSON escaping is needed.
        alloc::format!(r#"{{"error":"{}","reason":"{}"}}"#, self.error(), self.reason())
    }

    /// The response headers, names in lower case: `content-type: application/json`, and on a
    /// 401 `www-authenticate: Upstash-Signature`.
    pub fn headers(&self) -> &'static [(&'static str, &'static str)] {
        match self.status() {
            401 => &UNAUTHORIZED_HEADERS,
            _ => &UNAUTHORIZED_HEADERS[..1],
        }
    }

    /// The `WWW-Authenticate` value of a 401 (its scheme is QStash's signature header);
    /// `None` for the other rejections.
    pub fn www_authenticate(&self) -> Option<&'static str> {
        self.headers().iter().find(|(name, _)| *name == "www-authenticate").map(|(_, value)| *value)
    }
}

impl From<VerifyError> for Rejection {
    fn from(error: VerifyError) -> Self {
        Rejection::Unauthorized(error)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Unauthorized(e) => write!(f, "QStash signature rejected: {e}"),
            Rejection::Replayed => f.write_str("QStash delivery replayed: its token was already accepted"),
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
    fn every_rejection_has_its_status_reason_json_and_headers() {
        let cases = [
            (Rejection::Unauthorized(VerifyError::Expired), 401, "invalid_signature", "expired"),
            (Rejection::Replayed, 401, "invalid_signature", "replayed"),
            (Rejection::PayloadTooLarge { limit: 1 }, 413, "payload_too_large", "payload_too_large"),
            (Rejection::BadBody, 400, "unreadable_body", "unreadable_body"),
            (Rejection::ReplayStoreUnavailable, 503, "replay_store_unavailable", "replay_store_unavailable"),
        ];
        for (rejection, status, error, reason) in cases {
            assert_eq!((rejection.status(), rejection.error(), rejection.reason()), (status, error, reason));
            let json = alloc::format!(r#"{{"error":"{error}","reason":"{reason}"}}"#);
            assert_eq!(rejection.json_body(), json);
            assert_eq!(rejection.headers()[0], ("content-type", "application/json"));
            let scheme = rejection.www_authenticate();
            assert_eq!(scheme, (status == 401).then_some("Upstash-Signature"), "{rejection:?}");
            assert_eq!(rejection.headers().len(), if status == 401 { 2 } else { 1 });
        }
    }

    #[test]
    fn reason_codes_list_every_rejection_once_in_spec_order() {
        let codes: alloc::vec::Vec<_> = Rejection::reason_codes().collect();
        assert_eq!(codes.len(), 13);
        assert_eq!(
            &codes[9..],
            ["replayed", "replay_store_unavailable", "payload_too_large", "unreadable_body"]
        );
        for rejection in [Rejection::Replayed, Rejection::ReplayStoreUnavailable, Rejection::BadBody] {
            assert!(codes.contains(&rejection.reason()));
        }
    }
}
