//! The API's answers where the dev server once differed from QStash's docs: refusals (405,
//! invalid names and methods, a bad batch entry, pin values), documented fields
//! (`deduplicated`, `ratePeriodStart`), URL group rename, schedules on a queue, content-based
//! deduplication over the headers, and the bounds on what it holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod common;
use common::next;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use qstash_dev::{DevServer, Limits};
use serde_json::{Value, json};
use tokio::sync::mpsc;

type Seen = mpsc::UnboundedSender<(HeaderMap, Bytes)>;

async fn record(State(seen): State<Seen>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let _ = seen.send((headers, body));
    StatusCode::OK
}

/// The dev server, an endpoint recording what reaches it (no verification: these tests are
/// about the API), and an HTTP client that sends the development token.
struct Setup {
    dev: DevServer,
    hook: String,
    deliveries: mpsc::UnboundedReceiver<(HeaderMap, Bytes)>,
    http: reqwest::Client,
}

async fn setup(limits: Limits) -> Setup {
    let dev = DevServer::builder().port(0).fast_retries().limits(limits).start().await.unwrap();
    let (seen, deliveries) = mpsc::unbounded_channel();
    let failing = || async { (StatusCode::INTERNAL_SERVER_ERROR, [("x-reason", "down")], "broken") };
    let app = Router::new().route("/hook", post(record)).route("/fail", post(failing)).with_state(seen);
    let base = common::serve(app).await;
    Setup { dev, hook: format!("{base}/hook"), deliveries, http: reqwest::Client::new() }
}

impl Setup {
    /// `method path` with `headers` and `body`: the status and the JSON answer (`null` when
    /// the body is empty).
    async fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.dev.url()))
            .bearer_auth(self.dev.token())
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text:?}"))
        };
        (status, value)
    }
}

