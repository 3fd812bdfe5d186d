//! The response a [`Rejection`] gets by default (SPEC.md §7).

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode};
pub use qstash_gate::Rejection;

/// The default response for a rejection, as every qstash-kit front end answers it (SPEC.md
/// §7.2): its status (401, 413, 400 or 503), its headers and its JSON body
/// `{"error":…,"reason":…}`. Call it from your own
/// [`QStashConfig::on_rejection`](crate::QStashConfig::on_rejection) to change only part of it.
pub fn default_response(rejection: &Rejection) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(rejection.json_body()));
    // The gate's statuses and header names are fixed valid values; the fallbacks cannot run.
    *response.status_mut() = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::BAD_REQUEST);
    for (name, value) in rejection.headers() {
        response.headers_mut().insert(HeaderName::from_static(name), HeaderValue::from_static(value));
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
        assert_eq!(default_response(&Rejection::ReplayStoreUnavailable).status(), 503);
        assert_eq!(default_response(&Rejection::Replayed).headers()["www-authenticate"], "Upstash-Signature");
    }
}
