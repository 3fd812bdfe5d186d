//! Every rule and status of SPEC.md §7 through the middleware, with `actix_web::test`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::dev::{Payload, Service, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::middleware::DefaultHeaders;
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, web};
use bytes::Bytes;
use futures_core::Stream;
use qstash_actix::{ProxyHeaders, QStash, QStashConfig, Rejection, UrlPolicy, VerifiedMessage};
use qstash_core::{KeyPair, Receiver, Signer};

const URL: &str = "https://my-app.example.com/api/qstash";
const BODY: &str = r#"{"order":42}"#;

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn echo(message: VerifiedMessage, body: web::Bytes) -> String {
    format!(
        "{}|{}|{:?}|{}",
        message.message_id.as_deref().unwrap_or_default(),
        message.claims.sub(),
        message.retried,
        String::from_utf8_lossy(&body)
    )
}

fn dev() -> QStashConfig {
    QStashConfig::new(Receiver::dev())
}

/// Sends `request` (with `payload` as its body) to `/api/qstash` behind the middleware.
async fn send_with(config: QStashConfig, request: TestRequest, payload: Payload) -> (StatusCode, String) {
    let app = test::init_service(
        App::new()
            .service(web::resource("/api/qstash").wrap(QStash::new(config)).route(web::post().to(echo))),
    )
    .await;
    let (request, _) = request.to_request().replace_payload(payload);
    let response = app.call(request).await.unwrap();
    read(response).await
}

async fn read(response: ServiceResponse<impl actix_web::body::MessageBody>) -> (StatusCode, String) {
    let status = response.status();
    let body = test::read_body(response).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn send(config: QStashConfig, request: TestRequest, body: &str) -> (StatusCode, String) {
    send_with(config, request, Payload::from(Bytes::copy_from_slice(body.as_bytes()))).await
}

fn request(token: Option<&str>, path: &str) -> TestRequest {
    let mut request = TestRequest::post()
        .uri(path)
        .insert_header(("upstash-message-id", "msg_1"))
        .insert_header(("upstash-retried", "2"));
    if let Some(token) = token {
        request = request.insert_header(("upstash-signature", token));
    }
    request
}

fn token_for(url: &str, body: &str) -> String {
    Signer::dev().token(url, body.as_bytes()).sign()
}

fn reason(code: &str) -> String {
    format!(r#"{{"error":"invalid_signature","reason":"{code}"}}"#)
}

#[actix_web::test]
async fn valid_delivery_reaches_the_handler_with_the_exact_bytes_and_the_verified_message() {
    let (status, body) = send(dev(), request(Some(&token_for(URL, BODY)), "/api/qstash"), BODY).await;
    assert_eq!(status, 200);
    assert_eq!(body, format!("msg_1|{URL}|Some(2)|{BODY}"));
}

#[actix_web::test]
async fn missing_or_empty_signature_is_401_missing() {
    assert_eq!(
        send(dev(), request(None, "/api/qstash"), BODY).await,
        (StatusCode::UNAUTHORIZED, reason("missing"))
    );
    assert_eq!(
        send(dev(), request(Some(""), "/api/qstash"), BODY).await,
        (StatusCode::UNAUTHORIZED, reason("missing"))
    );
}

#[actix_web::test]
async fn rejection_is_an_error_response_that_outer_middleware_still_sees() {
    let app = test::init_service(
        App::new()
            .wrap(DefaultHeaders::new().add(("x-outer", "ran")))
            .service(web::resource("/api/qstash").wrap(QStash::new(dev())).route(web::post().to(echo))),
    )
    .await;
    let response = app.call(request(None, "/api/qstash").to_request()).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers().get("x-outer").unwrap(), "ran");
    assert_eq!(response.headers().get("content-type").unwrap(), "application/json");
    assert_eq!(response.headers().get("www-authenticate").unwrap(), "Upstash-Signature");
    let error = response.response().error().expect("the rejection travels as an actix error");
    assert_eq!(error.to_string(), "QStash signature rejected: no Upstash-Signature token");
}

#[actix_web::test]
async fn tampered_body_is_401_body() {
    let r = send(dev(), request(Some(&token_for(URL, BODY)), "/api/qstash"), r#"{"order":43}"#).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("body")));
}

#[actix_web::test]
async fn tampered_token_is_401_signature() {
    let mut token = token_for(URL, BODY).into_bytes();
    let at = token.iter().position(|&b| b == b'.').unwrap() + 5;
    token[at] = if token[at] == b'A' { b'B' } else { b'A' };
    let r = send(dev(), request(Some(std::str::from_utf8(&token).unwrap()), "/api/qstash"), BODY).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("signature")));
}

