//! `replay-instance TARGET TOKEN`: another process of a service protected by the Redis replay
//! guard, for the Rust replay tests: an axum app behind `QStashLayer` with its own
//! `RedisReplayGuard` connected to TARGET (JSON: `{"url"}` and the PEM files of a TLS server,
//! or `{"nodes"}` of a cluster, as `redis-fixture` prints them), given one delivery signed
//! with TOKEN (body `{}`); prints the status and the body of its answer.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support: a panic is a failed check

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::post;
use http_body_util::BodyExt;
use qstash_axum::{QStashConfig, QStashLayer, VerifiedMessage};
use qstash_core::Receiver;
use qstash_gate::replay::runtime::{StoreTarget, connect_to};
use tower::ServiceExt;

async fn hook(_: VerifiedMessage, body: Bytes) -> Bytes {
    body
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (target, token) = (&args[1], &args[2]);
    let target: serde_json::Value = serde_json::from_str(target).expect("a JSON target");
    let text = |name: &str| target.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let target = StoreTarget {
        nodes: match target.get("nodes").and_then(|n| n.as_array()) {
            Some(nodes) => nodes.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect(),
            None => vec![text("url").expect("url or nodes")],
        },
        cluster: target.get("nodes").is_some(),
        ca_file: text("ca_file"),
        client_cert_file: text("client_cert_file"),
        client_key_file: text("client_key_file"),
    };
    // The guard's connections live on the store's runtime; this process awaits on its own.
    let guard = connect_to(&target).expect("connect to Redis");
    let config = QStashConfig::new(Receiver::dev()).replay_guard(guard);
    let app = Router::new().route("/api/qstash", post(hook)).route_layer(QStashLayer::new(config));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (status, body) = runtime.block_on(async {
        let request = http::Request::post("/api/qstash")
            .header("upstash-signature", token)
            .body(Body::from("{}"))
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        (status, response.into_body().collect().await.unwrap().to_bytes())
    });
    println!("{status} {}", String::from_utf8_lossy(&body));
}
