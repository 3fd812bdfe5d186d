//! Replay protection through the layer: in memory, and shared by two app instances through a
//! real `redis-server` on loopback, including Redis going away and coming back, and Redis
//! holding writes past the guard's timeout. The Redis tests are `#[ignore]`d (they start
//! `redis-server`); `cargo xtask test-rust` runs them.
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
use qstash_testkit::scripted_redis::{ScriptedRedis, SetReply};
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

/// Why the Redis tests are ignored by a plain `cargo test`: they start `redis-server`.
/// `cargo xtask test-rust` installs it and runs them (`-- --include-ignored`).
const NEEDS_REDIS: &str = "starts redis-server: run with --include-ignored (cargo xtask test-rust does)";

/// A `redis-server` of the test's own on a free loopback port.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Self::start_on(port)
    }

    fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("{NEEDS_REDIS}; redis-server cannot start: {error}"));
        // Owned from here, so that a panic below still stops it (`Drop`).
        let server = RedisServer { child, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Runs a command through `redis-cli`, as an operator would.
    fn cli(&self, args: &[&str]) {
        let done =
            Command::new("redis-cli").arg("-p").arg(self.port.to_string()).args(args).output().unwrap();
        assert!(done.status.success(), "redis-cli {args:?}: {}", String::from_utf8_lossy(&done.stderr));
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

/// `send`, failing the test instead of hanging when no answer comes.
async fn answer(app: &Router, token: &str) -> (StatusCode, String) {
    tokio::time::timeout(Duration::from_secs(20), send(app, token)).await.expect("no answer within 20 s")
}

async fn redis_app(url: &str, fail_open: bool) -> Router {
    let guard = RedisReplayGuard::connect(url)
        .await
        .unwrap()
        .timeout(Duration::from_millis(300))
        .fail_open(fail_open);
    app(QStashConfig::new(Receiver::dev()).replay_guard(guard))
}

const REPLAYED: &str = r#"{"error":"invalid_signature","reason":"replayed"}"#;
const UNAVAILABLE: &str = r#"{"error":"replay_store_unavailable","reason":"replay_store_unavailable"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts redis-server: run with --include-ignored (cargo xtask test-rust does)"]
async fn two_app_instances_sharing_one_redis_refuse_a_token_the_other_accepted() {
    let redis = RedisServer::start();
    let first = redis_app(&redis.url(), false).await;
    let second = redis_app(&redis.url(), false).await;
    let token = token();
    assert_eq!(answer(&first, &token).await.0, StatusCode::OK);
    assert_eq!(answer(&second, &token).await.1, REPLAYED);
    assert_eq!(answer(&first, &token).await.1, REPLAYED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts redis-server: run with --include-ignored (cargo xtask test-rust does)"]
async fn redis_going_away_fails_closed_with_503_and_recovers_when_it_returns() {
    let mut redis = RedisServer::start();
    let app = redis_app(&redis.url(), false).await;
    assert_eq!(answer(&app, &token()).await.0, StatusCode::OK);
    redis.stop();
    assert_eq!(answer(&app, &token()).await, (StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE.into()));
    let _restarted = RedisServer::start_on(redis.port);
    // The connection manager reconnects on its own; allow it a few attempts.
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..40 {
        status = answer(&app, &token()).await.0;
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts redis-server: run with --include-ignored (cargo xtask test-rust does)"]
async fn fail_open_accepts_while_redis_is_away() {
    let mut redis = RedisServer::start();
    let app = redis_app(&redis.url(), true).await;
    redis.stop();
    assert_eq!(answer(&app, &token()).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts redis-server: run with --include-ignored (cargo xtask test-rust does)"]
async fn redis_that_does_not_answer_in_time_is_503_unless_failing_open_which_still_refuses_replays() {
    let redis = RedisServer::start();
    let closed = redis_app(&redis.url(), false).await;
    let open = redis_app(&redis.url(), true).await;
    // While Redis answers, failing open changes nothing: a replay is refused.
    let token = token();
    assert_eq!(answer(&open, &token).await.0, StatusCode::OK);
    assert_eq!(answer(&open, &token).await.1, REPLAYED);
    // Redis up but holding every write (its connections stay open): only the guard's own
    // timeout ends the wait.
    redis.cli(&["CLIENT", "PAUSE", "600000", "WRITE"]);
    let while_paused = (answer(&closed, &self::token()).await, answer(&open, &self::token()).await.0);
    redis.cli(&["CLIENT", "UNPAUSE"]);
    assert_eq!(while_paused, ((StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE.into()), StatusCode::OK));
}

async fn scripted_app(store: &ScriptedRedis, timeout: Duration) -> Router {
    let guard = RedisReplayGuard::connect(&store.url()).await.unwrap().timeout(timeout);
    app(QStashConfig::new(Receiver::dev()).replay_guard(guard))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_reply_that_is_neither_ok_nor_nil_fails_closed_as_unavailable() {
    // SPEC.md §6: `OK` is first seen, nil is seen before; `:1` or a transaction's `+QUEUED`
    // says neither, and must not count as either.
    for reply in [&b":1\r\n"[..], b"+QUEUED\r\n", b"$6\r\nQUEUED\r\n", b"-ERR no\r\n"] {
        let store = ScriptedRedis::start(SetReply::After(Duration::ZERO, reply));
        let app = scripted_app(&store, Duration::from_secs(5)).await;
        let answer = answer(&app, &token()).await;
        assert_eq!(
            answer,
            (StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE.into()),
            "{}",
            String::from_utf8_lossy(reply)
        );
        assert_eq!(store.sets(), 1);
    }
    let first = ScriptedRedis::start(SetReply::After(Duration::ZERO, b"+OK\r\n"));
    assert_eq!(answer(&scripted_app(&first, Duration::from_secs(5)).await, &token()).await.0, StatusCode::OK);
    let seen = ScriptedRedis::start(SetReply::After(Duration::ZERO, b"$-1\r\n"));
    assert_eq!(answer(&scripted_app(&seen, Duration::from_secs(5)).await, &token()).await.1, REPLAYED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_above_one_second_waits_for_a_store_that_answers_within_it() {
    // The store answers after 1.5 s; the guard waits up to 3 s. (The connection's own reply
    // timeout was once a fixed second, which ended every longer wait at 1 s with a 503.)
    let store = ScriptedRedis::start(SetReply::After(Duration::from_millis(1500), b"+OK\r\n"));
    let app = scripted_app(&store, Duration::from_secs(3)).await;
    assert_eq!(answer(&app, &token()).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_timeout_above_one_second_ends_the_wait_on_a_store_that_never_answers() {
    // Nothing but the guard's own timeout (1.5 s) can end this wait: the store keeps the
    // connection open and never answers. `answer` fails the test after 20 s otherwise.
    let store = ScriptedRedis::start(SetReply::Never);
    let app = scripted_app(&store, Duration::from_millis(1500)).await;
    assert_eq!(answer(&app, &token()).await, (StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE.into()));
    assert_eq!(store.sets(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_url_pointed_at_a_plain_port_says_so() {
    // The stand-in speaks plain RESP and never answers a TLS handshake, as a plain Redis port.
    let plain = ScriptedRedis::start(SetReply::Never);
    let url = plain.url().replace("redis://", "rediss://");
    let error = RedisReplayGuard::connect(&url).await.expect_err("no TLS on a plain port").to_string();
    assert!(error.contains("rediss:// URL speaks TLS") && error.contains("--tls-port"), "{error}");
}
