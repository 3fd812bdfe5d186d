//! `Verified<T>` on its own (config from the router state) and after the layer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use axum::body::{Body, Bytes};
use axum::routing::post;
use axum::{Json, Router};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use qstash_axum::test_util::signed_request;
use qstash_axum::{QStashConfig, QStashLayer, Verified};
use qstash_core::{Receiver, Signer};
use tower::ServiceExt;

const URL: &str = "https://my-app.example.com/api/orders";

#[derive(serde::Deserialize)]
struct Order {
    id: u64,
}

async fn order(Verified { message, value: Json(order) }: Verified<Json<Order>>) -> String {
    format!("{}:{}", message.message_id.as_deref().unwrap_or_default(), order.id)
}

async fn raw(Verified { value, .. }: Verified<Bytes>) -> Bytes {
    value
}

fn app() -> Router {
    Router::new()
        .route("/api/orders", post(order))
        .route("/api/raw", post(raw))
        .with_state(QStashConfig::new(Receiver::dev()))
}

async fn send(app: Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn verified_json_runs_the_inner_extractor_on_the_verified_bytes() {
    let r = send(app(), signed_request(&Signer::dev(), URL, r#"{"id":7}"#)).await;
    assert_eq!(r, (StatusCode::OK, "msg_test:7".into()));
}

#[tokio::test]
async fn verified_bytes_are_exactly_what_was_signed() {
    let body = Bytes::from_static(b"\xef\xbb\xbf\x00\xffbinary");
    let r = app()
        .oneshot(signed_request::<Body>(&Signer::dev(), "https://x.example/api/raw", body.clone()))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.into_body().collect().await.unwrap().to_bytes(), body);
}

#[tokio::test]
async fn bad_signature_is_a_verification_rejection_401() {
    let mut request = signed_request(&Signer::dev(), URL, r#"{"id":7}"#);
    *request.body_mut() = Body::from(r#"{"id":8}"#);
    let (status, body) = send(app(), request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, r#"{"error":"invalid_signature","reason":"body"}"#);
}

#[tokio::test]
async fn invalid_json_in_a_verified_body_is_the_inner_rejection_not_401() {
    let (status, _) = send(app(), signed_request(&Signer::dev(), URL, r#"{"id":"seven"}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut request = signed_request::<Body>(&Signer::dev(), URL, r#"{"id":7}"#);
    request.headers_mut().remove("content-type");
    let (status, _) = send(app(), request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn over_the_limit_body_is_413_from_the_extractor() {
    let router = Router::new()
        .route("/api/orders", post(order))
        .with_state(QStashConfig::new(Receiver::dev()).body_limit(4));
    let (status, _) = send(router, signed_request(&Signer::dev(), URL, r#"{"id":7}"#)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn after_the_layer_the_extractor_does_not_verify_twice() {
    let config = QStashConfig::new(Receiver::dev());
    let router = Router::new()
        .route("/api/orders", post(order))
        .route_layer(QStashLayer::new(config.clone()))
        .with_state(config);
    assert_eq!(send(router, signed_request(&Signer::dev(), URL, r#"{"id":9}"#)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn under_a_nested_router_the_extractor_compares_the_original_path() {
    let nested = || Router::new().nest("/v1", app());
    let signed = signed_request(&Signer::dev(), "https://my-app.example.com/v1/api/orders", r#"{"id":7}"#);
    assert_eq!(send(nested(), signed).await.0, StatusCode::OK);
    // Minted for the route without the prefix, then sent to the nested one.
    let mut unprefixed = signed_request(&Signer::dev(), URL, r#"{"id":7}"#);
    *unprefixed.uri_mut() = "/v1/api/orders".parse().unwrap();
    let (status, body) = send(nested(), unprefixed).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains(r#""reason":"subject""#), "{body}");
}
