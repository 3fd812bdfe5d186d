//! Replay protection through the layer: in memory, and shared by two app instances through a
//! real `redis-server` on loopback, including Redis going away and coming back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::post;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use qstash_axum::{QStashConfig, QStashLayer, VerifiedMessage};
use qstash_core::{Receiver, Signer};
use qstash_gate::replay::{MemoryReplayGuard, RedisReplayGuard};
use tower::ServiceExt;

const URL: &str = "https://my-app.example.com/api/qstash";

async fn hook(_: VerifiedMessage, body: Bytes) -> Bytes {
    body
}

fn app(config: QStashConfig) -> Router {
    Router::new().route("/api/qstash", post(hook)).route_layer(QStashLayer::new(config))
}

async fn send(app: &Router, token: &str) -> (StatusCode, String) {
    let request =
        Request::post("/api/qstash").header("upstash-signature", token).body(Body::from("{}")).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn token() -> String {
    Signer::dev().token(URL, b"{}").sign()
}

#[tokio::test]
async fn the_same_token_is_accepted_once_then_refused_as_replayed() {
    let app = app(QStashConfig::new(Receiver::dev()).replay_guard(MemoryReplayGuard::new(1000)));
    let token = token();
    assert_eq!(send(&app, &token).await.0, StatusCode::OK);
    assert_eq!(
        send(&app, &token).await,
        (StatusCode::UNAUTHORIZED, r#"{"error":"invalid_signature","reason":"replayed"}"#.into())
    );
    // A new delivery (new jti) of the same message is fine.
    assert_eq!(send(&app, &self::token()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn forged_and_expired_tokens_never_reach_the_guard() {
    let guard = std::sync::Arc::new(MemoryReplayGuard::new(1000));
    let app = app(QStashConfig::new(Receiver::dev()).replay_guard(ArcGuard(guard.clone())));
    let forged = Signer::new("sig_attackerKey").unwrap().token(URL, b"{}").sign();
    assert_eq!(send(&app, &forged).await.1, r#"{"error":"invalid_signature","reason":"signature"}"#);
    assert!(guard.is_empty());
}

/// Lets the test keep a handle on the guard it gives the layer.
struct ArcGuard(std::sync::Arc<MemoryReplayGuard>);

impl qstash_gate::replay::ReplayGuard for ArcGuard {
    fn check_and_remember<'a>(&'a self, jti: &'a str, exp: i64) -> qstash_gate::replay::GuardFuture<'a> {
        self.0.check_and_remember(jti, exp)
    }
}

/// A `redis-server` of the test's own on a free loopback port.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts one, or returns `None` (skip) when `redis-server` is not installed, unless the
    /// test command requires it (`QSTASH_REQUIRE_REDIS=1`, set by scripts/test-all).
    fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Self::start_on(port)
    }

    fn start_on(port: u16) -> Option<Self> {
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(error) if std::env::var_os("QSTASH_REQUIRE_REDIS").is_none() => {
                eprintln!(
                    "skipping: redis-server not available ({error}); install redis-server to run this test"
                );
                return None;
            }
            Err(error) => panic!("redis-server is required (QSTASH_REQUIRE_REDIS) but cannot start: {error}"),
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(RedisServer { child, port });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn redis_app(url: &str) -> Router {
    let guard = RedisReplayGuard::connect(url).await.unwrap().timeout(Duration::from_millis(500));
    app(QStashConfig::new(Receiver::dev()).replay_guard(guard))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_app_instances_sharing_one_redis_refuse_a_token_the_other_accepted() {
    let Some(redis) = RedisServer::start() else { return };
    let first = redis_app(&redis.url()).await;
    let second = redis_app(&redis.url()).await;
    let token = token();
    assert_eq!(send(&first, &token).await.0, StatusCode::OK);
    assert_eq!(send(&second, &token).await.1, r#"{"error":"invalid_signature","reason":"replayed"}"#);
    assert_eq!(send(&first, &token).await.1, r#"{"error":"invalid_signature","reason":"replayed"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_going_away_fails_closed_with_503_and_recovers_when_it_returns() {
    let Some(mut redis) = RedisServer::start() else { return };
    let app = redis_app(&redis.url()).await;
    assert_eq!(send(&app, &token()).await.0, StatusCode::OK);
    redis.stop();
    let (status, body) = send(&app, &token()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, r#"{"error":"replay_store_unavailable","reason":"replay_store_unavailable"}"#);
    let _restarted = RedisServer::start_on(redis.port).unwrap();
    // The connection manager reconnects on its own; allow it a few attempts.
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..40 {
        status = send(&app, &token()).await.0;
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_open_accepts_while_redis_is_away() {
    let Some(mut redis) = RedisServer::start() else { return };
    let guard = RedisReplayGuard::connect(&redis.url())
        .await
        .unwrap()
        .timeout(Duration::from_millis(300))
        .fail_open(true);
    let app = app(QStashConfig::new(Receiver::dev()).replay_guard(guard));
    redis.stop();
    assert_eq!(send(&app, &token()).await.0, StatusCode::OK);
}
