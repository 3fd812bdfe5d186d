//! DNS rebinding: on loopback the dev server answers requests naming a loopback host only, so a
//! web page whose name resolves to 127.0.0.1 cannot use the public development token through
//! the visitor's browser; `host(0.0.0.0)` (a container) is the explicit choice to serve every
//! name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::net::{IpAddr, Ipv4Addr};

use qstash_dev::DevServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET /v2/keys` with the development token and `Host: host`, over a plain connection:
/// the status line and the body.
async fn keys_with_host(port: u16, host: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let request = format!(
        "GET /v2/keys HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        qstash_dev::DEV_TOKEN
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

#[tokio::test]
async fn on_loopback_only_loopback_names_are_answered() {
    let dev = DevServer::builder().port(0).start().await.unwrap();
    let port = dev.port();
    for host in
        [format!("127.0.0.1:{port}"), format!("localhost:{port}"), "[::1]".into(), "app.localhost".into()]
    {
        let (status, body) = keys_with_host(port, &host).await;
        assert_eq!(status, "HTTP/1.1 200 OK", "{host}: {body}");
    }
    for host in ["attacker.example", "attacker.example:8080", "127.0.0.1.attacker.example", "10.0.0.5"] {
        let (status, body) = keys_with_host(port, host).await;
        assert_eq!(status, "HTTP/1.1 403 Forbidden", "{host}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(error["error"].as_str().unwrap().contains("--host 0.0.0.0"), "{body}");
        assert!(!body.contains("sig_"), "no key in a refusal: {body}");
    }
    dev.shutdown().await;
}

#[tokio::test]
async fn listening_on_every_address_serves_every_name() {
    let dev = DevServer::builder().host(IpAddr::V4(Ipv4Addr::UNSPECIFIED)).port(0).start().await.unwrap();
    assert!(dev.url().starts_with("http://127.0.0.1:"), "{}", dev.url());
    let (status, _) = keys_with_host(dev.port(), "qstash-dev.internal:8080").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    dev.shutdown().await;
}
