//! 64 concurrent clients, 50 000 mixed valid and invalid deliveries over real TCP on loopback:
//! every valid one accepted, every invalid one refused with the right reason, no 5xx.
#![allow(clippy::unwrap_used)] // a panic in a test is a failed assertion

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use qstash_axum::{QStashLayer, VerifiedMessage};
use qstash_core::Receiver;
use qstash_testkit::{LoadReport, mixed_load};

async fn hook(_: VerifiedMessage, body: Bytes) -> Bytes {
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_fifty_thousand_mixed_requests_every_verdict_right_and_no_5xx() {
    let app = Router::new().route("/api/qstash", post(hook)).route_layer(QStashLayer::new(Receiver::dev()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let report = mixed_load(addr, "/api/qstash", 64, 50_000).await;
    assert_eq!(report, LoadReport { accepted: 20_000, refused: 30_000 });
    server.abort();
}
