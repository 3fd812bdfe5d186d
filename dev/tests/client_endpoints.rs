//! qstash-client against the dev server, endpoint by endpoint (every area the dev server
//! covers): what the client sends is understood, and what the dev server answers parses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod common;
use common::next;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use qstash_axum::{QStashLayer, VerifiedMessage};
use qstash_client::{
    BatchMessage, Client, ClientError, Destination, Endpoint, MessageFilter, PublishOptions, ScheduleOptions,
};
use qstash_core::Receiver;
use qstash_dev::DevServer;
use tokio::sync::mpsc;

type Seen = mpsc::UnboundedSender<(Option<String>, Bytes)>;

async fn record(State(seen): State<Seen>, message: VerifiedMessage, body: Bytes) -> &'static str {
    let _ = seen.send((message.schedule_id.clone(), body));
    "ok"
}

async fn endpoint() -> (String, mpsc::UnboundedReceiver<(Option<String>, Bytes)>) {
    let (seen, deliveries) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/hook", post(record))
        .route_layer(QStashLayer::new(Receiver::dev()))
        .with_state(seen);
    let base = common::serve(app).await;
    (base, deliveries)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_area_the_dev_server_covers() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let (base, mut deliveries) = endpoint().await;
    let hook = format!("{base}/hook");
    let client = Client::new(dev.token()).base_url(&dev.url());

    // Enqueue and batch.
    client.queues().upsert("orders", 2, false).await.unwrap();
    client.enqueue("orders", hook.as_str(), "queued", &PublishOptions::default()).await.unwrap();
    assert_eq!(next(&mut deliveries).await.1, Bytes::from("queued"));
    let batch = [
        BatchMessage {
            destination: Destination::Url(hook.clone()),
            body: "one".into(),
            options: PublishOptions::default(),
            queue: None,
        },
        BatchMessage {
            destination: Destination::Url(hook.clone()),
            body: "two".into(),
            options: PublishOptions::default(),
            queue: Some("orders".into()),
        },
    ];
    assert_eq!(client.batch(&batch).await.unwrap().len(), 2);
    let mut bodies = vec![next(&mut deliveries).await.1, next(&mut deliveries).await.1];
    bodies.sort();
    assert_eq!(bodies, [Bytes::from("one"), Bytes::from("two")]);

    // Queues.
    let queue = client.queues().get("orders").await.unwrap();
    assert_eq!((queue.name.as_str(), queue.parallelism), ("orders", 2));
    assert_eq!(client.queues().list().await.unwrap().len(), 1);
    client.queues().pause("orders").await.unwrap();
    assert!(client.queues().get("orders").await.unwrap().paused);
    client.queues().resume("orders").await.unwrap();
    assert!(!client.queues().get("orders").await.unwrap().paused);
    client.queues().delete("orders").await.unwrap();
    assert!(matches!(client.queues().get("orders").await, Err(ClientError::Api { status: 404, .. })));

    // URL groups.
    client.url_groups().upsert_endpoints("fan", &[Endpoint::url(hook.clone()).named("only")]).await.unwrap();
    assert_eq!(client.url_groups().get("fan").await.unwrap().endpoints.len(), 1);
    assert_eq!(client.url_groups().list().await.unwrap().len(), 1);
    client
        .url_groups()
        .remove_endpoints("fan", &[Endpoint { name: Some("only".into()), url: None }])
        .await
        .unwrap();
    assert!(client.url_groups().get("fan").await.unwrap().endpoints.is_empty());
    client.url_groups().delete("fan").await.unwrap();
    assert!(matches!(client.url_groups().get("fan").await, Err(ClientError::Api { status: 404, .. })));
    assert!(client.url_groups().list().await.unwrap().is_empty());

    // Messages: get, cancel, cancel many.
    let later = PublishOptions { delay: Some(Duration::from_secs(30)), ..Default::default() };
    let a = client.publish(hook.as_str(), "a", &later).await.unwrap()[0].message_id.clone();
    let b = client.publish(hook.as_str(), "b", &later).await.unwrap()[0].message_id.clone();
    let c = client.publish(hook.as_str(), "c", &later).await.unwrap()[0].message_id.clone();
    assert_eq!(client.messages().get(&a).await.unwrap().message_id, a);
    client.messages().cancel(&a).await.unwrap();
    assert_eq!(client.messages().cancel_many(&[b.as_str(), c.as_str()]).await.unwrap(), 2);
    client.publish(hook.as_str(), "d", &later).await.unwrap();
    assert_eq!(client.messages().cancel_all().await.unwrap(), 1);

    // DLQ: a message to nowhere fails into it; get, retry, delete, delete many.
    let nowhere = PublishOptions { retries: Some(0), ..Default::default() };
    client.publish("http://127.0.0.1:9/closed", "x", &nowhere).await.unwrap();
    client.publish("http://127.0.0.1:9/closed", "y", &nowhere).await.unwrap();
    let mut page = client.dlq().list(&MessageFilter::default(), None, None).await.unwrap();
    for _ in 0..100 {
        if page.messages.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        page = client.dlq().list(&MessageFilter::default(), None, None).await.unwrap();
    }
    assert_eq!(page.messages.len(), 2);
    let first = page.messages[0].dlq_id.clone();
    assert_eq!(client.dlq().get(&first).await.unwrap().dlq_id, first);
    client.dlq().delete(&first).await.unwrap();
    let second = page.messages[1].dlq_id.clone();
    assert_eq!(client.dlq().delete_many(&[second.as_str()]).await.unwrap(), 1);

    // Logs.
    let events = client
        .logs()
        .list(&MessageFilter { message_id: Some(a.clone()), ..Default::default() }, None, None)
        .await
        .unwrap();
    assert_eq!(events.logs[0].state.to_string(), "CANCELED");

    // Schedules: every second (a leading seconds field), delivered with its id.
    let id =
        client.schedules().create(hook.as_str(), "tick", &ScheduleOptions::new("* * * * * *")).await.unwrap();
    let (schedule_id, body) = next(&mut deliveries).await;
    assert_eq!((schedule_id.as_deref(), body), (Some(id.as_str()), Bytes::from("tick")));
    let schedule = client.schedules().get(&id).await.unwrap();
    assert_eq!((schedule.cron.as_str(), schedule.destination.as_str()), ("* * * * * *", hook.as_str()));
    assert_eq!(client.schedules().list().await.unwrap().len(), 1);
    client.schedules().pause(&id).await.unwrap();
    assert!(client.schedules().get(&id).await.unwrap().is_paused);
    client.schedules().resume(&id).await.unwrap();
    assert!(!client.schedules().get(&id).await.unwrap().is_paused);
    client.schedules().delete(&id).await.unwrap();
    assert!(matches!(client.schedules().get(&id).await, Err(ClientError::Api { status: 404, .. })));
    let bad = ScheduleOptions::new("every tuesday");
    assert!(matches!(
        client.schedules().create(hook.as_str(), "", &bad).await,
        Err(ClientError::Api { status: 400, .. })
    ));
    // CRON_TZ (the time-zone database, a default feature): midnight in Kathmandu (UTC+05:45)
    // is 18:15 UTC.
    #[cfg(feature = "time-zones")]
    {
        let nepal = ScheduleOptions::new("CRON_TZ=Asia/Kathmandu 0 0 * * *");
        let id = client.schedules().create(hook.as_str(), "", &nepal).await.unwrap();
        let next_run = client.schedules().get(&id).await.unwrap().next_schedule_time.unwrap() / 1000;
        assert_eq!(next_run % 86_400, 18 * 3_600 + 15 * 60);
        client.schedules().delete(&id).await.unwrap();
        let mars = ScheduleOptions::new("CRON_TZ=Mars/Olympus 0 0 * * *");
        match client.schedules().create(hook.as_str(), "", &mars).await {
            Err(ClientError::Api { status: 400, message }) => {
                assert!(message.contains("not an IANA time zone"), "{message}")
            }
            other => panic!("a made-up zone was not refused: {other:?}"),
        }
    }

    // Flow control: a key appears with the first message that names it.
    let limited = PublishOptions {
        flow_control: Some(qstash_client::FlowControl {
            key: "tenant-1".into(),
            parallelism: Some(1),
            rate: Some(5),
            period: None,
        }),
        ..Default::default()
    };
    client.publish(hook.as_str(), "limited", &limited).await.unwrap();
    assert_eq!(next(&mut deliveries).await.1, Bytes::from("limited"));
    let fc = client.flow_control();
    let key = fc.get("tenant-1").await.unwrap();
    assert_eq!((key.parallelism_max, key.rate_max), (1, 5));
    assert_eq!(fc.list(Some("tenant")).await.unwrap().len(), 1);
    // The handler has run, but the delivery counts as in flight until its answer is back.
    tokio::time::timeout(Duration::from_secs(10), async {
        while fc.global_parallelism().await.unwrap().parallelism_count != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("a finished delivery still counts as in flight");
    // A period of an hour keeps the delivery above counted until the rate is reset.
    let pin = qstash_client::Pin { parallelism: Some(3), period: Some(3600), ..Default::default() };
    fc.pin("tenant-1", pin).await.unwrap();
    let pinned = fc.get("tenant-1").await.unwrap();
    assert!(pinned.is_pinned_parallelism && pinned.parallelism_max == 3);
    assert_eq!((pinned.rate_period, pinned.rate_count), (3600, 1));
    fc.unpin("tenant-1", qstash_client::Unpin { parallelism: true, rate: false }).await.unwrap();
    assert!(!fc.get("tenant-1").await.unwrap().is_pinned_parallelism);
    fc.reset_rate("tenant-1").await.unwrap();
    assert_eq!(fc.get("tenant-1").await.unwrap().rate_count, 0);
    fc.pause("tenant-1").await.unwrap();
    assert!(fc.get("tenant-1").await.unwrap().is_paused);
    fc.resume("tenant-1").await.unwrap();
    assert!(!fc.get("tenant-1").await.unwrap().is_paused);

    // Keys.
    assert_eq!(client.signing_keys().await.unwrap().current, dev.signing_keys().0);
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_served_at_v2_logs_in_pages_with_the_documented_filters() {
    let dev = DevServer::builder().port(0).start().await.unwrap();
    let (base, mut deliveries) = endpoint().await;
    let client = Client::new(dev.token()).base_url(&dev.url());
    for to in ["a", "a", "b"] {
        client.publish(format!("{base}/hook?to={to}"), "x", &PublishOptions::default()).await.unwrap();
        next(&mut deliveries).await;
    }
    // Each publish logs CREATED, ACTIVE and DELIVERED: nine entries, newest first.
    let everything = MessageFilter::default();
    let first = client.logs().list(&everything, None, Some(4)).await.unwrap();
    assert_eq!(first.logs.len(), 4);
    let cursor = first.cursor.clone().expect("more pages");
    let rest = client.logs().list(&everything, Some(&cursor), Some(100)).await.unwrap();
    assert_eq!((rest.logs.len(), rest.cursor), (5, None));
    assert!(first.logs.windows(2).chain(rest.logs.windows(2)).all(|pair| pair[0].time >= pair[1].time));

    let only_b = MessageFilter { url: vec![format!("{base}/hook?to=b")], ..Default::default() };
    let b = client.logs().list(&only_b, None, None).await.unwrap();
    assert_eq!(b.logs.len(), 3);
    assert!(b.logs.iter().all(|e| e.url.as_deref() == Some(format!("{base}/hook?to=b").as_str())));
    let future = MessageFilter {
        from_date: Some(std::time::SystemTime::now() + Duration::from_secs(3600)),
        ..Default::default()
    };
    assert!(client.logs().list(&future, None, None).await.unwrap().logs.is_empty());

    let too_many = client.logs().list(&everything, None, Some(101)).await.unwrap_err();
    assert!(matches!(&too_many, qstash_client::ClientError::Api { status: 400, .. }), "{too_many:?}");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_dlq_message_is_retried_with_the_overrides_sent_with_it() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let (base, _deliveries) = endpoint().await;
    let client = Client::new(dev.token()).base_url(&dev.url());
    // The DLQ entry of `message_id`, once its delivery has failed (the destination answers
    // 404; without retries the message goes straight to the DLQ).
    let dead = |message_id: String| {
        let client = client.clone();
        async move {
            tokio::time::timeout(Duration::from_secs(10), async {
                loop {
                    let page = client.dlq().list(&MessageFilter::default(), None, None).await.unwrap();
                    if let Some(entry) =
                        page.messages.into_iter().find(|d| d.message.message_id == message_id)
                    {
                        return entry;
                    }
                    tokio::task::yield_now().await;
                }
            })
            .await
            .expect("in the DLQ within 10 s")
        }
    };
    let doomed = PublishOptions { retries: Some(2), ..Default::default() };
    let sent = client.publish(format!("{base}/missing"), "x", &doomed).await.unwrap();
    let first = dead(sent[0].message_id.clone()).await;
    assert_eq!(first.message.max_retries, Some(2));

    let override_retries = PublishOptions { retries: Some(0), ..Default::default() };
    let retried = client.dlq().retry_one(&first.dlq_id, &override_retries).await.unwrap();
    assert_eq!(retried.deduplicated, Some(false));
    let second = dead(retried.message_id.clone()).await;
    assert_eq!((second.message.max_retries, second.message.url), (Some(0), Some(format!("{base}/missing"))));

    let gone = client.dlq().retry_one(&first.dlq_id, &PublishOptions::default()).await.unwrap_err();
    assert!(matches!(gone, ClientError::Api { status: 404, .. }), "{gone:?}");
    dev.shutdown().await;
}

/// Sends `POST target` with `body` over a plain HTTP/1.1 connection (no client of ours in
/// between), and returns the status line.
async fn raw_post(dev: &DevServer, target: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = dev.url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST {target} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_as_a_query_parameter_opens_the_api_and_never_reaches_the_destination() {
    let dev = DevServer::builder().port(0).start().await.unwrap();
    let (seen, mut subjects) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/hook",
            post(|State(seen): State<mpsc::UnboundedSender<String>>, message: VerifiedMessage| async move {
                let _ = seen.send(message.claims.sub().to_owned());
                "ok"
            }),
        )
        .route_layer(QStashLayer::new(Receiver::dev()))
        .with_state(seen);
    let base = common::serve(app).await;
    let token = qstash_dev::DEV_TOKEN.replace('=', "%3D");
    let status = raw_post(&dev, &format!("/v2/publish/{base}/hook?tenant=a&qstash_token={token}"), "x").await;
    assert!(status.contains(" 200 ") || status.contains(" 201 "), "{status}");
    // The destination is the URL without the token: QStash signed, and called, that one.
    assert_eq!(next(&mut subjects).await, format!("{base}/hook?tenant=a"));
    let refused = raw_post(&dev, &format!("/v2/publish/{base}/hook?qstash_token=wrong"), "x").await;
    assert!(refused.contains(" 401 "), "{refused}");
    dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancels_and_dlq_bulk_calls_by_filter_act_on_the_matching_messages_only() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let (base, _deliveries) = endpoint().await;
    let client = Client::new(dev.token()).base_url(&dev.url());
    let later = |labels: &[&str]| PublishOptions {
        delay: Some(Duration::from_secs(600)),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        ..Default::default()
    };
    let billing = client.publish(format!("{base}/hook"), "a", &later(&["billing", "eu"])).await.unwrap();
    let other = client.publish(format!("{base}/hook"), "b", &later(&["marketing"])).await.unwrap();
    let elsewhere = client.publish(format!("{base}/other"), "c", &later(&["billing"])).await.unwrap();
    assert_eq!(client.messages().get(&billing[0].message_id).await.unwrap().labels, ["billing", "eu"]);

    // Label "billing" and path "/hook": only the first message.
    let filter =
        MessageFilter { label: vec!["billing".into()], path: vec!["/hook".into()], ..Default::default() };
    let done = client.messages().cancel_matching(&filter, true).await.unwrap();
    assert_eq!((done.cancelled, done.action_id), (1, None));
    let gone = client.messages().get(&billing[0].message_id).await.unwrap_err();
    assert!(matches!(gone, ClientError::Api { status: 404, .. }), "{gone:?}");
    for kept in [&other[0].message_id, &elsewhere[0].message_id] {
        assert_eq!(&client.messages().get(kept).await.unwrap().message_id, kept);
    }
    // Without waiting: the action's id comes back.
    let marketing = MessageFilter { label: vec!["marketing".into()], ..Default::default() };
    let started = client.messages().cancel_matching(&marketing, false).await.unwrap();
    assert_eq!(started.cancelled, 1);
    assert!(started.action_id.is_some_and(|id| id.starts_with("bact")));
    assert_eq!(client.messages().cancel_all().await.unwrap(), 1);

    // Two dead messages with different labels; a filtered retry takes one, with an override.
    let doomed =
        |label: &str| PublishOptions { retries: Some(2), labels: vec![label.into()], ..Default::default() };
    client.publish(format!("{base}/missing"), "x", &doomed("keep")).await.unwrap();
    client.publish(format!("{base}/missing"), "y", &doomed("retry")).await.unwrap();
    let dead = |label: &'static str| {
        let client = client.clone();
        async move {
            let filter = MessageFilter { label: vec![label.into()], ..Default::default() };
            tokio::time::timeout(Duration::from_secs(10), async {
                loop {
                    let page = client.dlq().list(&filter, None, None).await.unwrap();
                    if let Some(entry) = page.messages.into_iter().next() {
                        return entry;
                    }
                    tokio::task::yield_now().await;
                }
            })
            .await
            .expect("in the DLQ within 10 s")
        }
    };
    let (kept, to_retry) = (dead("keep").await, dead("retry").await);
    let status =
        MessageFilter { response_status: vec![404], label: vec!["retry".into()], ..Default::default() };
    let overrides = PublishOptions { retries: Some(0), ..Default::default() };
    let retried = client.dlq().retry_matching(&status, &overrides).await.unwrap();
    assert_eq!(retried.responses.len(), 1);
    let again = dead("retry").await;
    assert_ne!(again.dlq_id, to_retry.dlq_id);
    assert_eq!(again.message.max_retries, Some(0));
    assert_eq!(client.dlq().get(&kept.dlq_id).await.unwrap().message.max_retries, Some(2));

    // A filtered delete takes the retried one and leaves the other.
    let by_label = MessageFilter { label: vec!["retry".into()], ..Default::default() };
    assert_eq!(client.dlq().delete_matching(&by_label).await.unwrap(), 1);
    let left = client.dlq().list(&MessageFilter::default(), None, None).await.unwrap();
    assert_eq!(left.messages.iter().map(|d| d.dlq_id.as_str()).collect::<Vec<_>>(), [kept.dlq_id.as_str()]);
    dev.shutdown().await;
}
