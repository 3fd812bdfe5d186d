//! Why a request was refused, and the response it gets (DESIGN.md §7).

use std::fmt;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
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
}

impl Rejection {
    /// The HTTP status this rejection gets by default.
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Rejection::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::BadBody => StatusCode::BAD_REQUEST,
        }
    }

    /// The stable reason code: the verifier's (`signature`, `expired`, …), `payload_too_large`
    /// or `unreadable_body`.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::Unauthorized(e) => e.reason(),
            Rejection::PayloadTooLarge { .. } => "payload_too_large",
            Rejection::BadBody => "unreadable_body",
        }
    }

    /// The default response: 401 `{"error":"invalid_signature","reason":"<code>"}`,
    /// 413 `{"error":"payload_too_large",…}` or 400 `{"error":"unreadable_body",…}`.
    pub fn default_response(&self) -> Response<Bytes> {
        let error = match self {
            Rejection::Unauthorized(_) => "invalid_signature",
            other => other.reason(),
        };
        // Both strings are fixed ASCII identifiers, so no JSON escaping is needed.
        let body = format!(r#"{{"error":"{error}","reason":"{}"}}"#, self.reason());
        let mut response = Response::new(Bytes::from(body));
        *response.status_mut() = self.status();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if matches!(self, Rejection::Unauthorized(_)) {
            // RFC 9110 asks 401 responses to name a scheme; QStash's is its signature header.
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Upstash-Signature"));
        }
        response
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Unauthorized(e) => write!(f, "QStash signature rejected: {e}"),
            Rejection::PayloadTooLarge { limit } => write!(f, "QStash body larger than {limit} bytes"),
            Rejection::BadBody => f.write_str("QStash body could not be read"),
        }
    }
}

impl std::error::Error for Rejection {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_responses_carry_status_and_reason_json() {
        let r = Rejection::Unauthorized(VerifyError::Expired).default_response();
        assert_eq!(r.status(), 401);
        assert_eq!(r.body().as_ref(), br#"{"error":"invalid_signature","reason":"expired"}"#);
        assert_eq!(r.headers()["content-type"], "application/json");
        let r = Rejection::PayloadTooLarge { limit: 1 }.default_response();
        assert_eq!(
            (r.status().as_u16(), r.body().as_ref()),
            (413, &br#"{"error":"payload_too_large","reason":"payload_too_large"}"#[..])
        );
        assert_eq!(Rejection::BadBody.default_response().status(), 400);
    }
}
