//! How the dev server delivers, rule by rule: forwarded headers and method, a destination's
//! `Retry-After`, the attempt timeout, a queue's parallelism, content-based deduplication,
//! not-before, and the success callback's body.
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