fn error_of(answer: &(u16, Value)) -> &str {
    answer.1["error"].as_str().unwrap_or_else(|| panic!("no {{\"error\"}} in {answer:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_an_endpoint_does_not_take_is_a_405_with_an_error_body() {
    let s = setup(Limits::default()).await;
    let answer = s.call("PUT", "/v2/queues", &[], "").await;
    assert_eq!(answer.0, 405);
    assert!(error_of(&answer).contains("PUT"), "{answer:?}");
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_answers_deduplicated_false_and_true_as_documented() {
    let mut s = setup(Limits::default()).await;
    let path = format!("/v2/publish/{}", s.hook);
    let once = [("Upstash-Deduplication-Id", "order-1")];
    let first = s.call("POST", &path, &once, "a").await;
    assert_eq!((first.0, &first.1["deduplicated"]), (200, &json!(false)), "{first:?}");
    let second = s.call("POST", &path, &once, "a").await;
    assert_eq!((&second.1["deduplicated"], &second.1["messageId"]), (&json!(true), &first.1["messageId"]));
    next(&mut s.deliveries).await;
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_based_deduplication_compares_the_headers_too() {
    let mut s = setup(Limits::default()).await;
    let path = format!("/v2/publish/{}", s.hook);
    let by_content =
        |tenant| [("Upstash-Content-Based-Deduplication", "true"), ("Upstash-Forward-X-Tenant", tenant)];
    let acme = s.call("POST", &path, &by_content("acme"), "same").await;
    let again = s.call("POST", &path, &by_content("acme"), "same").await;
    let other = s.call("POST", &path, &by_content("other"), "same").await;
    assert_eq!(again.1["messageId"], acme.1["messageId"]);
    assert_ne!(other.1["messageId"], acme.1["messageId"], "another header is another message");
    assert_eq!(other.1["deduplicated"], json!(false));
    let tenants: Vec<String> = [next(&mut s.deliveries).await, next(&mut s.deliveries).await]
        .iter()
        .map(|(headers, _)| headers["x-tenant"].to_str().unwrap().to_owned())
        .collect();
    assert!(tenants.contains(&"acme".to_owned()) && tenants.contains(&"other".to_owned()), "{tenants:?}");
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn methods_qstash_does_not_deliver_with_and_invalid_queue_names_are_a_400() {
    let s = setup(Limits::default()).await;
    let head = s.call("POST", &format!("/v2/publish/{}", s.hook), &[("Upstash-Method", "HEAD")], "x").await;
    assert_eq!(head.0, 400);
    assert!(error_of(&head).contains("Upstash-Method"), "{head:?}");
    for name in ["has space", "slash%2Fin", "émoji"] {
        let enqueue = s.call("POST", &format!("/v2/enqueue/{name}/{}", s.hook), &[], "x").await;
        assert_eq!(enqueue.0, 400, "{name}: {enqueue:?}");
        assert!(error_of(&enqueue).contains("queue name"), "{enqueue:?}");
    }
    let upsert = s.call("POST", "/v2/queues", &[], r#"{"queueName": "a b", "parallelism": 1}"#).await;
    assert_eq!(upsert.0, 400, "{upsert:?}");
    let (_, queues) = s.call("GET", "/v2/queues", &[], "").await;
    assert_eq!(queues, json!([]), "no queue was made by a refused request");
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_one_bad_entry_delivers_none() {
    let mut s = setup(Limits::default()).await;
    let batch = json!([
        { "destination": s.hook, "body": "first" },
        { "destination": "no-such-group", "body": "second" },
    ]);
    let refused = s.call("POST", "/v2/batch", &[], &batch.to_string()).await;
    assert_eq!(refused.0, 404, "{refused:?}");
    assert!(error_of(&refused).contains("batch entry 1"), "{refused:?}");
    let bad_header = json!([
        { "destination": s.hook, "body": "first" },
        { "destination": s.hook, "headers": { "Upstash-Retries": "many" }, "body": "second" },
    ]);
    assert_eq!(s.call("POST", "/v2/batch", &[], &bad_header.to_string()).await.0, 400);
    // Nothing was accepted: the next delivery is this one, not "first".
    let good = json!([{ "destination": s.hook, "body": "third" }]);
    assert_eq!(s.call("POST", "/v2/batch", &[], &good.to_string()).await.0, 200);
    assert_eq!(next(&mut s.deliveries).await.1, Bytes::from("third"));
    let (_, logs) = s.call("GET", "/v2/logs", &[], "").await;
    let created = logs["logs"].as_array().unwrap().iter().filter(|e| e["state"] == "CREATED").count();
    assert_eq!(created, 1, "{logs}");
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_group_is_renamed_with_patch() {
    let s = setup(Limits::default()).await;
    let endpoints = json!({ "endpoints": [{ "url": s.hook, "name": "one" }] });
    assert_eq!(s.call("POST", "/v2/topics/old/endpoints", &[], &endpoints.to_string()).await.0, 200);
    assert_eq!(s.call("POST", "/v2/topics/taken/endpoints", &[], &endpoints.to_string()).await.0, 200);
    let renamed = s.call("PATCH", "/v2/topics/old", &[], r#"{"name": "new"}"#).await;
    assert_eq!((renamed.0, &renamed.1["name"]), (200, &json!("new")), "{renamed:?}");
    assert_eq!(renamed.1["endpoints"][0]["url"], json!(s.hook));
    assert_eq!(s.call("GET", "/v2/topics/old", &[], "").await.0, 404);
    assert_eq!(s.call("PATCH", "/v2/topics/new", &[], r#"{"name": "taken"}"#).await.0, 409);
    assert_eq!(s.call("PATCH", "/v2/topics/gone", &[], r#"{"name": "other"}"#).await.0, 404);
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_with_a_queue_name_enqueues_each_run() {
    let mut s = setup(Limits::default()).await;
    let headers = [("Upstash-Cron", "* * * * * *"), ("Upstash-Queue-Name", "nightly")];
    let created = s.call("POST", &format!("/v2/schedules/{}", s.hook), &headers, "tick").await;
    assert_eq!(created.0, 200, "{created:?}");
    let id = created.1["scheduleId"].as_str().unwrap().to_owned();
    let (_, schedule) = s.call("GET", &format!("/v2/schedules/{id}"), &[], "").await;
    assert_eq!(schedule["queueName"], json!("nightly"));
    next(&mut s.deliveries).await;
    let (status, queue) = s.call("GET", "/v2/queues/nightly", &[], "").await;
    assert_eq!((status, &queue["name"]), (200, &json!("nightly")), "the run went through the queue");
    let bad = [("Upstash-Cron", "* * * * *"), ("Upstash-Queue-Name", "no good")];
    assert_eq!(s.call("POST", &format!("/v2/schedules/{}", s.hook), &bad, "").await.0, 400);
    s.call("DELETE", &format!("/v2/schedules/{id}"), &[], "").await;
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_control_shows_its_period_start_in_seconds_and_refuses_bad_pins() {
    let mut s = setup(Limits::default()).await;
    let flow = [("Upstash-Flow-Control-Key", "tenant"), ("Upstash-Flow-Control-Value", "rate=5, period=1m")];
    s.call("POST", &format!("/v2/publish/{}", s.hook), &flow, "x").await;
    next(&mut s.deliveries).await;
    let (_, key) = s.call("GET", "/v2/flowControl/tenant", &[], "").await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let start = key["ratePeriodStart"].as_u64().unwrap();
    assert!(now.abs_diff(start) < 120, "ratePeriodStart {start} is not Unix seconds near {now}");
    for query in ["parallelism=-1", "parallelism=abc", "rate=0", "period=99999999999", "", "period=10"] {
        let pin = s.call("POST", &format!("/v2/flowControl/tenant/pin?{query}"), &[], "").await;
        assert_eq!(pin.0, 400, "pin?{query}: {pin:?}");
    }
    assert_eq!(s.call("POST", "/v2/flowControl/tenant/unpin?rate=yes", &[], "").await.0, 400);
    assert_eq!(s.call("POST", "/v2/flowControl/tenant/pin?rate=2&period=30", &[], "").await.0, 200);
    let (_, key) = s.call("GET", "/v2/flowControl/tenant", &[], "").await;
    assert_eq!(
        (&key["rateMax"], &key["ratePeriod"], &key["isPinnedRate"]),
        (&json!(2), &json!(30), &json!(true))
    );
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_bounds_a_publish_is_a_429_naming_the_bound() {
    let s = setup(Limits::default().messages(2).stored_bytes(1000).message_size(600)).await;
    let later = format!("/v2/publish/{}", s.hook);
    let delayed = [("Upstash-Delay", "1h")];
    assert_eq!(s.call("POST", &later, &delayed, "one").await.0, 200);
    assert_eq!(s.call("POST", &later, &delayed, "two").await.0, 200);
    let third = s.call("POST", &later, &delayed, "three").await;
    assert_eq!(third.0, 429, "{third:?}");
    assert!(error_of(&third).contains("2 messages"), "{third:?}");
    let (_, waiting) = s.call("GET", "/v2/logs", &[], "").await;
    let ids: Vec<&Value> = waiting["logs"].as_array().unwrap().iter().map(|e| &e["messageId"]).collect();
    for id in ids {
        s.call("DELETE", &format!("/v2/messages/{}", id.as_str().unwrap()), &[], "").await;
    }
    let big = "x".repeat(550);
    assert_eq!(s.call("POST", &later, &delayed, &big).await.0, 200);
    let over = s.call("POST", &later, &delayed, &big).await;
    assert_eq!(over.0, 429, "{over:?}");
    assert!(error_of(&over).contains("1000 bytes"), "{over:?}");
    let too_large = s.call("POST", &later, &delayed, &"y".repeat(700)).await;
    assert_eq!(too_large.0, 413);
    error_of(&too_large);
    s.dev.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dlq_keeps_its_newest_entries_within_its_bound() {
    let s = setup(Limits::default().dead_letters(2)).await;
    // Port 9 (discard) on loopback is closed: every attempt fails at once.
    let closed = "/v2/publish/http://127.0.0.1:9/closed";
    for (sent, body) in ["one", "two", "three"].into_iter().enumerate() {
        assert_eq!(s.call("POST", closed, &[("Upstash-Retries", "0")], body).await.0, 200);
        // One at a time, so the DLQ's order is the publish order.
        let bodies = dlq_bodies_once(&s, (sent + 1).min(2), body).await;
        assert!(bodies.len() <= 2, "{bodies:?}");
    }
    assert_eq!(dlq_bodies_once(&s, 2, "three").await, ["two", "three"]);
    s.dev.shutdown().await;
}

/// The DLQ's bodies, in the order it lists them (oldest first), once it holds `count` entries with `last` among them;
/// fails the test after 10 s.
async fn dlq_bodies_once(s: &Setup, count: usize, last: &str) -> Vec<String> {
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let (_, dlq) = s.call("GET", "/v2/dlq", &[], "").await;
            let bodies: Vec<String> = dlq["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["body"].as_str().unwrap().to_owned())
                .collect();
            if bodies.len() == count && bodies.iter().any(|b| b == last) {
                return bodies;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the DLQ never held the message")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_logs_the_dlq_and_schedules_show_the_documented_fields() {
    let s = setup(Limits::default()).await;
    let headers = [
        ("Upstash-Retries", "0"),
        ("Upstash-Timeout", "5s"),
        ("Upstash-Retry-Delay", "1000"),
        ("Upstash-Label", "billing"),
        ("Upstash-Forward-X-Tenant", "acme"),
        ("Upstash-Callback", "http://127.0.0.1:9/cb"),
        ("Upstash-Callback-Forward-X-Cb", "1"),
        ("Upstash-Failure-Callback", "http://127.0.0.1:9/fail"),
    ];
    let failing = s.hook.replace("/hook", "/fail");
    let sent = s.call("POST", &format!("/v2/publish/{failing}"), &headers, "payload").await;
    let id = sent.1["messageId"].as_str().unwrap().to_owned();
    let dead = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let (_, dlq) = s.call("GET", "/v2/dlq", &[], "").await;
            if let Some(dead) =
                dlq["messages"].as_array().unwrap().iter().find(|m| m["messageId"] == id.as_str())
            {
                return dead.clone();
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the message in the DLQ");
    assert_eq!(dead["callerIP"], "127.0.0.1", "{dead}");
    assert_eq!((&dead["label"], &dead["maxRetries"]), (&json!("billing"), &json!(0)));
    assert_eq!(
        (&dead["responseStatus"], &dead["responseHeader"]["x-reason"]),
        (&json!(500), &json!(["down"])),
        "{dead}"
    );

    let (_, logs) = s.call("GET", &format!("/v2/logs?messageId={id}"), &[], "").await;
    let created = logs["logs"].as_array().unwrap().iter().find(|e| e["state"] == "CREATED").unwrap().clone();
    assert_eq!(created["body"], "cGF5bG9hZA==", "the body, base64: {created}"); // "payload"
    assert_eq!(
        (&created["method"], &created["maxRetries"], &created["timeout"]),
        (&json!("POST"), &json!(0), &json!(5000))
    );
    assert_eq!(created["header"]["x-tenant"], json!(["acme"]));
    assert_eq!(
        (&created["callback"], &created["callbackHeaders"]["x-cb"]),
        (&json!("http://127.0.0.1:9/cb"), &json!(["1"]))
    );
    assert_eq!(
        (&created["failureCallback"], &created["retryDelayExpression"]),
        (&json!("http://127.0.0.1:9/fail"), &json!("1000"))
    );

    let schedule = [
        ("Upstash-Cron", "0 0 1 1 *"),
        ("Upstash-Label", "nightly"),
        ("Upstash-Flow-Control-Key", "tenant"),
        ("Upstash-Flow-Control-Value", "parallelism=2, rate=5, period=60"),
    ];
    let created = s.call("POST", &format!("/v2/schedules/{}", s.hook), &schedule, "").await;
    let (_, schedule) =
        s.call("GET", &format!("/v2/schedules/{}", created.1["scheduleId"].as_str().unwrap()), &[], "").await;
    assert_eq!(
        (&schedule["callerIp"], &schedule["label"]),
        (&json!("127.0.0.1"), &json!("nightly")),
        "{schedule}"
    );
    assert_eq!(
        (&schedule["flowControlKey"], &schedule["parallelism"], &schedule["rate"], &schedule["period"]),
        (&json!("tenant"), &json!(2), &json!(5), &json!(60))
    );
    s.dev.shutdown().await;
}
