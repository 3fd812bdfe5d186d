//! Key rotation end to end: the dev server rotates its signing keys as QStash does
//! (`POST /v2/keys/rotate`), and an endpoint whose receiver a `KeyRefresher` keeps current goes
//! on accepting deliveries, while one that kept the first pair stops after the second rotation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod common;
use common::next;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use qstash_axum::QStashLayer;
use qstash_client::{Client, KeyRefresher, MessageFilter, PublishOptions};
use qstash_core::{Receiver, SharedReceiver};
use qstash_dev::DevServer;
use tokio::sync::mpsc;

async fn record(State(seen): State<mpsc::UnboundedSender<Bytes>>, body: Bytes) -> StatusCode {
    let _ = seen.send(body);
    StatusCode::OK
}

/// `/refreshed` verifies with `shared`; `/stale` with the development pair it started with.
async fn app(shared: SharedReceiver) -> (String, mpsc::UnboundedReceiver<Bytes>) {
    let (seen, deliveries) = mpsc::unbounded_channel();
    let refreshed = Router::new().route("/refreshed", post(record)).route_layer(QStashLayer::new(shared));
    let stale = Router::new().route("/stale", post(record)).route_layer(QStashLayer::new(Receiver::dev()));
    let app = refreshed.merge(stale).with_state(seen);
    let base = common::serve(app).await;
    (base, deliveries)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refreshed_receiver_follows_rotations_and_a_stale_one_fails_after_the_second() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let client = Client::new(dev.token()).base_url(&dev.url());
    let shared = SharedReceiver::new(Receiver::dev());
    let refresher = KeyRefresher::with_min_interval(shared.clone(), client.clone(), Duration::ZERO);
    let (base, mut deliveries) = app(shared).await;
    let once = PublishOptions { retries: Some(0), ..Default::default() };

    // One rotation: the old next key signs, and both receivers still hold it.
    let first = dev.signing_keys();
    let rotated = client.rotate_signing_keys().await.unwrap();
    assert_eq!(rotated.current, first.1);
    assert_eq!((rotated.current.clone(), rotated.next.clone()), dev.signing_keys());
    client.publish(format!("{base}/stale"), "after one", &once).await.unwrap();
    assert_eq!(next(&mut deliveries).await, Bytes::from("after one"));
    // The pair still holds a public development key, which only `Receiver::dev()` may trust:
    // the refresher refuses it and the receiver keeps what it had.
    let refused = refresher.refresh().await.unwrap_err();
    assert!(refused.to_string().contains("local-development"), "{refused}");

    // Two rotations: a key neither development key matches. The stale receiver refuses with
    // 401 and the message goes to the DLQ; the refreshed one takes the new pair.
    let rotated = client.rotate_signing_keys().await.unwrap();
    assert_ne!(rotated.current, first.0);
    assert_ne!(rotated.current, first.1);
    refresher.refresh().await.unwrap();
    client.publish(format!("{base}/refreshed"), "after two", &once).await.unwrap();
    assert_eq!(next(&mut deliveries).await, Bytes::from("after two"));
    let refused = client.publish(format!("{base}/stale"), "stale", &once).await.unwrap();
    let dead = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let page = client.dlq().list(&MessageFilter::default(), None, None).await.unwrap();
            if let Some(dead) =
                page.messages.into_iter().find(|m| m.message.message_id == refused[0].message_id)
            {
                return dead;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the stale endpoint's refusal never reached the DLQ");
    assert_eq!(dead.response_status, Some(401));
    dev.shutdown().await;
}
