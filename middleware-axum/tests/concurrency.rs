//! 64 concurrent clients, 50 000 mixed valid and invalid deliveries over real TCP on loopback:
//! every valid one accepted, every invalid one refused with the right reason, no 5xx.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use qstash_axum::{QStashLayer, VerifiedMessage};
use qstash_core::{Receiver, Signer};

const CLIENTS: usize = 64;
const REQUESTS: usize = 50_000;

async fn hook(_: VerifiedMessage, body: Bytes) -> Bytes {
    body
}

/// A delivery and the reason it must get (`None` = accepted).
fn case(
    i: usize,
    addr: std::net::SocketAddr,
    good: &str,
    good_body: &[u8],
    bad_key: &str,
    expired: &str,
) -> (http::Request<Full<Bytes>>, Option<&'static str>) {
    let uri = format!("http://{addr}/api/qstash");
    let builder = http::Request::post(&uri);
    let (token, body, want): (Option<&str>, &[u8], _) = match i % 5 {
        0 | 1 => (Some(good), good_body, None),
        2 => (Some(good), b"tampered", Some("body")),
        3 => (Some(bad_key), good_body, Some("signature")),
        _ => (
            if i % 10 == 4 { None } else { Some(expired) },
            good_body,
            Some(if i % 10 == 4 { "missing" } else { "expired" }),
        ),
    };
    let builder = match token {
        Some(t) => builder.header("upstash-signature", t),
        None => builder,
    };
    (builder.body(Full::new(Bytes::copy_from_slice(body))).unwrap(), want)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_fifty_thousand_mixed_requests_every_verdict_right_and_no_5xx() {
    let app = Router::new().route("/api/qstash", post(hook)).route_layer(QStashLayer::new(Receiver::dev()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let url = format!("http://{addr}/api/qstash");
    let body = br#"{"order":42}"#.to_vec();
    let good = Signer::dev().token(&url, &body).sign();
    let bad_key = Signer::new("sig_notTheAccountKey").unwrap().token(&url, &body).sign();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let expired = Signer::dev().token(&url, &body).sign_at(now - 3600);
    let tokens = Arc::new((good, bad_key, expired, body));

    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let next = Arc::new(AtomicUsize::new(0));
    let (accepted, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let (client, next, tokens) = (client.clone(), next.clone(), tokens.clone());
        let (accepted, refused) = (accepted.clone(), refused.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= REQUESTS {
                    break;
                }
                let (good, bad_key, expired, body) = &*tokens;
                let (request, want) = case(i, addr, good, body, bad_key, expired);
                let response = client.request(request).await.unwrap();
                let status = response.status();
                let text = response.into_body().collect().await.unwrap().to_bytes();
                assert!(!status.is_server_error(), "request {i}: {status}");
                match want {
                    None => {
                        assert_eq!(status, 200, "request {i}");
                        assert_eq!(&text[..], &body[..]);
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    Some(reason) => {
                        assert_eq!(status, 401, "request {i}");
                        let expected = format!(r#"{{"error":"invalid_signature","reason":"{reason}"}}"#);
                        assert_eq!(std::str::from_utf8(&text).unwrap(), expected, "request {i}");
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    assert_eq!(accepted.load(Ordering::Relaxed) + refused.load(Ordering::Relaxed), REQUESTS);
    assert_eq!(accepted.load(Ordering::Relaxed), REQUESTS * 2 / 5);
    server.abort();
}
