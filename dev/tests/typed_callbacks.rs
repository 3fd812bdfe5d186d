//! The callbacks `qstash-dev` sends (after a delivery, and after the last failed retry) reach
//! axum and actix-web handlers as verified, typed callbacks, both bodies decoded.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed assertion

mod common;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use qstash_axum::{Callback, QStashConfig, Receiver, VerifiedCallback};
use qstash_client::{Client, PublishOptions};
use qstash_dev::DevServer;
use tokio::sync::mpsc;

#[derive(Clone)]
struct AppState {
    config: QStashConfig,
    seen: mpsc::UnboundedSender<(String, Callback)>,
}

impl FromRef<AppState> for QStashConfig {
    fn from_ref(state: &AppState) -> QStashConfig {
        state.config.clone()
    }
}

async fn on_callback(State(state): State<AppState>, callback: VerifiedCallback) -> StatusCode {
    let _ = state.seen.send((callback.message.claims.sub().to_owned(), callback.value.0));
    StatusCode::OK
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_and_failure_callbacks_arrive_as_verified_typed_callbacks() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let (seen, mut callbacks) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/callback", post(on_callback))
        .route("/ok", post(|| async { (StatusCode::ACCEPTED, "stored") }))
        .route("/fail", post(|| async { (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance") }))
        .with_state(AppState { config: QStashConfig::new(Receiver::dev()), seen });
    let base = common::serve(app).await;
    let client = Client::new(dev.token()).base_url(&dev.url());

    let options = PublishOptions {
        callback: Some(qstash_client::Callback::new(format!("{base}/callback"))),
        ..Default::default()
    };
    let sent = client.publish(format!("{base}/ok"), "{\"order\":1}", &options).await.unwrap();
    let (sub, callback) = common::next(&mut callbacks).await;
    assert_eq!(sub, format!("{base}/callback"));
    assert_eq!(callback.source_message_id, sent[0].message_id);
    assert_eq!((callback.status, callback.body.as_slice()), (202, &b"stored"[..]));
    assert_eq!(callback.source_body, b"{\"order\":1}");
    assert_eq!(callback.url.as_deref(), Some(format!("{base}/ok").as_str()));
    assert!(!callback.is_failure());

    let options = PublishOptions {
        retries: Some(1),
        failure_callback: Some(qstash_client::Callback::new(format!("{base}/callback"))),
        ..Default::default()
    };
    let sent = client.publish(format!("{base}/fail"), "doomed", &options).await.unwrap();
    let (_, failure) = common::next(&mut callbacks).await;
    assert_eq!(failure.source_message_id, sent[0].message_id);
    assert_eq!(
        (failure.status, failure.body.as_slice(), failure.retried),
        (503, &b"down for maintenance"[..], 1)
    );
    assert!(failure.is_failure(), "a failure callback carries its dlqId");
    assert_eq!(failure.source_body, b"doomed");
    dev.shutdown().await;
}

#[actix_web::test]
async fn an_actix_handler_gets_the_callback_typed_too() {
    use actix_web::{App, HttpResponse, test, web};
    use qstash_actix::{QStashConfig, VerifiedCallback};

    async fn on_callback(callback: VerifiedCallback) -> HttpResponse {
        let callback = callback.value.into_inner();
        HttpResponse::Ok().body(format!(
            "{} {}",
            callback.status,
            String::from_utf8_lossy(&callback.source_body)
        ))
    }

    let app = test::init_service(
        App::new()
            .app_data(QStashConfig::new(Receiver::dev()))
            .route("/callback", web::post().to(on_callback)),
    )
    .await;
    // The body qstash-dev sends for a callback (dev/src/delivery.rs), signed as it signs it.
    let body = br#"{"status":200,"header":{"content-type":["text/plain"]},"body":"b2s=","retried":0,"maxRetries":3,"sourceMessageId":"msg_1","url":"http://127.0.0.1/ok","method":"POST","sourceBody":"aGk=","createdAt":1701198447054}"#;
    let token = qstash_core::Signer::dev().token("http://localhost:8080/callback", body).sign();
    let request = test::TestRequest::post()
        .uri("/callback")
        .insert_header(("upstash-signature", token))
        .insert_header(("content-type", "application/json"))
        .set_payload(&body[..])
        .to_request();
    let answer = test::call_and_read_body(&app, request).await;
    assert_eq!(answer, "200 hi");
}
