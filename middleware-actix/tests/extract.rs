//! `Verified<T>` on its own (config from the app data) and behind the middleware.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use actix_web::dev::{Payload, Service, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use bytes::Bytes;
use qstash_actix::test_util::signed_request;
use qstash_actix::{QStash, QStashConfig, Verified};
use qstash_core::{Receiver, Signer};

const URL: &str = "https://my-app.example.com/api/orders";

#[derive(serde::Deserialize)]
struct Order {
    id: u64,
}

async fn order(Verified { message, value: web::Json(order) }: Verified<web::Json<Order>>) -> String {
    format!("{}:{}", message.message_id.as_deref().unwrap_or_default(), order.id)
}

async fn raw(Verified { value, .. }: Verified<web::Bytes>) -> web::Bytes {
    value
}

async fn text(Verified { value, .. }: Verified<String>) -> String {
    value
}

async fn ignores_body(Verified { message, .. }: Verified<()>) -> String {
    message.claims.sub().to_owned()
}

fn app(
    config: QStashConfig,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(config)
        .route("/api/orders", web::post().to(order))
        .route("/api/raw", web::post().to(raw))
        .route("/api/text", web::post().to(text))
        .route("/api/ignore", web::post().to(ignores_body))
}

async fn send_payload(
    config: QStashConfig,
    request: TestRequest,
    payload: Option<Payload>,
) -> (StatusCode, String) {
    let service = test::init_service(app(config)).await;
    let mut request = request.to_request();
    if let Some(payload) = payload {
        request = request.replace_payload(payload).0;
    }
    let response = service.call(request).await.unwrap();
    let status = response.status();
    (status, String::from_utf8_lossy(&test::read_body(response).await).into_owned())
}

async fn send(request: TestRequest) -> (StatusCode, String) {
    send_payload(QStashConfig::new(Receiver::dev()), request, None).await
}

#[actix_web::test]
async fn verified_json_runs_the_inner_extractor_on_the_verified_bytes() {
    assert_eq!(
        send(signed_request(&Signer::dev(), URL, r#"{"id":7}"#)).await,
        (StatusCode::OK, "msg_test:7".into())
    );
}

#[actix_web::test]
async fn verified_bytes_are_exactly_what_was_signed() {
    let body = Bytes::from_static(b"\xef\xbb\xbf\x00\xffbinary");
    let r = send(signed_request(&Signer::dev(), "https://x.example/api/raw", body.clone())).await;
    assert_eq!(r.0, 200);
    assert_eq!(r.1.as_bytes(), String::from_utf8_lossy(&body).as_bytes());
}

#[actix_web::test]
async fn verified_string_streams_many_chunks_through_the_hash() {
    let big: String = (0..20_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let request = signed_request(&Signer::dev(), "https://x.example/api/text", big.clone());
    let chunks: Vec<Result<Bytes, PayloadError>> =
        big.as_bytes().chunks(7).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let payload: Payload = Payload::Stream { payload: Box::pin(futures_util::stream::iter(chunks)) };
    let r = send_payload(QStashConfig::new(Receiver::dev()), request, Some(payload)).await;
    assert_eq!(r, (StatusCode::OK, big));
}

#[actix_web::test]
async fn a_body_the_inner_extractor_does_not_read_is_still_hashed() {
    let request =
        signed_request(&Signer::dev(), "https://x.example/api/ignore", "signed").set_payload("tampered");
    let (status, body) = send(request).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, r#"{"error":"invalid_signature","reason":"body"}"#)
    );
    let ok = send(signed_request(&Signer::dev(), "https://x.example/api/ignore", "signed")).await;
    assert_eq!(ok, (StatusCode::OK, "https://x.example/api/ignore".into()));
}

#[actix_web::test]
async fn bad_signature_is_a_verification_error_401() {
    let request = signed_request(&Signer::dev(), URL, r#"{"id":7}"#).set_payload(r#"{"id":8}"#);
    assert_eq!(
        send(request).await,
        (StatusCode::UNAUTHORIZED, r#"{"error":"invalid_signature","reason":"body"}"#.into())
    );
}

#[actix_web::test]
async fn unsigned_request_is_401_missing_before_the_inner_extractor_runs() {
    let request = TestRequest::post().uri("/api/orders").insert_header(("content-type", "text/plain"));
    assert_eq!(
        send(request).await,
        (StatusCode::UNAUTHORIZED, r#"{"error":"invalid_signature","reason":"missing"}"#.into())
    );
}

#[actix_web::test]
async fn a_tampered_body_that_is_also_invalid_json_is_401_not_a_parse_error() {
    let request = signed_request(&Signer::dev(), URL, r#"{"id":7}"#).set_payload("not json");
    assert_eq!(send(request).await.0, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn invalid_json_in_a_verified_body_is_the_inner_error_not_401() {
    let (status, _) = send(signed_request(&Signer::dev(), URL, r#"{"id":"seven"}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let request =
        signed_request(&Signer::dev(), URL, r#"{"id":7}"#).insert_header(("content-type", "text/plain"));
    let (status, body) = send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!body.contains("invalid_signature"), "{body}");
}

#[actix_web::test]
async fn over_the_limit_body_is_413_from_the_extractor() {
    let config = QStashConfig::new(Receiver::dev()).body_limit(4);
    let (status, body) = send_payload(config, signed_request(&Signer::dev(), URL, r#"{"id":7}"#), None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("payload_too_large"));
}

#[actix_web::test]
async fn config_registered_as_web_data_is_found() {
    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(QStashConfig::new(Receiver::dev())))
            .route("/api/orders", web::post().to(order)),
    )
    .await;
    let response =
        test::call_service(&service, signed_request(&Signer::dev(), URL, r#"{"id":3}"#).to_request()).await;
    assert_eq!(response.status(), 200);
}

#[actix_web::test]
async fn without_a_config_the_extractor_fails_closed_with_401() {
    let service = test::init_service(App::new().route("/api/orders", web::post().to(order))).await;
    let response =
        test::call_service(&service, signed_request(&Signer::dev(), URL, r#"{"id":3}"#).to_request()).await;
    assert_eq!(response.status(), 401);
}

#[actix_web::test]
async fn behind_the_middleware_the_extractor_does_not_verify_twice() {
    let config = QStashConfig::new(Receiver::dev());
    let service = test::init_service(
        App::new()
            .app_data(config.clone())
            .service(web::scope("/api").wrap(QStash::new(config)).route("/orders", web::post().to(order))),
    )
    .await;
    let response =
        test::call_service(&service, signed_request(&Signer::dev(), URL, r#"{"id":9}"#).to_request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(test::read_body(response).await, "msg_test:9");
}
