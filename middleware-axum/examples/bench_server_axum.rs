//! The server `bench/load.sh axum` measures, on 127.0.0.1, with the same 1 KiB POST handler
//! behind three routes: `/plain` (no check), `/handwritten` (the check a user without the
//! middleware would write: headers and `Bytes` in, `qstash_core` called directly) and
//! `/verified` (behind `QStashLayer`, path-and-query policy). Writes a signed 1 KiB body and
//! its token next to `--out` so the load generator can send a delivery that verifies.
//!
//! With `REDIS_URL` set, also `/replay`: `/verified` plus the Redis replay guard, and
//! `REPLAY_TOKENS` (default 200 000) tokens for it, each with its own `jti`, one per line in
//! `--out.tokens`: every request of a run must be a new delivery, or it is refused as a replay.
#![allow(clippy::expect_used)] // a benchmark that cannot start should stop with the reason

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use qstash_axum::QStashLayer;
use qstash_core::{Receiver, Request, Signer};

async fn handler(body: Bytes) -> String {
    format!("{}", body.len())
}

/// What the handwritten route checks the token against: the URL the service knows it has.
struct Expected {
    receiver: Receiver,
    url: String,
}

async fn handwritten(State(expected): State<Arc<Expected>>, headers: HeaderMap, body: Bytes) -> Response {
    let token = headers.get("upstash-signature").map(|v| v.as_bytes());
    match expected.receiver.verify(&Request::from_header(token, &body).url(&expected.url)) {
        Ok(_) => handler(body).await.into_response(),
        Err(error) => (
            StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            format!(r#"{{"error":"invalid_signature","reason":"{}"}}"#, error.reason()),
        )
            .into_response(),
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port = args.get(1).map_or("3900", String::as_str);
    let out = args.get(2).map_or("/tmp/qstash-bench", String::as_str);
    let body: Vec<u8> = (0..1024).map(|i| b'a' + (i % 26) as u8).collect();
    let url = format!("http://127.0.0.1:{port}/verified");
    let token = Signer::dev().token(&url, &body).sign();
    std::fs::write(format!("{out}.body"), &body).expect("write body");
    std::fs::write(format!("{out}.token"), &token).expect("write token");

    let verified =
        Router::new().route("/verified", post(handler)).route_layer(QStashLayer::new(Receiver::dev()));
    let handwritten = Router::new()
        .route("/handwritten", post(handwritten))
        .with_state(Arc::new(Expected { receiver: Receiver::dev(), url }));
    let mut app = Router::new().route("/plain", post(handler)).merge(verified).merge(handwritten);
    if let Ok(redis) = std::env::var("REDIS_URL") {
        let count: usize =
            std::env::var("REPLAY_TOKENS").map_or(200_000, |n| n.parse().expect("REPLAY_TOKENS"));
        let replay_url = format!("http://127.0.0.1:{port}/replay");
        let signer = Signer::dev();
        let tokens: Vec<String> = (0..count).map(|_| signer.token(&replay_url, &body).sign()).collect();
        std::fs::write(format!("{out}.tokens"), tokens.join("\n")).expect("write tokens");
        let guard = qstash_gate::replay::RedisReplayGuard::connect(&redis).await.expect("connect to Redis");
        let config = qstash_axum::QStashConfig::new(Receiver::dev()).replay_guard(guard);
        app = app.merge(Router::new().route("/replay", post(handler)).route_layer(QStashLayer::new(config)));
    }
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await.expect("bind");
    println!("ready");
    axum::serve(listener, app).await.expect("serve");
}
