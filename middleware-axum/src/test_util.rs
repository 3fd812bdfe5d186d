//! Signed requests for your own handler tests (feature `test-util`).

use bytes::Bytes;
use http::Request;
use qstash_core::Signer;

/// A `POST` to `url` (path and query as the request target, the authority as `Host`) carrying
/// `body`, a fresh `Upstash-Signature` from `signer`, `content-type: application/json` and an
/// `Upstash-Message-Id`, as QStash would deliver it.
///
/// ```
/// use qstash_axum::test_util::signed_request;
///
/// let request: http::Request<axum::body::Body> =
///     signed_request(&qstash_core::Signer::dev(), "https://my-app.example/api/qstash", r#"{"a":1}"#);
/// assert!(request.headers().contains_key("upstash-signature"));
/// ```
pub fn signed_request<B: From<Bytes>>(signer: &Signer, url: &str, body: impl Into<Bytes>) -> Request<B> {
    let body = body.into();
    let token = signer.token(url, &body).sign();
    let uri: http::Uri = url.parse().unwrap_or_default();
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut builder = Request::post(target)
        .header("upstash-signature", token)
        .header("content-type", "application/json")
        .header("upstash-message-id", "msg_test");
    if let Some(authority) = uri.authority() {
        builder = builder.header("host", authority.as_str());
    }
    builder.body(B::from(body)).unwrap_or_else(|_| Request::new(B::from(Bytes::new())))
}
