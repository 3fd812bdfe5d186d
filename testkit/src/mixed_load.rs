//! 64 concurrent clients, 50 000 mixed valid and invalid deliveries over real TCP: every
//! valid one must be accepted with its body echoed, every invalid one refused with the right
//! reason, and nothing may answer 5xx.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use qstash_core::Signer;

/// What the load run saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadReport {
    /// Deliveries answered 200 with their body echoed.
    pub accepted: usize,
    /// Deliveries answered 401 with the expected reason.
    pub refused: usize,
}

struct Tokens {
    good: String,
    bad_key: String,
    expired: String,
    body: Vec<u8>,
}

/// A delivery and the reason it must get (`None` = accepted).
fn case(i: usize, t: &Tokens) -> (Option<&str>, &[u8], Option<&'static str>) {
    match i % 5 {
        0 | 1 => (Some(&t.good), &t.body, None),
        2 => (Some(&t.good), b"tampered", Some("body")),
        3 => (Some(&t.bad_key), &t.body, Some("signature")),
        _ if i % 10 == 4 => (None, &t.body, Some("missing")),
        _ => (Some(&t.expired), &t.body, Some("expired")),
    }
}

/// Sends `requests` deliveries to `http://{addr}{path}` from `clients` concurrent clients
/// (two of every five valid, the rest tampered, signed with another key, expired or
/// unsigned) and panics on the first wrong verdict or any 5xx. The handler must echo the
/// body. Must run inside a multi-threaded tokio runtime.
pub async fn mixed_load(addr: SocketAddr, path: &str, clients: usize, requests: usize) -> LoadReport {
    let url = format!("http://{addr}{path}");
    let body = br#"{"order":42}"#.to_vec();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let tokens = Arc::new(Tokens {
        good: Signer::dev().token(&url, &body).sign(),
        bad_key: Signer::new("sig_notTheAccountKey").expect("key").token(&url, &body).sign(),
        expired: Signer::dev().token(&url, &body).sign_at(now - 3600),
        body,
    });
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let next = Arc::new(AtomicUsize::new(0));
    let (accepted, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (client, next, tokens, url) = (client.clone(), next.clone(), tokens.clone(), url.clone());
        let (accepted, refused) = (accepted.clone(), refused.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let (token, body, want) = case(i, &tokens);
                let mut request = http::Request::post(&url);
                if let Some(token) = token {
                    request = request.header("upstash-signature", token);
                }
                let request = request.body(Full::new(Bytes::copy_from_slice(body))).expect("request");
                let response = client.request(request).await.expect("the server answers");
                let status = response.status();
                let text = response.into_body().collect().await.expect("response body").to_bytes();
                assert!(!status.is_server_error(), "request {i}: {status}");
                match want {
                    None => {
                        assert_eq!(status, 200, "request {i}");
                        assert_eq!(&text[..], body, "request {i}");
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    Some(reason) => {
                        assert_eq!(status, 401, "request {i}");
                        let expected = format!(r#"{{"error":"invalid_signature","reason":"{reason}"}}"#);
                        assert_eq!(String::from_utf8_lossy(&text), expected, "request {i}");
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for worker in workers {
        worker.await.expect("a client failed");
    }
    let report =
        LoadReport { accepted: accepted.load(Ordering::Relaxed), refused: refused.load(Ordering::Relaxed) };
    assert_eq!(report.accepted + report.refused, requests);
    assert_eq!(report.accepted, requests.div_ceil(5) + (requests + 3) / 5);
    report
}
