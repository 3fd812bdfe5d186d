//! README command 1: an axum endpoint behind `QStashLayer`, and deliveries signed with the
//! built-in `Signer` (development keys), some of them tampered with, sent to it over HTTP.
//!
//! ```sh
//! cargo run -q -p qstash-axum --example quickstart            # the demonstration
//! cargo run -q -p qstash-axum --example quickstart -- --serve # keep serving, print a curl command
//! ```
#![allow(clippy::expect_used)] // a demo that cannot bind or connect should stop with the reason

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use qstash_axum::{QStashLayer, VerifiedMessage};
use qstash_core::{Receiver, Signer, TOKEN_LIFETIME_SECS};

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
        // The public development keys, as the QStash CLI dev server uses them. In production:
        // QStashLayer::new(QStashConfig::from_env()?)
        .route_layer(QStashLayer::new(Receiver::dev()));
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

    let signer = Signer::dev();
    let body = br#"{"order":42,"status":"paid"}"#;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let valid = signer.token(&url, body).sign();
    let mut tampered_token = valid.clone().into_bytes();
    let at = valid.find('.').unwrap_or(0) + 12;
    tampered_token[at] = if tampered_token[at] == b'A' { b'B' } else { b'A' };
    let tampered_token = String::from_utf8(tampered_token).unwrap_or_default();
    let expired = signer.token(&url, body).sign_at(now - TOKEN_LIFETIME_SECS - 60);
    let other_url = signer.token(&format!("http://{addr}/api/admin"), body).sign();

    let cases: [(&str, Option<&str>, &[u8]); 6] = [
        ("valid delivery", Some(&valid), body),
        ("tampered body", Some(&valid), br#"{"order":42,"status":"refunded"}"#),
        ("tampered token", Some(&tampered_token), body),
        ("expired token", Some(&expired), body),
        ("token for another URL", Some(&other_url), body),
        ("no Upstash-Signature", None, body),
    ];

    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    println!("axum endpoint {url} behind QStashLayer (development keys)\n");
    println!("{:<24} {:<7} response", "delivery", "status");
    println!("{}", "-".repeat(90));
    for (name, token, body) in cases {
        let mut request = http::Request::post(&url).header("upstash-message-id", "msg_demo");
        if let Some(token) = token {
            request = request.header("upstash-signature", token);
        }
        let request = request.body(Full::new(Bytes::copy_from_slice(body))).expect("request");
        let response = client.request(request).await.expect("the server answers");
        let status = response.status();
        let text = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        println!("{name:<24} {:<7} {}", status.as_u16(), String::from_utf8_lossy(&text));
    }
    server.abort();
}
