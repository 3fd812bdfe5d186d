//! How the dev server delivers, rule by rule: forwarded headers and method, a destination's
//! `Retry-After` (seconds, durations, HTTP dates), `Upstash-Retry-Delay`, the attempt
//! timeout, a queue's parallelism and order, content-based deduplication, not-before, and
//! callbacks (after each attempt, with their own method and headers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod common;
use common::next;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::any;
use qstash_axum::QStashLayer;
use qstash_client::{Callback, Client, MessageFilter, MessageState, PublishOptions};
use qstash_core::Receiver;
use qstash_dev::DevServer;
use tokio::sync::{Semaphore, mpsc};

#[derive(Clone)]
struct Seen {
    tx: mpsc::UnboundedSender<(Method, HeaderMap, Bytes, Instant)>,
    calls: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    /// Lets `gated` deliveries go, one permit each.
    release: Arc<Semaphore>,
}

async fn record(State(seen): State<Seen>, method: Method, headers: HeaderMap, body: Bytes) -> StatusCode {
    let _ = seen.tx.send((method, headers, body, Instant::now()));
    StatusCode::OK
}

/// Answers 429 with `Retry-After: 30` the first time, then 200.
async fn busy_once(State(seen): State<Seen>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    if seen.calls.fetch_add(1, Ordering::SeqCst) == 0 {
        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "30")]).into_response();
    }
    let _ = seen.tx.send((Method::POST, headers, body, Instant::now()));
    StatusCode::OK.into_response()
}

/// Fails the first attempt (503, with the `Retry-After` the message forwarded as
/// `X-Retry-After`, if any), then records the delivery.
async fn flaky(
    State(seen): State<Seen>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    if headers["upstash-retried"] == "0" {
        let mut refused = StatusCode::SERVICE_UNAVAILABLE.into_response();
        if let Some(after) = headers.get("x-retry-after") {
            refused.headers_mut().insert("retry-after", after.clone());
        }
        return refused;
    }
    let _ = seen.tx.send((method, headers, body, Instant::now()));
    StatusCode::OK.into_response()
}

/// Holds each delivery until the test lets it go (`Seen::release`), and reports it on arrival
/// with how many deliveries were in flight then (`x-in-flight`), itself included.
async fn gated(State(seen): State<Seen>, mut headers: HeaderMap, body: Bytes) -> StatusCode {
    let in_flight = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    headers.insert("x-in-flight", in_flight.into());
    let _ = seen.tx.send((Method::POST, headers, body, Instant::now()));
    seen.release.acquire().await.expect("the semaphore stays open").forget();
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    StatusCode::OK
}