#[actix_web::test]
async fn token_signed_with_another_key_is_401_signature() {
    let token = Signer::new("sig_someoneElsesKey").unwrap().token(URL, BODY.as_bytes()).sign();
    let r = send(dev(), request(Some(&token), "/api/qstash"), BODY).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("signature")));
}

#[actix_web::test]
async fn expired_token_is_401_expired() {
    let token = Signer::dev().token(URL, BODY.as_bytes()).sign_at(now() - 3600);
    let r = send(dev(), request(Some(&token), "/api/qstash"), BODY).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("expired")));
}

#[actix_web::test]
async fn non_text_signature_header_is_401_malformed_never_500() {
    let req = request(None, "/api/qstash").insert_header((
        "upstash-signature",
        actix_web::http::header::HeaderValue::from_bytes(b"\xff\xfe.a.b").unwrap(),
    ));
    assert_eq!(send(dev(), req, BODY).await, (StatusCode::UNAUTHORIZED, reason("malformed")));
}

#[actix_web::test]
async fn path_and_query_policy_refuses_a_token_for_another_endpoint() {
    let token = token_for("https://my-app.example.com/api/other", BODY);
    let r = send(dev(), request(Some(&token), "/api/qstash"), BODY).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("subject")));
    let with_query = token_for("https://my-app.example.com/api/qstash?tenant=1", BODY);
    let r = send(dev(), request(Some(&with_query), "/api/qstash"), BODY).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[actix_web::test]
async fn path_and_query_policy_accepts_another_scheme_or_host_as_behind_a_proxy() {
    let token = token_for("https://public.example.org:8443/api/qstash", BODY);
    assert_eq!(send(dev(), request(Some(&token), "/api/qstash"), BODY).await.0, 200);
    let token = token_for("https://public.example.org/api/qstash?x=1", BODY);
    assert_eq!(send(dev(), request(Some(&token), "/api/qstash?x=1"), BODY).await.0, 200);
}

