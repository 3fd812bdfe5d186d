//! `--data FILE`: a dev server started again on the same file goes on where the last one
//! stopped. A message published before the restart is delivered after it, a schedule created
//! before it keeps firing, and URL groups, queues, the DLQ, the log and rotated keys are there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod common;
use common::next;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use qstash_client::{Client, Endpoint, MessageFilter, PublishOptions, ScheduleOptions};
use qstash_dev::DevServer;
use tokio::sync::mpsc;

type Seen = mpsc::UnboundedSender<(HeaderMap, Bytes, Instant)>;

async fn record(State(seen): State<Seen>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let _ = seen.send((headers, body, Instant::now()));
    StatusCode::OK
}

/// A database file of this test's own, removed (with SQLite's side files) when dropped.
struct DataFile(PathBuf);

impl Drop for DataFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_with_the_same_data_file_loses_nothing() {
    let unique = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let data =
        DataFile(std::env::temp_dir().join(format!("qstash-dev-{}-{unique}.sqlite", std::process::id())));
    let (seen, mut deliveries) = mpsc::unbounded_channel();
    let base = common::serve(
        Router::new().route("/later", post(record)).route("/cron", post(record)).with_state(seen),
    )
    .await;

    let dev = DevServer::builder().port(0).fast_retries().data(&data.0).start().await.unwrap();
    let client = Client::new(dev.token()).base_url(&dev.url());
    let stopped_at = Instant::now();
    let delayed = PublishOptions { delay: Some(Duration::from_secs(3)), ..Default::default() };
    let sent = client.publish(format!("{base}/later"), "published before", &delayed).await.unwrap();
    let schedule = ScheduleOptions { cron: "*/2 * * * * *".into(), ..Default::default() };
    let schedule_id = client.schedules().create(format!("{base}/cron"), "tick", &schedule).await.unwrap();
    client.url_groups().upsert_endpoints("fanout", &[Endpoint::url(format!("{base}/later"))]).await.unwrap();
    client.queues().upsert("orders", 3, true).await.unwrap();
    let once = PublishOptions { retries: Some(0), ..Default::default() };
    let dead = client.publish("http://127.0.0.1:9/closed", "dead", &once).await.unwrap();
    let rotated = client.rotate_signing_keys().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while client.dlq().list(&MessageFilter::default(), None, None).await.unwrap().messages.is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the failed message in the DLQ");
    dev.shutdown().await;
    // Whatever the schedule delivered before the stop is not what this test waits for.
    while deliveries.try_recv().is_ok() {}

    let dev = DevServer::builder().port(0).fast_retries().data(&data.0).start().await.unwrap();
    let client = Client::new(dev.token()).base_url(&dev.url());
    let message = client.messages().get(&sent[0].message_id).await.unwrap();
    assert_eq!(message.body.as_deref(), Some("published before"));
    let mut later = None;
    let mut ticked = None;
    while later.is_none() || ticked.is_none() {
        let (headers, body, at) = next(&mut deliveries).await;
        if body == "published before" {
            later = Some(at);
        } else if headers.get("upstash-schedule-id").is_some_and(|id| id == schedule_id.as_str()) {
            ticked = Some(body);
        }
    }
    let waited = later.unwrap().duration_since(stopped_at);
    assert!(waited >= Duration::from_secs(2), "delivered {waited:?} after publishing, before its delay");
    assert_eq!(ticked.as_deref(), Some(&b"tick"[..]));

    assert_eq!(client.url_groups().get("fanout").await.unwrap().endpoints.len(), 1);
    let queue = client.queues().get("orders").await.unwrap();
    assert_eq!((queue.parallelism, queue.paused), (3, true));
    let dlq = client.dlq().list(&MessageFilter::default(), None, None).await.unwrap().messages;
    assert_eq!(
        dlq.iter().map(|d| d.message.message_id.as_str()).collect::<Vec<_>>(),
        [dead[0].message_id.as_str()]
    );
    let keys = client.signing_keys().await.unwrap();
    assert_eq!((keys.current, keys.next), (rotated.current, rotated.next), "the rotated keys were kept");
    let logged = MessageFilter { message_id: Some(dead[0].message_id.clone()), ..Default::default() };
    assert!(!client.logs().list(&logged, None, None).await.unwrap().logs.is_empty(), "the log was kept");
    client.schedules().delete(&schedule_id).await.unwrap();
    dev.shutdown().await;
}
