//! The whole loop in one command: a local QStash, an axum endpoint verifying with the
//! development keys, and qstash-client publishing a signed, a failing and a delayed message.
//!
//!     cargo run -q -p qstash-dev --example loop
#![allow(clippy::expect_used, clippy::print_stdout)] // an example that cannot start should stop with the reason

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use qstash_axum::{QStashLayer, VerifiedMessage};
use qstash_client::{Client, MessageFilter, PublishOptions};
use qstash_core::Receiver;
use qstash_dev::DevServer;

async fn hook(message: VerifiedMessage, body: Bytes) -> &'static str {
    println!(
        "  endpoint: verified {} (retried {}): {}",
        message.message_id.as_deref().unwrap_or("?"),
        message.retried.unwrap_or(0),
        String::from_utf8_lossy(&body)
    );
    "ok"
}

#[tokio::main]
async fn main() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.expect("start the dev server");
    println!("QStash dev server on {} (token and keys: the official dev server's)", dev.url());

    let app = Router::new()
        .route("/hook", post(hook))
        .route("/broken", post(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route_layer(QStashLayer::new(Receiver::dev()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the endpoint");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("endpoint on {base}, behind QStashLayer with the development keys\n");

    let client = Client::new(dev.token()).base_url(&dev.url());
    println!("publish to /hook");
    client
        .publish(format!("{base}/hook"), r#"{"order":42}"#, &PublishOptions::default())
        .await
        .expect("publish");
    tokio::time::sleep(Duration::from_millis(300)).await;

    println!("publish to /broken with 2 retries");
    let options = PublishOptions { retries: Some(2), ..Default::default() };
    let sent = client.publish(format!("{base}/broken"), "doomed", &options).await.expect("publish");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let dlq = client.dlq().list(&MessageFilter::default(), None, None).await.expect("list the DLQ");
    for dead in &dlq.messages {
        println!(
            "  DLQ: {} after {:?}, last status {:?}",
            dead.dlq_id, dead.message.max_retries, dead.response_status
        );
    }
    let events = client
        .logs()
        .list(
            &MessageFilter { message_id: Some(sent[0].message_id.clone()), ..Default::default() },
            None,
            None,
        )
        .await
        .expect("list the logs");
    let states: Vec<String> = events.logs.iter().rev().map(|e| e.state.to_string()).collect();
    println!("  log of {}: {}", sent[0].message_id, states.join(" -> "));
    dev.shutdown().await;
}