#[actix_web::test]
async fn public_base_policy_requires_the_exact_public_url() {
    let config = dev().url_policy(UrlPolicy::PublicBase("https://my-app.example.com/".into()));
    let ok = send(config.clone(), request(Some(&token_for(URL, BODY)), "/api/qstash"), BODY).await;
    assert_eq!(ok.0, 200);
    let other_host = token_for("https://evil.example.com/api/qstash", BODY);
    let r = send(config, request(Some(&other_host), "/api/qstash"), BODY).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[actix_web::test]
async fn exact_policy_compares_the_whole_url() {
    let config = dev().url_policy(UrlPolicy::Exact(URL.into()));
    assert_eq!(send(config.clone(), request(Some(&token_for(URL, BODY)), "/api/qstash"), BODY).await.0, 200);
    let r = send(config, request(Some(&token_for(&format!("{URL}/"), BODY)), "/api/qstash"), BODY).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[actix_web::test]
async fn forwarded_policy_rebuilds_the_public_url_from_proxy_headers() {
    let config = dev().url_policy(UrlPolicy::forwarded(ProxyHeaders::XForwarded));
    let req = request(Some(&token_for(URL, BODY)), "/api/qstash")
        .insert_header(("x-forwarded-proto", "https"))
        .insert_header(("x-forwarded-host", "my-app.example.com"))
        .insert_header(("host", "10.0.0.7:8080"));
    assert_eq!(send(config.clone(), req, BODY).await.0, 200);
    // Without the proxy's headers the request did not come through the proxy.
    let req =
        request(Some(&token_for(URL, BODY)), "/api/qstash").insert_header(("host", "my-app.example.com"));
    assert_eq!(send(config, req, BODY).await, (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[actix_web::test]
async fn skip_policy_accepts_any_subject_string() {
    let config = dev().url_policy(UrlPolicy::Skip);
    let token = token_for("https://anything.example/else", BODY);
    assert_eq!(send(config, request(Some(&token), "/api/qstash"), BODY).await.0, 200);
}

#[actix_web::test]
async fn declared_length_over_the_limit_is_413_before_reading() {
    let polled = Arc::new(AtomicUsize::new(0));
    let req = request(Some(&token_for(URL, BODY)), "/api/qstash").insert_header(("content-length", "1000"));
    let (status, body) = send_with(dev().body_limit(8), req, huge(1000, &polled)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body, r#"{"error":"payload_too_large","reason":"payload_too_large"}"#);
    assert_eq!(polled.load(Ordering::SeqCst), 0, "the payload was read");
}

#[actix_web::test]
async fn streamed_body_over_the_limit_is_413() {
    let req = request(Some(&token_for(URL, BODY)), "/api/qstash");
    let (status, _) = send_with(dev().body_limit(8), req, chunked(BODY.as_bytes(), 3)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[actix_web::test]
async fn body_at_exactly_the_limit_is_accepted() {
    let config = dev().body_limit(BODY.len());
    assert_eq!(send(config, request(Some(&token_for(URL, BODY)), "/api/qstash"), BODY).await.0, 200);
}

#[actix_web::test]
async fn unreadable_body_is_400() {
    let failing: Payload = Payload::Stream {
        payload: Box::pin(futures_util::stream::once(async { Err(PayloadError::Incomplete(None)) })),
    };
    let (status, text) = send_with(dev(), request(Some(&token_for(URL, BODY)), "/api/qstash"), failing).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(text, r#"{"error":"unreadable_body","reason":"unreadable_body"}"#);
}

#[actix_web::test]
async fn body_split_into_many_chunks_verifies_and_arrives_whole() {
    let big: String = (0..20_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let token = token_for(URL, &big);
    let (status, body) =
        send_with(dev(), request(Some(&token), "/api/qstash"), chunked(big.as_bytes(), 7)).await;
    assert_eq!(status, 200);
    assert!(body.ends_with(&big));
}

#[actix_web::test]
async fn unauthenticated_request_with_a_100_mib_body_is_refused_without_reading_it() {
    let polled = Arc::new(AtomicUsize::new(0));
    let token = Signer::new("sig_attackerKey").unwrap().token(URL, b"x").sign();
    let r = send_with(dev(), request(Some(&token), "/api/qstash"), huge(100 << 20, &polled)).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("signature")));
    assert_eq!(polled.load(Ordering::SeqCst), 0, "the payload was read");
}

#[actix_web::test]
async fn keys_replaced_at_runtime_apply_without_restarting() {
    let config = QStashConfig::new(Receiver::new("sig_oldCurrentKey", "sig_oldNextKey").unwrap());
    let app =
        test::init_service(App::new().service(
            web::resource("/api/qstash").wrap(QStash::new(config.clone())).route(web::post().to(echo)),
        ))
        .await;
    let token = Signer::new("sig_newCurrentKey").unwrap().token(URL, BODY.as_bytes()).sign();
    let signed = || request(Some(&token), "/api/qstash").set_payload(BODY).to_request();
    assert_eq!(test::call_service(&app, signed()).await.status(), 401);
    config.replace_keys(KeyPair::new("sig_newCurrentKey", "sig_newNextKey").unwrap());
    assert_eq!(test::call_service(&app, signed()).await.status(), 200);
}

#[actix_web::test]
async fn rejection_status_and_body_can_be_customised() {
    let config =
        dev().on_rejection(|r: &Rejection| HttpResponse::Forbidden().body(format!("nope: {}", r.reason())));
    assert_eq!(
        send(config, request(None, "/api/qstash"), BODY).await,
        (StatusCode::FORBIDDEN, "nope: missing".into())
    );
}

#[actix_web::test]
async fn verified_message_without_the_middleware_fails_closed_with_401() {
    let app = test::init_service(App::new().route("/api/qstash", web::post().to(echo))).await;
    let req = request(Some(&token_for(URL, BODY)), "/api/qstash").set_payload(BODY).to_request();
    let r = read(test::call_service(&app, req).await).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("missing")));
}

#[actix_web::test]
async fn json_handler_behind_the_middleware_reads_the_verified_payload() {
    #[derive(serde::Deserialize)]
    struct Order {
        order: u64,
    }
    let app =
        test::init_service(App::new().service(web::scope("/api").wrap(QStash::new(dev())).route(
            "/qstash",
            web::post().to(|order: web::Json<Order>| async move { order.order.to_string() }),
        )))
        .await;
    let req = request(Some(&token_for(URL, BODY)), "/api/qstash")
        .insert_header(("content-type", "application/json"))
        .set_payload(BODY)
        .to_request();
    let r = read(test::call_service(&app, req).await).await;
    assert_eq!(r, (StatusCode::OK, "42".into()));
}

/// A payload delivered `size` bytes at a time.
fn chunked(bytes: &[u8], size: usize) -> Payload {
    let chunks: Vec<Result<Bytes, PayloadError>> =
        bytes.chunks(size).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    Payload::Stream { payload: Box::pin(futures_util::stream::iter(chunks)) }
}

/// A payload of `len` zero bytes that counts how often it is read.
fn huge(len: usize, polled: &Arc<AtomicUsize>) -> Payload {
    Payload::Stream { payload: Box::pin(Huge { remaining: len, polled: polled.clone() }) }
}

struct Huge {
    remaining: usize,
    polled: Arc<AtomicUsize>,
}

impl Stream for Huge {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.polled.fetch_add(1, Ordering::SeqCst);
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(1 << 20);
        self.remaining -= n;
        Poll::Ready(Some(Ok(Bytes::from(vec![0u8; n]))))
    }
}

#[actix_web::test]
async fn signature_failures_call_the_key_refresh_hook_and_other_failures_do_not() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let config = dev().on_signature_failure(move || {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let forged = Signer::new("sig_rotatedAwayKey").unwrap().token(URL, BODY.as_bytes()).sign();
    assert_eq!(send(config.clone(), request(Some(&forged), "/api/qstash"), BODY).await.0, 401);
    let expired = Signer::dev().token(URL, BODY.as_bytes()).sign_at(now() - 3600);
    assert_eq!(send(config, request(Some(&expired), "/api/qstash"), BODY).await.0, 401);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn a_replayed_delivery_is_401_replayed_and_a_new_one_passes() {
    let config = dev().replay_guard(qstash_gate::replay::MemoryReplayGuard::new(1000));
    let app = test::init_service(
        App::new()
            .service(web::resource("/api/qstash").wrap(QStash::new(config)).route(web::post().to(echo))),
    )
    .await;
    let token = token_for(URL, BODY);
    let once = || request(Some(&token), "/api/qstash").set_payload(BODY).to_request();
    assert_eq!(test::call_service(&app, once()).await.status(), 200);
    let r = read(test::call_service(&app, once()).await).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("replayed")));
    let fresh = request(Some(&token_for(URL, BODY)), "/api/qstash").set_payload(BODY).to_request();
    assert_eq!(test::call_service(&app, fresh).await.status(), 200);
}

#[actix_web::test]
async fn forwarded_policy_trusts_the_element_the_proxy_appended_and_refuses_hosts_with_a_path() {
    let config = dev().url_policy(UrlPolicy::forwarded(ProxyHeaders::XForwarded));
    let attacker_url = "https://attacker.example/api/qstash";
    let proxied = |token: &str| {
        request(Some(token), "/api/qstash")
            .insert_header(("x-forwarded-host", "attacker.example, my-app.example.com"))
            .insert_header(("x-forwarded-proto", "https"))
    };
    let r = send(config.clone(), proxied(&token_for(attacker_url, BODY)), BODY).await;
    assert_eq!(r, (StatusCode::UNAUTHORIZED, reason("subject")));
    assert_eq!(send(config.clone(), proxied(&token_for(URL, BODY)), BODY).await.0, 200);
    let internal = "https://api.example.com/internal/api/qstash";
    let req = request(Some(&token_for(internal, BODY)), "/api/qstash")
        .insert_header(("forwarded", r#"proto=https;host="api.example.com/internal""#));
    let rfc7239 = dev().url_policy(UrlPolicy::forwarded(ProxyHeaders::Forwarded));
    assert_eq!(send(rfc7239, req, BODY).await, (StatusCode::UNAUTHORIZED, reason("subject")));
}

#[actix_web::test]
async fn the_outcome_hook_sees_each_delivery_once_with_its_reason_and_key() {
    let seen: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let config = dev().on_outcome(move |o| {
        record.lock().unwrap().push(format!("{} {} {}", o.verdict.as_str(), o.reason, o.key_label()));
    });
    let signed = |signer: Signer| signer.token(URL, BODY.as_bytes()).sign();
    let post =
        |token: String| TestRequest::post().uri("/api/qstash").insert_header(("upstash-signature", token));
    assert_eq!(send(config.clone(), post(signed(Signer::dev())), BODY).await.0, StatusCode::OK);
    assert_eq!(send(config.clone(), post(signed(Signer::dev_next())), BODY).await.0, StatusCode::OK);
    assert_eq!(send(config.clone(), post(signed(Signer::dev())), "{}").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(config, TestRequest::post().uri("/api/qstash"), BODY).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        *seen.lock().unwrap(),
        ["accepted none current", "accepted none next", "rejected body none", "rejected missing none"]
    );
}