async fn start()
-> (DevServer, Client, String, Seen, mpsc::UnboundedReceiver<(Method, HeaderMap, Bytes, Instant)>) {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let seen =
        Seen { tx, calls: Arc::default(), in_flight: Arc::default(), release: Arc::new(Semaphore::new(0)) };
    let app = Router::new()
        .route("/hook", any(record))
        .route("/busy", any(busy_once))
        .route(
            "/eternal",
            any(|| async { (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "18446744073709551615")]) }),
        )
        .route("/gated", any(gated))
        .route("/flaky", any(flaky))
        .route("/down", any(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .route(
            "/sleepy",
            any(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                StatusCode::OK
            }),
        )
        .route_layer(QStashLayer::new(Receiver::dev()))
        .with_state(seen.clone());
    let base = common::serve(app).await;
    let client = Client::new(dev.token()).base_url(&dev.url());
    (dev, client, base, seen, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn method_and_forwarded_headers_reach_the_destination() {
    let (dev, client, base, _, mut rx) = start().await;
    let options = PublishOptions {
        method: Some("PUT".into()),
        headers: vec![("X-Tenant".into(), "acme".into())],
        content_type: Some("text/plain".into()),
        ..Default::default()
    };
    client.publish(format!("{base}/hook"), "hi", &options).await.unwrap();
    let (method, headers, body, _) = next(&mut rx).await;
    assert_eq!((method, body), (Method::PUT, Bytes::from("hi")));
    assert_eq!(headers["x-tenant"], "acme");
    assert_eq!(headers["content-type"], "text/plain");
    assert_eq!(headers["upstash-retried"], "0");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destinations_retry_after_is_honoured_even_with_fast_retries() {
    let (dev, client, base, _, mut rx) = start().await;
    let sent = client.publish(format!("{base}/busy"), "again", &PublishOptions::default()).await.unwrap();
    let (_, headers, _, _) = next(&mut rx).await;
    assert_eq!(headers["upstash-retried"], "1");
    // The wait the dev server chose, as its log records it: Retry-After's 30 s scaled like
    // every wait by fast_retries, to 30 ms (the backoff's e^2.5 s would be 12 ms).
    let only_this = MessageFilter { message_id: Some(sent[0].message_id.clone()), ..Default::default() };
    let events = client.logs().list(&only_this, None, None).await.unwrap().logs;
    let retry = events.iter().find(|e| e.state == MessageState::Retry).expect("a RETRY event");
    let waited = retry.next_delivery_time.expect("the retry's time") - retry.time;
    assert!((29..=30).contains(&waited), "waited {waited} ms before the retry, not Retry-After's 30");
    dev.shutdown().await;
}

/// The waits the dev server chose before each retry of message `id`, in milliseconds, as its
/// log records them, once it logged `count` of them.
async fn retry_waits(client: &Client, id: &str, count: usize) -> Vec<u64> {
    let only_this = MessageFilter { message_id: Some(id.to_owned()), ..Default::default() };
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let logs = client.logs().list(&only_this, None, None).await.unwrap().logs;
            let mut waits: Vec<(u64, u64)> = logs
                .iter()
                .filter(|e| e.state == MessageState::Retry)
                .map(|e| (e.time, e.next_delivery_time.unwrap() - e.time))
                .collect();
            if waits.len() == count {
                waits.sort_unstable();
                return waits.into_iter().map(|(_, wait)| wait).collect();
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the RETRY events within 10 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstash_retry_delay_expression_sets_each_wait() {
    let (dev, client, base, _, _rx) = start().await;
    let options = PublishOptions {
        retries: Some(2),
        headers: vec![("Upstash-Retry-Delay".into(), "(retried + 1) * 30000".into())],
        ..Default::default()
    };
    let sent = client.publish(format!("{base}/down"), "x", &options).await.unwrap();
    // 30 s then 60 s, scaled by fast_retries to 30 and 60 ms (the backoff gives 12 and 148).
    let waits = retry_waits(&client, &sent[0].message_id, 2).await;
    assert!((29..=30).contains(&waits[0]) && (59..=60).contains(&waits[1]), "{waits:?}");
    let refused = PublishOptions {
        headers: vec![("Upstash-Retry-Delay".into(), "attempts * 1000".into())],
        ..Default::default()
    };
    let refused = client.publish(format!("{base}/down"), "x", &refused).await.unwrap_err();
    assert!(
        matches!(&refused, qstash_client::ClientError::Api { status: 400, message } if message.contains("Upstash-Retry-Delay")),
        "{refused:?}"
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_as_a_duration_and_as_an_http_date_is_honoured() {
    let (dev, client, base, _, mut rx) = start().await;
    let in_100_s = (chrono::Utc::now() + chrono::Duration::seconds(100)).format("%a, %d %b %Y %H:%M:%S GMT");
    for (retry_after, expected) in [("6m5s".to_owned(), 364..=365), (in_100_s.to_string(), 98..=100)] {
        let options = PublishOptions {
            headers: vec![("Upstash-Forward-X-Retry-After".into(), retry_after.clone())],
            ..Default::default()
        };
        let sent = client.publish(format!("{base}/flaky"), "x", &options).await.unwrap();
        next(&mut rx).await;
        // Scaled by fast_retries: 365 s is 365 ms.
        let waits = retry_waits(&client, &sent[0].message_id, 1).await;
        assert!(expected.contains(&waits[0]), "Retry-After {retry_after}: waited {waits:?} ms");
    }
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callback_follows_every_attempt_with_its_method_and_forwarded_headers() {
    let (dev, client, base, _, mut rx) = start().await;
    let options = PublishOptions {
        retries: Some(1),
        headers: vec![
            ("Upstash-Callback".into(), format!("{base}/hook")),
            ("Upstash-Callback-Method".into(), "PUT".into()),
            ("Upstash-Callback-Forward-X-Cb".into(), "yes".into()),
        ],
        ..Default::default()
    };
    client.publish(format!("{base}/flaky"), "source", &options).await.unwrap();
    let mut callbacks = Vec::new();
    while callbacks.len() < 2 {
        let (method, headers, body, _) = next(&mut rx).await;
        if body == "source" {
            continue; // the second attempt, which /flaky lets through
        }
        assert_eq!(method, Method::PUT);
        assert_eq!(headers["x-cb"], "yes");
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        callbacks.push((body["retried"].as_u64().unwrap(), body["status"].as_u64().unwrap()));
    }
    callbacks.sort_unstable();
    assert_eq!(callbacks, [(0, 503), (1, 200)], "one callback per attempt, with its answer");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_failure_callback_carries_its_forwarded_headers_and_the_dlq_id() {
    let (dev, client, base, _, mut rx) = start().await;
    let options = PublishOptions {
        retries: Some(0),
        headers: vec![
            ("Upstash-Failure-Callback".into(), format!("{base}/hook")),
            ("Upstash-Failure-Callback-Forward-X-Fail".into(), "1".into()),
        ],
        ..Default::default()
    };
    client.publish(format!("{base}/down"), "source", &options).await.unwrap();
    let (_, headers, body, _) = next(&mut rx).await;
    assert_eq!(headers["x-fail"], "1");
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["status"], 503);
    assert!(body["dlqId"].as_str().is_some_and(|id| !id.is_empty()), "{body}");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_delivers_at_most_its_parallelism_at_once() {
    let (dev, client, base, seen, mut rx) = start().await;
    client.queues().upsert("serial", 1, false).await.unwrap();
    for i in 0..4 {
        client
            .enqueue("serial", format!("{base}/gated"), format!("m{i}"), &PublishOptions::default())
            .await
            .unwrap();
    }
    // Each delivery is held until the next line lets it go: with a parallelism of 1 the next
    // one can only arrive after that, alone.
    for _ in 0..4 {
        let (_, headers, _, _) = next(&mut rx).await;
        assert_eq!(headers["x-in-flight"], "1");
        seen.release.add_permits(1);
    }
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_with_parallelism_one_delivers_in_the_order_enqueued() {
    let (dev, client, base, _, mut rx) = start().await;
    client.queues().upsert("fifo", 1, false).await.unwrap();
    let sent: Vec<String> = (1..=10).map(|i| format!("m{i}")).collect();
    for body in &sent {
        client
            .enqueue("fifo", format!("{base}/hook"), body.as_str(), &PublishOptions::default())
            .await
            .unwrap();
    }
    let mut arrived = Vec::new();
    for _ in &sent {
        arrived.push(String::from_utf8(next(&mut rx).await.2.to_vec()).unwrap());
    }
    assert_eq!(arrived, sent);
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_based_deduplication_and_not_before() {
    let (dev, client, base, _, mut rx) = start().await;
    let by_content = PublishOptions { content_based_deduplication: true, ..Default::default() };
    let first = client.publish(format!("{base}/hook"), "same", &by_content).await.unwrap();
    let second = client.publish(format!("{base}/hook"), "same", &by_content).await.unwrap();
    assert_eq!(second[0].message_id, first[0].message_id);
    assert_eq!(next(&mut rx).await.2, Bytes::from("same"));

    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let later = PublishOptions { not_before: Some(i64::try_from(now + 2).unwrap()), ..Default::default() };
    let published = Instant::now();
    client.publish(format!("{base}/hook"), "later", &later).await.unwrap();
    let (_, _, body, at) = next(&mut rx).await;
    assert_eq!(body, Bytes::from("later"));
    assert!(at.duration_since(published) >= Duration::from_secs(1), "delivered before its not-before");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_callback_carries_the_documented_body_signed() {
    let (dev, client, base, _, mut rx) = start().await;
    let options =
        PublishOptions { callback: Some(Callback::new(format!("{base}/hook"))), ..Default::default() };
    let sent = client.publish(format!("{base}/hook"), "source", &options).await.unwrap();
    let mut callback = None;
    for _ in 0..2 {
        let (_, _, body, _) = next(&mut rx).await;
        if body != "source" {
            callback = Some(body);
        }
    }
    let callback: serde_json::Value = serde_json::from_slice(&callback.expect("no callback")).unwrap();
    assert_eq!(callback["sourceMessageId"], sent[0].message_id.as_str());
    assert_eq!(callback["status"], 200);
    assert_eq!(callback["sourceBody"], "c291cmNl"); // base64 of "source"
    assert_eq!(callback["body"], "");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_that_outlasts_upstash_timeout_fails() {
    let (dev, client, base, _, _rx) = start().await;
    let options =
        PublishOptions { timeout: Some(Duration::from_secs(1)), retries: Some(0), ..Default::default() };
    let sent = client.publish(format!("{base}/sleepy"), "slow", &options).await.unwrap();
    let filter = qstash_client::MessageFilter::default();
    let mut dead = Vec::new();
    for _ in 0..100 {
        dead = client.dlq().list(&filter, None, None).await.unwrap().messages;
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dead.len(), 1, "the timed-out message is not in the DLQ");
    assert_eq!(
        (dead[0].message.message_id.as_str(), dead[0].response_status),
        (sent[0].message_id.as_str(), None)
    );
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_no_clock_can_hold_waits_a_day_at_most_and_the_delivery_lives_on() {
    let (dev, client, base, _, _rx) = start().await;
    let sent = client.publish(format!("{base}/eternal"), "x", &PublishOptions::default()).await.unwrap();
    let only_this = MessageFilter { message_id: Some(sent[0].message_id.clone()), ..Default::default() };
    // The RETRY event records the wait chosen: a day, scaled by fast_retries to 86 400 ms
    // (a Retry-After of u64::MAX seconds panicked the delivery task before it was logged).
    let retry = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let logs = client.logs().list(&only_this, None, None).await.unwrap().logs;
            if let Some(retry) = logs.into_iter().find(|e| e.state == MessageState::Retry) {
                return retry;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("a RETRY event within 10 s");
    assert_eq!(retry.next_delivery_time.unwrap() - retry.time, 86_400);
    // Still waiting for its retry, so still listed and cancellable.
    client.messages().cancel(&sent[0].message_id).await.unwrap();
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_no_clock_can_hold_are_a_400_naming_the_header() {
    let (dev, client, base, _, _rx) = start().await;
    let never = PublishOptions {
        headers: vec![("Upstash-Not-Before".into(), "18446744073709551615".into())],
        ..Default::default()
    };
    let refused = client.publish(format!("{base}/hook"), "x", &never).await.unwrap_err();
    assert!(
        matches!(&refused, qstash_client::ClientError::Api { status: 400, message } if message.contains("Upstash-Not-Before")),
        "{refused:?}"
    );
    let forever = PublishOptions {
        flow_control: Some(qstash_client::FlowControl {
            key: "k".into(),
            rate: Some(1),
            period: Some(Duration::from_secs(u64::MAX / 2)),
            parallelism: None,
        }),
        ..Default::default()
    };
    let refused = client.publish(format!("{base}/hook"), "x", &forever).await.unwrap_err();
    assert!(
        matches!(&refused, qstash_client::ClientError::Api { status: 400, message } if message.contains("Upstash-Flow-Control-Value")),
        "{refused:?}"
    );
    dev.shutdown().await;
}
