//! The response a [`Rejection`] gets by default (SPEC.md §7).

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
pub use qstash_gate::Rejection;

/// The default response for a rejection: 401 `{"error":"invalid_signature","reason":"<code>"}`
/// (with `WWW-Authenticate: Upstash-Signature`), 413 `{"error":"payload_too_large",…}` or
/// 400 `{"error":"unreadable_body",…}`, all `application/json`. Call it from your own
/// [`QStashConfig::on_rejection`](crate::QStashConfig::on_rejection) to change only part of it.
pub fn default_response(rejection: &Rejection) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(rejection.json_body()));
    *response.status_mut() = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(scheme) = rejection.www_authenticate() {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(scheme));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use qstash_core::VerifyError;

    #[test]
    fn default_responses_carry_status_and_reason_json() {
        let r = default_response(&Rejection::Unauthorized(VerifyError::Expired));
        assert_eq!(r.status(), 401);
        assert_eq!(r.body().as_ref(), br#"{"error":"invalid_signature","reason":"expired"}"#);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["www-authenticate"], "Upstash-Signature");
        let r = default_response(&Rejection::PayloadTooLarge { limit: 1 });
        assert_eq!(r.status(), 413);
        assert!(!r.headers().contains_key("www-authenticate"));
        assert_eq!(default_response(&Rejection::BadBody).status(), 400);
    }
}
