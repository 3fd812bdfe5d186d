//! The server `bench/load.sh axum` measures: the same 1 KiB POST handler at `/plain` (no
//! layer) and at `/verified` (behind `QStashLayer`, path-and-query policy), on 127.0.0.1.
//! Writes a signed 1 KiB body and its token next to `--out` so the load generator can send a
//! delivery that verifies.
#![allow(clippy::expect_used)] // a benchmark that cannot start should stop with the reason

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use qstash_axum::QStashLayer;
use qstash_core::{Receiver, Signer};

async fn handler(body: Bytes) -> String {
    format!("{}", body.len())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port = args.get(1).map_or("3900", String::as_str);
    let out = args.get(2).map_or("/tmp/qstash-bench", String::as_str);
    let body: Vec<u8> = (0..1024).map(|i| b'a' + (i % 26) as u8).collect();
    let token = Signer::dev().token(&format!("http://127.0.0.1:{port}/verified"), &body).sign();
    std::fs::write(format!("{out}.body"), &body).expect("write body");
    std::fs::write(format!("{out}.token"), &token).expect("write token");

    let verified =
        Router::new().route("/verified", post(handler)).route_layer(QStashLayer::new(Receiver::dev()));
    let app = Router::new().route("/plain", post(handler)).merge(verified);
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await.expect("bind");
    println!("ready");
    axum::serve(listener, app).await.expect("serve");
}
