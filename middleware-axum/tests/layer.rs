//! Every rule and status of SPEC.md §7 through the layer, with `oneshot` requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::post;
use http::{Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::BodyExt;
use qstash_axum::{ProxyHeaders, QStashConfig, QStashLayer, Rejection, UrlPolicy, VerifiedMessage};
use qstash_core::{KeyPair, Receiver, Signer};
use tower::ServiceExt;

const URL: &str = "https://my-app.example.com/api/qstash";
const BODY: &str = r#"{"order":42}"#;

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn echo(message: VerifiedMessage, body: Bytes) -> String {
    format!(
        "{}|{}|{:?}|{}",
        message.message_id.as_deref().unwrap_or_default(),
        message.claims.sub(),
        message.retried,
        String::from_utf8_lossy(&body)
    )
}

fn app(config: QStashConfig) -> Router {
    Router::new().route("/api/qstash", post(echo)).route_layer(QStashLayer::new(config))
}

fn dev() -> QStashConfig {
    QStashConfig::new(Receiver::dev())
}

fn request(token: Option<&str>, path: &str, body: impl Into<Body>) -> Request<Body> {
    let mut builder =
        Request::post(path).header("upstash-message-id", "msg_1").header("upstash-retried", "2");
    if let Some(token) = token {
        builder = builder.header("upstash-signature", token);
    }
    builder.body(body.into()).unwrap()
}

fn token_for(url: &str, body: &str) -> String {
    Signer::dev().token(url, body.as_bytes()).sign()
}

async fn send(app: Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn reason(code: &str) -> String {
    format!(r#"{{"error":"invalid_signature","reason":"{code}"}}"#)
}

#[tokio::test]
async fn valid_delivery_reaches_the_handler_with_the_exact_bytes_and_the_verified_message() {
    let (status, body) = send(app(dev()), request(Some(&token_for(URL, BODY)), "/api/qstash", BODY)).await;
    assert_eq!(status, 200);
    assert_eq!(body, format!("msg_1|{URL}|Some(2)|{BODY}"));
}

#[tokio::test]
async fn missing_or_empty_signature_is_401_missing() {
    assert_eq!(
        send(app(dev()), request(None, "/api/qstash", BODY)).await,
        (StatusCode::UNAUTHORIZED, reason("missing"))
    );
    assert_eq!(
        send(app(dev()), request(Some(""), "/api/qstash", BODY)).await,
        (StatusCode::UNAUTHORIZED, reason("missing"))
    );
}

#[tokio::test]
async fn rejection_has_json_content_type_and_www_authenticate() {
    let response = app(dev()).oneshot(request(None, "/api/qstash", BODY)).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["www-authenticate"], "Upstash-Signature");
}

#[tokio::test]
async fn tampered_body_is_401_body() {
    let r = send(app(dev()), request(Some(&token_for(URL, BODY)), "/api/qstash", r#"{"order":43}"#)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("body")));
}

#[tokio::test]
async fn tampered_token_is_401_signature() {
    let mut token = token_for(URL, BODY).into_bytes();
    let at = token.iter().position(|&b| b == b'.').unwrap() + 5;
    token[at] = if token[at] == b'A' { b'B' } else { b'A' };
    let r = send(app(dev()), request(Some(std::str::from_utf8(&token).unwrap()), "/api/qstash", BODY)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("signature")));
}

#[tokio::test]
async fn token_signed_with_another_key_is_401_signature() {
    let token = Signer::new("sig_someoneElsesKey").unwrap().token(URL, BODY.as_bytes()).sign();
    let r = send(app(dev()), request(Some(&token), "/api/qstash", BODY)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("signature")));
}

#[tokio::test]
async fn expired_token_is_401_expired() {
    let token = Signer::dev().token(URL, BODY.as_bytes()).sign_at(now() - 3600);
    let r = send(app(dev()), request(Some(&token), "/api/qstash", BODY)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("expired")));
}

#[tokio::test]
async fn non_text_signature_header_is_401_malformed_never_500() {
    let mut req = request(None, "/api/qstash", BODY);
    req.headers_mut().insert("upstash-signature", http::HeaderValue::from_bytes(b"\xff\xfe.a.b").unwrap());
    assert_eq!(send(app(dev()), req).await, (StatusCode::UNAUTHORIZED, reason("malformed")));
}

#[tokio::test]
async fn path_and_query_policy_refuses_a_token_for_another_endpoint() {
    let token = token_for("https://my-app.example.com/api/other", BODY);
    let r = send(app(dev()), request(Some(&token), "/api/qstash", BODY)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("subject")));
    let with_query = token_for("https://my-app.example.com/api/qstash?tenant=1", BODY);
    let r = send(app(dev()), request(Some(&with_query), "/api/qstash", BODY)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[tokio::test]
async fn path_and_query_policy_accepts_another_scheme_or_host_as_behind_a_proxy() {
    let token = token_for("https://public.example.org:8443/api/qstash", BODY);
    let (status, _) = send(app(dev()), request(Some(&token), "/api/qstash", BODY)).await;
    assert_eq!(status, 200);
    let token = token_for("https://public.example.org/api/qstash?x=1", BODY);
    let (status, _) = send(app(dev()), request(Some(&token), "/api/qstash?x=1", BODY)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn url_with_an_empty_path_matches_the_root_request_target() {
    // Regression (request_head fuzz target): `https://h?x=1` names path `/` with query `x=1`.
    let router = Router::new().route("/", post(echo)).route_layer(QStashLayer::new(dev()));
    let token = token_for("https://my-app.example.com?x=1", BODY);
    assert_eq!(send(router, request(Some(&token), "/?x=1", BODY)).await.0, 200);
}

#[tokio::test]
async fn public_base_policy_requires_the_exact_public_url() {
    let config = dev().url_policy(UrlPolicy::PublicBase("https://my-app.example.com/".into()));
    let (status, _) =
        send(app(config.clone()), request(Some(&token_for(URL, BODY)), "/api/qstash", BODY)).await;
    assert_eq!(status, 200);
    let other_host = token_for("https://evil.example.com/api/qstash", BODY);
    let r = send(app(config), request(Some(&other_host), "/api/qstash", BODY)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[tokio::test]
async fn exact_policy_compares_the_whole_url() {
    let config = dev().url_policy(UrlPolicy::Exact(URL.into()));
    let (status, _) =
        send(app(config.clone()), request(Some(&token_for(URL, BODY)), "/api/qstash", BODY)).await;
    assert_eq!(status, 200);
    let r = send(app(config), request(Some(&token_for(&format!("{URL}/"), BODY)), "/api/qstash", BODY)).await;
    assert_eq!(r.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forwarded_policy_rebuilds_the_public_url_from_proxy_headers() {
    let config = dev().url_policy(UrlPolicy::forwarded(ProxyHeaders::XForwarded));
    let mut req = request(Some(&token_for(URL, BODY)), "/api/qstash", BODY);
    req.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    req.headers_mut().insert("x-forwarded-host", "my-app.example.com".parse().unwrap());
    req.headers_mut().insert("host", "10.0.0.7:8080".parse().unwrap());
    assert_eq!(send(app(config.clone()), req).await.0, 200);
    // Without the proxy's headers the request did not come through the proxy.
    let mut req = request(Some(&token_for(URL, BODY)), "/api/qstash", BODY);
    req.headers_mut().insert("host", "my-app.example.com".parse().unwrap());
    assert_eq!(send(app(config), req).await, (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[tokio::test]
async fn skip_policy_accepts_any_subject_string() {
    let config = dev().url_policy(UrlPolicy::Skip);
    let token = token_for("https://anything.example/else", BODY);
    assert_eq!(send(app(config), request(Some(&token), "/api/qstash", BODY)).await.0, 200);
}

#[tokio::test]
async fn declared_length_over_the_limit_is_413_before_reading() {
    let config = dev().body_limit(8);
    let polled = Arc::new(AtomicUsize::new(0));
    let body = Body::new(Huge { remaining: 100 << 20, polled: polled.clone() });
    let mut req = request(Some(&token_for(URL, BODY)), "/api/qstash", body);
    req.headers_mut().insert("content-length", (100u32 << 20).to_string().parse().unwrap());
    let (status, text) = send(app(config), req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text.contains("payload_too_large"));
    assert_eq!(polled.load(Ordering::SeqCst), 0, "the body was read");
}

#[tokio::test]
async fn streamed_body_over_the_limit_is_413() {
    let config = dev().body_limit(8);
    let r =
        send(app(config), request(Some(&token_for(URL, BODY)), "/api/qstash", chunked(BODY.as_bytes(), 3)))
            .await;
    assert_eq!(r.0, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn body_at_exactly_the_limit_is_accepted() {
    let config = dev().body_limit(BODY.len());
    assert_eq!(send(app(config), request(Some(&token_for(URL, BODY)), "/api/qstash", BODY)).await.0, 200);
}

#[tokio::test]
async fn unreadable_body_is_400() {
    let body = Body::new(Failing);
    let (status, text) = send(app(dev()), request(Some(&token_for(URL, BODY)), "/api/qstash", body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("unreadable_body"));
}

#[tokio::test]
async fn body_split_into_many_chunks_verifies_and_arrives_whole() {
    let big: String = (0..20_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let token = token_for(URL, &big);
    let (status, body) =
        send(app(dev()), request(Some(&token), "/api/qstash", chunked(big.as_bytes(), 7))).await;
    assert_eq!(status, 200);
    assert!(body.ends_with(&big));
}

#[tokio::test]
async fn unauthenticated_request_with_a_100_mib_body_is_refused_without_reading_it() {
    let polled = Arc::new(AtomicUsize::new(0));
    let body = Body::new(Huge { remaining: 100 << 20, polled: polled.clone() });
    let token = Signer::new("sig_attackerKey").unwrap().token(URL, b"x").sign();
    let r = send(app(dev()), request(Some(&token), "/api/qstash", body)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("signature")));
    assert_eq!(polled.load(Ordering::SeqCst), 0, "the body was read");
}

#[tokio::test]
async fn keys_replaced_at_runtime_apply_without_rebuilding_the_router() {
    let config = QStashConfig::new(Receiver::new("sig_oldCurrentKey", "sig_oldNextKey").unwrap());
    let router = app(config.clone());
    let new_signer = Signer::new("sig_newCurrentKey").unwrap();
    let token = new_signer.token(URL, BODY.as_bytes()).sign();
    assert_eq!(send(router.clone(), request(Some(&token), "/api/qstash", BODY)).await.0, 401);
    config.replace_keys(KeyPair::new("sig_newCurrentKey", "sig_newNextKey").unwrap());
    assert_eq!(send(router, request(Some(&token), "/api/qstash", BODY)).await.0, 200);
}

#[tokio::test]
async fn rejection_status_and_body_can_be_customised() {
    let config = dev().on_rejection(|r: &Rejection| {
        let mut response = Response::new(Bytes::from(format!("nope: {}", r.reason())));
        *response.status_mut() = StatusCode::FORBIDDEN;
        response
    });
    assert_eq!(
        send(app(config), request(None, "/api/qstash", BODY)).await,
        (StatusCode::FORBIDDEN, "nope: missing".into())
    );
}

#[tokio::test]
async fn unknown_routes_still_answer_404_with_route_layer() {
    assert_eq!(send(app(dev()), request(None, "/elsewhere", BODY)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn verified_message_without_the_layer_fails_closed_with_401() {
    let router = Router::new().route("/api/qstash", post(echo));
    let r = send(router, request(Some(&token_for(URL, BODY)), "/api/qstash", BODY)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("missing")));
}

#[tokio::test]
async fn works_around_a_plain_tower_service_without_axum() {
    use tower::Layer;
    let inner = tower::service_fn(|req: Request<http_body_util::Full<Bytes>>| async move {
        let id =
            req.extensions().get::<VerifiedMessage>().and_then(|m| m.message_id.clone()).unwrap_or_default();
        let body = req.into_body().collect().await.unwrap().to_bytes();
        Ok::<_, Infallible>(Response::new(http_body_util::Full::new(Bytes::from(format!(
            "{id}:{}",
            body.len()
        )))))
    });
    let service = QStashLayer::new(Receiver::dev()).layer(inner);
    let req = Request::post("/api/qstash")
        .header("upstash-signature", token_for(URL, BODY))
        .header("upstash-message-id", "msg_tower")
        .body(http_body_util::Full::new(Bytes::from(BODY)))
        .unwrap();
    let response = service.clone().oneshot(req).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), format!("msg_tower:{}", BODY.len()));
    let unsigned = Request::post("/api/qstash").body(http_body_util::Full::new(Bytes::from(BODY))).unwrap();
    assert_eq!(service.oneshot(unsigned).await.unwrap().status(), 401);
}

/// A body delivered `size` bytes at a time.
fn chunked(bytes: &[u8], size: usize) -> Body {
    let chunks: Vec<Result<Bytes, Infallible>> =
        bytes.chunks(size).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    Body::from_stream(futures_util::stream::iter(chunks))
}

/// A body whose first read fails, like a connection reset mid-request.
struct Failing;

impl http_body::Body for Failing {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other("connection reset"))))
    }
}

/// A 100 MiB body that counts how often it is read.
struct Huge {
    remaining: usize,
    polled: Arc<AtomicUsize>,
}

impl http_body::Body for Huge {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.polled.fetch_add(1, Ordering::SeqCst);
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(1 << 20);
        self.remaining -= n;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![0u8; n])))))
    }
}

#[tokio::test]
async fn signature_failures_call_the_key_refresh_hook_and_other_failures_do_not() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let config = dev().on_signature_failure(move || {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let forged = Signer::new("sig_rotatedAwayKey").unwrap().token(URL, BODY.as_bytes()).sign();
    assert_eq!(send(app(config.clone()), request(Some(&forged), "/api/qstash", BODY)).await.0, 401);
    let expired = Signer::dev().token(URL, BODY.as_bytes()).sign_at(now() - 3600);
    assert_eq!(send(app(config), request(Some(&expired), "/api/qstash", BODY)).await.0, 401);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn under_a_nested_router_the_layer_compares_the_original_path() {
    let nested = || Router::new().nest("/v1", app(dev()));
    let signed_for = |path: &str| token_for(&format!("https://my-app.example.com{path}"), BODY);
    // A real delivery to /v1/api/qstash names that path, prefix included.
    let (status, _) =
        send(nested(), request(Some(&signed_for("/v1/api/qstash")), "/v1/api/qstash", BODY)).await;
    assert_eq!(status, 200);
    // A token minted for the route without the prefix is for another URL.
    let (status, body) =
        send(nested(), request(Some(&signed_for("/api/qstash")), "/v1/api/qstash", BODY)).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[tokio::test]
async fn forwarded_policy_trusts_the_element_the_proxy_appended_and_refuses_hosts_with_a_path() {
    let config = dev().url_policy(UrlPolicy::forwarded(ProxyHeaders::XForwarded));
    let attacker_url = "https://attacker.example/api/qstash";
    // The client wrote the first element, the trusted proxy appended the real host.
    let mut req = request(Some(&token_for(attacker_url, BODY)), "/api/qstash", BODY);
    req.headers_mut().insert("x-forwarded-host", "attacker.example, my-app.example.com".parse().unwrap());
    req.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    assert_eq!(send(app(config.clone()), req).await, (StatusCode::UNAUTHORIZED, reason("subject")));
    let mut req = request(Some(&token_for(URL, BODY)), "/api/qstash", BODY);
    req.headers_mut().insert("x-forwarded-host", "attacker.example, my-app.example.com".parse().unwrap());
    req.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    assert_eq!(send(app(config.clone()), req).await.0, 200);
    // A host that carries a path would move the compared path elsewhere.
    let internal = "https://api.example.com/internal/api/qstash";
    let mut req = request(Some(&token_for(internal, BODY)), "/api/qstash", BODY);
    req.headers_mut().insert("forwarded", r#"proto=https;host="api.example.com/internal""#.parse().unwrap());
    let rfc7239 = dev().url_policy(UrlPolicy::forwarded(ProxyHeaders::Forwarded));
    assert_eq!(send(app(rfc7239), req).await, (StatusCode::UNAUTHORIZED, reason("subject")));
}
