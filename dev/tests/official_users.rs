//! The official dev server's users: the default user and three test users, each a separate
//! account with its own token and signing keys, as that server prints them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod common;
use common::next;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use qstash_axum::QStashLayer;
use qstash_client::{Client, ClientError, MessageFilter, PublishOptions};
use qstash_core::Receiver;
use qstash_dev::{DEV_USERS, DevServer};
use tokio::sync::mpsc;

async fn record(State(seen): State<mpsc::UnboundedSender<Bytes>>, body: Bytes) -> StatusCode {
    let _ = seen.send(body);
    StatusCode::OK
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_test_user_has_its_own_account_and_signing_keys() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let default = Client::new(dev.token()).base_url(&dev.url());
    for user in &DEV_USERS[1..] {
        // An endpoint that trusts this user's keys only.
        let (seen, mut deliveries) = mpsc::unbounded_channel();
        let receiver = Receiver::new(user.current_signing_key, user.next_signing_key).unwrap();
        let app = Router::new()
            .route("/hook", post(record))
            .route_layer(QStashLayer::new(receiver))
            .with_state(seen);
        let base = common::serve(app).await;

        let client = Client::new(user.token).base_url(&dev.url());
        assert_eq!(client.signing_keys().await.unwrap().current, user.current_signing_key);
        let once = PublishOptions { retries: Some(0), ..Default::default() };
        let sent = client.publish(format!("{base}/hook"), user.token, &once).await.unwrap();
        assert_eq!(next(&mut deliveries).await, Bytes::from(user.token));

        // Its log holds the message; the default user's does not.
        let this = MessageFilter { message_id: Some(sent[0].message_id.clone()), ..Default::default() };
        assert!(!client.logs().list(&this, None, None).await.unwrap().logs.is_empty());
        assert!(default.logs().list(&this, None, None).await.unwrap().logs.is_empty());
    }
    let stranger = Client::new("eyJVc2VySUQiOiJ0ZXN0VXNlcjQifQ==").base_url(&dev.url());
    let refused = stranger.signing_keys().await.unwrap_err();
    assert!(matches!(refused, ClientError::Api { status: 401, .. }), "{refused:?}");
    dev.shutdown().await;
}
