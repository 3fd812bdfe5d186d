//! The whole loop on loopback: qstash-client publishes through the dev server, which delivers
//! signed requests to an axum endpoint behind `QStashLayer` with the development keys; a
//! failing endpoint is retried into the DLQ and its failure callback arrives signed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod common;
use common::next;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use qstash_axum::{QStashLayer, VerifiedMessage};
use qstash_client::{Client, ClientError, Destination, Endpoint, MessageFilter, PublishOptions};
use qstash_core::Receiver;
use qstash_dev::{DEV_TOKEN, DevServer};
use tokio::sync::mpsc;

type Seen = mpsc::UnboundedSender<(String, String, Option<u32>, Bytes)>;

async fn record(State(seen): State<Seen>, message: VerifiedMessage, body: Bytes) -> StatusCode {
    let id = message.message_id.clone().unwrap_or_default();
    let _ = seen.send((message.claims.sub().to_owned(), id, message.retried, body));
    StatusCode::OK
}

/// An app whose routes only accept deliveries signed with the development keys.
async fn app() -> (String, mpsc::UnboundedReceiver<(String, String, Option<u32>, Bytes)>) {
    let (seen, deliveries) = mpsc::unbounded_channel();
    let verified = Router::new()
        .route("/hook", post(record))
        .route("/a", post(record))
        .route("/b", post(record))
        .route("/callback", post(record))
        .route("/fail", post(|| async { (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance") }))
        .route_layer(QStashLayer::new(Receiver::dev()))
        .with_state(seen);
    let base = common::serve(verified).await;
    (base, deliveries)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_reaches_a_verifying_endpoint_signed_with_the_dev_keys() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let (base, mut deliveries) = app().await;
    let client = Client::new(dev.token()).base_url(&dev.url());
    assert_eq!(dev.token(), DEV_TOKEN);

    let keys = client.signing_keys().await.unwrap();
    assert_eq!((keys.current, keys.next), dev.signing_keys());

    let sent = client.publish(format!("{base}/hook"), "hello", &PublishOptions::default()).await.unwrap();
    let (sub, id, retried, body) = next(&mut deliveries).await;
    assert_eq!(
        (sub, id, retried, body),
        (format!("{base}/hook"), sent[0].message_id.clone(), Some(0), Bytes::from("hello"))
    );

    // A URL group fans out to each endpoint, each delivery signed for its own URL.
    client
        .url_groups()
        .upsert_endpoints("fan", &[Endpoint::url(format!("{base}/a")), Endpoint::url(format!("{base}/b"))])
        .await
        .unwrap();
    let sent = client
        .publish(Destination::UrlGroup("fan".into()), "to all", &PublishOptions::default())
        .await
        .unwrap();
    assert_eq!(sent.len(), 2);
    let mut subs = vec![next(&mut deliveries).await.0, next(&mut deliveries).await.0];
    subs.sort();
    assert_eq!(subs, [format!("{base}/a"), format!("{base}/b")]);

    // The same deduplication id twice: one delivery, the second answer names the first.
    let once = PublishOptions { deduplication_id: Some("order-7".into()), ..Default::default() };
    let first = client.publish(format!("{base}/hook"), "once", &once).await.unwrap();
    let second = client.publish(format!("{base}/hook"), "once", &once).await.unwrap();
    assert_eq!(
        (second[0].message_id.clone(), second[0].deduplicated),
        (first[0].message_id.clone(), Some(true))
    );
    assert_eq!(next(&mut deliveries).await.3, Bytes::from("once"));

    // A delayed message can be read and cancelled before it goes out.
    let later = PublishOptions { delay: Some(Duration::from_secs(1)), ..Default::default() };
    let sent = client.publish(format!("{base}/hook"), "never", &later).await.unwrap();
    let waiting = client.messages().get(&sent[0].message_id).await.unwrap();
    assert_eq!(waiting.url.as_deref(), Some(format!("{base}/hook").as_str()));
    client.messages().cancel(&sent[0].message_id).await.unwrap();
    assert!(matches!(
        client.messages().get(&sent[0].message_id).await,
        Err(ClientError::Api { status: 404, .. })
    ));
    // A message published after it with the same delay is due after it: the next delivery
    // is that one, not the cancelled one.
    client.publish(format!("{base}/hook"), "after", &later).await.unwrap();
    assert_eq!(next(&mut deliveries).await.3, Bytes::from("after"), "a cancelled message was delivered");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_endpoint_is_retried_into_the_dlq_and_its_failure_callback_arrives_signed() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let (base, mut deliveries) = app().await;
    let client = Client::new(dev.token()).base_url(&dev.url());
    let options = PublishOptions {
        retries: Some(2),
        failure_callback: Some(qstash_client::Callback::new(format!("{base}/callback"))),
        ..Default::default()
    };
    let sent = client.publish(format!("{base}/fail"), "doomed", &options).await.unwrap();

    let (sub, _, _, body) = next(&mut deliveries).await;
    assert_eq!(sub, format!("{base}/callback"));
    let callback: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(callback["sourceMessageId"], sent[0].message_id.as_str());
    assert_eq!((callback["status"].as_u64(), callback["retried"].as_u64()), (Some(503), Some(2)));
    assert!(callback["dlqId"].as_str().unwrap().starts_with("dlq_"));

    let page = client.dlq().list(&MessageFilter::default(), None, None).await.unwrap();
    assert_eq!(page.messages.len(), 1);
    let dead = &page.messages[0];
    assert_eq!(
        (dead.message.message_id.as_str(), dead.response_status),
        (sent[0].message_id.as_str(), Some(503))
    );
    assert_eq!(dead.response_body.as_deref(), Some("down for maintenance"));

    let events = client
        .logs()
        .list(
            &MessageFilter { message_id: Some(sent[0].message_id.clone()), ..Default::default() },
            None,
            None,
        )
        .await
        .unwrap();
    let states: Vec<String> = events.logs.iter().map(|e| e.state.to_string()).collect();
    assert_eq!(states.first().map(String::as_str), Some("FAILED"), "{states:?}");
    assert_eq!(states.iter().filter(|s| *s == "RETRY").count(), 2, "{states:?}");

    // Retried from the DLQ it goes out again (and fails again).
    let retried = client.dlq().retry(&[dead.dlq_id.as_str()]).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_ne!(retried[0].message_id, sent[0].message_id);
    dev.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_the_api_error_shape_and_a_wrong_token_401() {
    let dev = DevServer::builder().port(0).start().await.unwrap();
    let client = Client::new(dev.token()).base_url(&dev.url()).retry(qstash_client::RetryPolicy::none());
    let bad = PublishOptions { headers: vec![("Upstash-Delay".into(), "soon".into())], ..Default::default() };
    let error = client.publish("http://127.0.0.1:9/x", "b", &bad).await.unwrap_err();
    assert!(
        matches!(&error, ClientError::Api { status: 400, message } if message.contains("Upstash-Delay")),
        "{error:?}"
    );
    let error = client
        .publish(Destination::UrlGroup("missing".into()), "b", &PublishOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Api { status: 404, .. }));
    let stranger =
        Client::new("not-the-dev-token").base_url(&dev.url()).retry(qstash_client::RetryPolicy::none());
    assert!(matches!(stranger.signing_keys().await, Err(ClientError::Api { status: 401, .. })));
    dev.shutdown().await;
}
