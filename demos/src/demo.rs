//! The demonstration of README command 1: signed, tampered, expired and unsigned deliveries
//! sent to a live endpoint, with what it answered.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use qstash_core::{Signer, TOKEN_LIFETIME_SECS};

/// One delivery of the demonstration and the endpoint's answer.
#[derive(Debug, Clone)]
pub struct DemoRow {
    /// What was sent.
    pub case: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The response body.
    pub response: String,
}

/// Sends the seven demonstration deliveries to `url` (which must route to the verified
/// handler), signed with the development keys, prints the table and returns its rows.
pub async fn run_demo(url: &str) -> Vec<DemoRow> {
    let signer = Signer::dev();
    let body: &[u8] = br#"{"order":42,"status":"paid"}"#;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let valid = signer.token(url, body).sign();
    // One character of the signed claims changed: the MAC no longer matches.
    let mut tampered = valid.clone().into_bytes();
    let at = valid.find('.').unwrap_or(0) + 12;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap_or_default();
    let expired = signer.token(url, body).sign_at(now - TOKEN_LIFETIME_SECS - 60);
    let other =
        url.rsplit_once('/').map_or_else(|| format!("{url}/admin"), |(base, _)| format!("{base}/admin"));
    let other_url = signer.token(&other, body).sign();

    let cases: [(&'static str, Option<&str>, &[u8]); 7] = [
        ("valid delivery", Some(&valid), body),
        ("same delivery replayed", Some(&valid), body),
        ("tampered body", Some(&valid), br#"{"order":42,"status":"refunded"}"#),
        ("tampered token", Some(&tampered), body),
        ("expired token", Some(&expired), body),
        ("token for another URL", Some(&other_url), body),
        ("no Upstash-Signature", None, body),
    ];
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    println!("{:<24} {:<7} response", "delivery", "status");
    println!("{}", "-".repeat(90));
    let mut rows = Vec::new();
    for (case, token, body) in cases {
        let mut request = http::Request::post(url).header("upstash-message-id", "msg_demo");
        if let Some(token) = token {
            request = request.header("upstash-signature", token);
        }
        let request = request.body(Full::new(Bytes::copy_from_slice(body))).expect("request");
        let response = client.request(request).await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let response = String::from_utf8_lossy(&text).into_owned();
        println!("{case:<24} {status:<7} {response}");
        rows.push(DemoRow { case, status, response });
    }
    rows
}
