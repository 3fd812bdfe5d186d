//! Signed requests for your own handler tests (feature `test-util`).

use actix_web::test::TestRequest;
use bytes::Bytes;
use qstash_core::Signer;

/// A `POST` to `url` (path and query as the request target, the authority as `Host`) carrying
/// `body`, a fresh `Upstash-Signature` from `signer`, `content-type: application/json` and an
/// `Upstash-Message-Id`, as QStash would deliver it.
///
/// ```
/// use qstash_actix::test_util::signed_request;
///
/// let request = signed_request(&qstash_core::Signer::dev(), "https://my-app.example/api/qstash", r#"{"a":1}"#)
///     .to_http_request();
/// assert!(request.headers().contains_key("upstash-signature"));
/// ```
pub fn signed_request(signer: &Signer, url: &str, body: impl Into<Bytes>) -> TestRequest {
    let body = body.into();
    let token = signer.token(url, &body).sign();
    let uri: actix_web::http::Uri = url.parse().unwrap_or_default();
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut request = TestRequest::post()
        .uri(target)
        .insert_header(("upstash-signature", token))
        .insert_header(("content-type", "application/json"))
        .insert_header(("upstash-message-id", "msg_test"));
    if let Some(authority) = uri.authority() {
        request = request.insert_header(("host", authority.as_str()));
    }
    request.set_payload(body)
}
