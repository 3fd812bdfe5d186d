//! README command 1: an axum endpoint behind `QStashLayer` (with replay protection), and
//! deliveries signed with the built-in `Signer` (development keys), some of them tampered
//! with or replayed, sent to it over HTTP.
//!
//! ```sh
//! cargo run -q -p qstash-demos --example quickstart            # the demonstration
//! cargo run -q -p qstash-demos --example quickstart -- --serve # keep serving, print a curl command
//! ```
#![allow(clippy::expect_used)] // a demo that cannot bind or connect should stop with the reason

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use qstash_axum::{QStashConfig, QStashLayer, VerifiedMessage};
use qstash_core::{Receiver, Signer, TOKEN_LIFETIME_SECS};
use qstash_demos::run_demo;
use qstash_gate::replay::MemoryReplayGuard;

/// The handler only ever sees verified deliveries.
async fn hook(message: VerifiedMessage, body: Bytes) -> String {
    format!(
        "accepted {} ({} bytes, key {})",
        message.message_id.as_deref().unwrap_or_default(),
        body.len(),
        message.key.as_str()
    )
}

#[tokio::main]
async fn main() {
    let serve = std::env::args().any(|a| a == "--serve");
    let app = Router::new()
        .route("/api/qstash", post(hook))
        // The public development keys, as the QStash CLI dev server uses them (in production:
        // QStashConfig::from_env()?), and replay protection for this one process (a
        // RedisReplayGuard shares it between instances).
        .route_layer(QStashLayer::new(
            QStashConfig::new(Receiver::dev()).replay_guard(MemoryReplayGuard::default()),
        ));
    let bind: SocketAddr = if serve { "127.0.0.1:3000" } else { "127.0.0.1:0" }.parse().expect("address");
    let listener = tokio::net::TcpListener::bind(bind).await.expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let url = format!("http://{addr}/api/qstash");
    if serve {
        let body = r#"{"hello":"qstash"}"#;
        let token = Signer::dev().token(&url, body.as_bytes()).sign();
        println!("Serving a QStash-verified endpoint on {url} (development keys).");
        println!("This signature is valid for {TOKEN_LIFETIME_SECS} seconds:\n");
        println!(
            "curl -i -X POST '{url}' -H 'Upstash-Signature: {token}' -H 'Upstash-Message-Id: msg_curl' --data '{body}'\n"
        );
        println!("Change one character of the body or the signature and it is refused. Ctrl-C to stop.");
        let _ = server.await;
        return;
    }

    println!("axum endpoint {url} behind QStashLayer (development keys)\n");
    run_demo(&url).await;
    server.abort();
}
