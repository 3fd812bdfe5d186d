//! Every REST endpoint beyond publishing, against a local HTTP server: the exact method, path,
//! query, headers and body each call sends, and the typed parse of an answer shaped like the
//! example of the QStash API reference.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::time::{Duration, UNIX_EPOCH};

use futures_util::StreamExt;
use qstash_client::{
    BulkActionState, Callback, Client, ClientError, Endpoint, FlowControl, MessageFilter, MessageState, Pin,
    PublishOptions, RetryPolicy, ScheduleOptions, Unpin,
};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::new("test-token").base_url(&server.uri()).retry(RetryPolicy::none())
}

/// A mock for `verb path` that must be called exactly once with the token.
fn expect(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb)).and(path(route)).and(header("authorization", "Bearer test-token"))
}

/// Mounts `mock`, answering with `answer`, to be called exactly once.
async fn once(server: &MockServer, mock: wiremock::MockBuilder, answer: ResponseTemplate) {
    mock.respond_with(answer).expect(1).mount(server).await;
}

/// `verb route` answers 200 with `body` as JSON, exactly once.
async fn reply(server: &MockServer, verb: &str, route: &str, body: impl serde::Serialize) {
    once(server, expect(verb, route), ResponseTemplate::new(200).set_body_json(body)).await;
}

/// The query of the only request the server received, as ordered pairs.
async fn query_of(server: &MockServer) -> Vec<(String, String)> {
    let requests: Vec<Request> = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests[0].url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

const MESSAGE: &str = r#"{
  "messageId": "msg_26hZCxZCuWyyTWPmSVBrNB882AMRP1TsgzpygELRcLWep",
  "topicName": "my-topic",
  "url": "https://my-api.example.com/hook",
  "method": "POST",
  "header": { "My-Header": ["my-value"] },
  "body": "{\"hello\":\"world\"}",
  "maxRetries": 3,
  "notBefore": 1692537600000,
  "createdAt": 1692537595000,
  "callback": "https://my-callback.example.com",
  "failureCallback": "https://my-failure.example.com",
  "queueName": "my-queue",
  "callerIP": "178.247.74.179",
  "flowControlKey": "tenant-1",
  "label": "billing"
}"#;

#[tokio::test]
async fn messages_get_parses_the_reference_example() {
    let server = MockServer::start().await;
    once(
        &server,
        expect("GET", "/v2/messages/msg_123"),
        ResponseTemplate::new(200).set_body_raw(MESSAGE, "application/json"),
    )
    .await;
    let message = client(&server).messages().get("msg_123").await.unwrap();
    assert_eq!(message.message_id, "msg_26hZCxZCuWyyTWPmSVBrNB882AMRP1TsgzpygELRcLWep");
    assert_eq!(message.url_group.as_deref(), Some("my-topic"));
    assert_eq!(message.header["My-Header"], ["my-value"]);
    assert_eq!((message.max_retries, message.created_at), (Some(3), Some(1_692_537_595_000)));
    assert_eq!(message.caller_ip.as_deref(), Some("178.247.74.179"));
    assert_eq!(message.queue_name.as_deref(), Some("my-queue"));
}

#[tokio::test]
async fn messages_cancel_one_many_and_all() {
    let server = MockServer::start().await;
    once(&server, expect("DELETE", "/v2/messages/msg_1"), ResponseTemplate::new(202)).await;
    let c = client(&server);
    c.messages().cancel("msg_1").await.unwrap();
    server.reset().await;

    reply(&server, "DELETE", "/v2/messages", json!({ "cancelled": 2 })).await;
    assert_eq!(c.messages().cancel_many(&["msg_1", "msg_2"]).await.unwrap(), 2);
    assert_eq!(query_of(&server).await, pairs(&[("messageIds", "msg_1"), ("messageIds", "msg_2")]));
    assert_eq!(c.messages().cancel_many(&[]).await.unwrap(), 0);
    server.reset().await;

    // "Cancel all" is one request without any filter (the reference: `count` is deprecated and
    // ignored, and repeating while the bulk action runs would return the same action).
    once(
        &server,
        expect("DELETE", "/v2/messages"),
        ResponseTemplate::new(202).set_body_json(json!({ "cancelled": 250 })),
    )
    .await;
    assert_eq!(c.messages().cancel_all().await.unwrap(), 250);
    let requests = server.received_requests().await.unwrap();
    assert_eq!((requests.len(), requests[0].url.query()), (1, None));
    assert!(matches!(c.messages().cancel("").await, Err(ClientError::Config(_))));
}

#[tokio::test]
async fn schedules_create_sends_the_cron_and_every_message_option_as_headers() {
    let server = MockServer::start().await;
    once(
        &server,
        expect("POST", "/v2/schedules/https://my-api.example.com/cron")
            .and(header("upstash-cron", "*/5 * * * *"))
            .and(header("upstash-schedule-id", "nightly"))
            .and(header("upstash-queue-name", "reports"))
            .and(header("upstash-method", "PUT"))
            .and(header("upstash-retries", "2"))
            .and(header("upstash-delay", "60s"))
            .and(header("upstash-timeout", "20s"))
            .and(header("upstash-retry-delay", "1000"))
            .and(header("upstash-callback", "https://cb.example/ok"))
            .and(header("upstash-callback-retries", "1"))
            .and(header("upstash-failure-callback", "https://cb.example/fail"))
            .and(header("upstash-flow-control-key", "tenant-1"))
            .and(header("upstash-flow-control-value", "parallelism=2"))
            .and(header("upstash-label", "nightly"))
            .and(header("upstash-forward-x-tenant", "acme"))
            .and(header("content-type", "application/json"))
            .and(body_string(r#"{"report":"daily"}"#)),
        ResponseTemplate::new(200).set_body_json(json!({ "scheduleId": "scd_1234" })),
    )
    .await;
    let options = ScheduleOptions {
        schedule_id: Some("nightly".into()),
        queue: Some("reports".into()),
        method: Some("PUT".into()),
        headers: vec![("X-Tenant".into(), "acme".into())],
        delay: Some(Duration::from_secs(60)),
        retries: Some(2),
        retry_delay: Some("1000".into()),
        callback: Some(Callback { retries: Some(1), ..Callback::new("https://cb.example/ok") }),
        failure_callback: Some(Callback::new("https://cb.example/fail")),
        timeout: Some(Duration::from_secs(20)),
        flow_control: Some(FlowControl {
            key: "tenant-1".into(),
            parallelism: Some(2),
            ..Default::default()
        }),
        labels: vec!["nightly".into()],
        ..ScheduleOptions::new("*/5 * * * *")
    };
    let id = client(&server)
        .schedules()
        .create("https://my-api.example.com/cron", r#"{"report":"daily"}"#, &options)
        .await
        .unwrap();
    assert_eq!(id, "scd_1234");
    assert!(matches!(
        client(&server).schedules().create("https://x", "", &ScheduleOptions::default()).await,
        Err(ClientError::Config(_))
    ));
}

const SCHEDULE: &str = r#"{
  "scheduleId": "scd_1234",
  "cron": "*/5 * * * *",
  "createdAt": 1754565618803,
  "destination": "https://my-api.example.com/cron",
  "method": "POST",
  "header": { "Content-Type": ["application/json"] },
  "body": "{\"report\":\"daily\"}",
  "retries": 3,
  "delay": 25,
  "callback": "https://cb.example/ok",
  "isPaused": false,
  "lastScheduleTime": 1754565900000,
  "nextScheduleTime": 1754566200000,
  "lastScheduleStates": { "msg_1": "SUCCESS" },
  "callerIP": "127.0.0.1"
}"#;

#[tokio::test]
async fn schedules_get_list_pause_resume_delete() {
    let server = MockServer::start().await;
    once(
        &server,
        expect("GET", "/v2/schedules/scd_1234"),
        ResponseTemplate::new(200).set_body_raw(SCHEDULE, "application/json"),
    )
    .await;
    once(
        &server,
        expect("GET", "/v2/schedules"),
        ResponseTemplate::new(200).set_body_raw(format!("[{SCHEDULE}]"), "application/json"),
    )
    .await;
    for (verb, route) in [
        ("POST", "/v2/schedules/scd_1234/pause"),
        ("POST", "/v2/schedules/scd_1234/resume"),
        ("DELETE", "/v2/schedules/scd_1234"),
    ] {
        expect(verb, route).respond_with(ResponseTemplate::new(200)).expect(1).mount(&server).await;
    }
    let schedules = client(&server);
    let schedules = schedules.schedules();
    let schedule = schedules.get("scd_1234").await.unwrap();
    assert_eq!(
        (schedule.cron.as_str(), schedule.retries, schedule.delay),
        ("*/5 * * * *", Some(3), Some(25))
    );
    assert_eq!(schedule.last_schedule_states["msg_1"], "SUCCESS");
    assert_eq!(schedule.next_schedule_time, Some(1_754_566_200_000));
    assert_eq!(schedules.list().await.unwrap(), vec![schedule]);
    schedules.pause("scd_1234").await.unwrap();
    schedules.resume("scd_1234").await.unwrap();
    schedules.delete("scd_1234").await.unwrap();
}

#[tokio::test]
async fn queues_upsert_get_list_pause_resume_delete() {
    let server = MockServer::start().await;
    once(
        &server,
        expect("POST", "/v2/queues")
            .and(header("content-type", "application/json"))
            .and(body_json(json!({ "queueName": "orders", "parallelism": 4, "paused": false }))),
        ResponseTemplate::new(200),
    )
    .await;
    let queue = json!({ "createdAt": 1754565618803u64, "updatedAt": 1754565619000u64, "name": "orders", "parallelism": 4, "lag": 12, "paused": false });
    reply(&server, "GET", "/v2/queues/orders", &queue).await;
    reply(&server, "GET", "/v2/queues", json!([queue])).await;
    for (verb, route) in [
        ("POST", "/v2/queues/orders/pause"),
        ("POST", "/v2/queues/orders/resume"),
        ("DELETE", "/v2/queues/orders"),
    ] {
        expect(verb, route).respond_with(ResponseTemplate::new(200)).expect(1).mount(&server).await;
    }
    let c = client(&server);
    c.queues().upsert("orders", 4, false).await.unwrap();
    let got = c.queues().get("orders").await.unwrap();
    assert_eq!((got.name.as_str(), got.parallelism, got.lag, got.paused), ("orders", 4, 12, false));
    assert_eq!(c.queues().list().await.unwrap(), vec![got]);
    c.queues().pause("orders").await.unwrap();
    c.queues().resume("orders").await.unwrap();
    c.queues().delete("orders").await.unwrap();
}

#[tokio::test]
async fn url_groups_add_remove_get_list_delete() {
    let server = MockServer::start().await;
    once(&server, expect("POST", "/v2/topics/fanout/endpoints")
        .and(header("content-type", "application/json"))
        .and(body_json(json!({ "endpoints": [{ "name": "a", "url": "https://a.example/hook" }, { "url": "https://b.example/hook" }] }))), ResponseTemplate::new(200)).await;
    once(
        &server,
        expect("DELETE", "/v2/topics/fanout/endpoints")
            .and(body_json(json!({ "endpoints": [{ "name": "a" }] }))),
        ResponseTemplate::new(200),
    )
    .await;
    let group = json!({ "createdAt": 1623345678001u64, "updatedAt": 1623345678001u64, "name": "fanout",
        "endpoints": [{ "name": "b", "url": "https://b.example/hook" }] });
    reply(&server, "GET", "/v2/topics/fanout", &group).await;
    reply(&server, "GET", "/v2/topics", json!([group])).await;
    once(&server, expect("DELETE", "/v2/topics/fanout"), ResponseTemplate::new(200)).await;
    let c = client(&server);
    let groups = c.url_groups();
    groups
        .upsert_endpoints(
            "fanout",
            &[Endpoint::url("https://a.example/hook").named("a"), Endpoint::url("https://b.example/hook")],
        )
        .await
        .unwrap();
    groups.remove_endpoints("fanout", &[Endpoint { name: Some("a".into()), url: None }]).await.unwrap();
    let got = groups.get("fanout").await.unwrap();
    assert_eq!(got.endpoints, [Endpoint::url("https://b.example/hook").named("b")]);
    assert_eq!(groups.list().await.unwrap(), vec![got]);
    groups.delete("fanout").await.unwrap();
    assert!(matches!(
        groups.upsert_endpoints("fanout", &[Endpoint::default()]).await,
        Err(ClientError::Config(_))
    ));
}

fn dlq_message(id: &str) -> serde_json::Value {
    let mut message: serde_json::Value = serde_json::from_str(MESSAGE).unwrap();
    message["dlqId"] = json!(id);
    message["responseStatus"] = json!(500);
    message["responseHeader"] = json!({ "Content-Type": ["text/plain"] });
    message["responseBody"] = json!("internal error");
    message
}

#[tokio::test]
async fn dlq_list_sends_filters_and_cursor_and_list_all_follows_the_cursor() {
    let server = MockServer::start().await;
    once(
        &server,
        expect("GET", "/v2/dlq").and(query_param_is_missing("cursor")),
        ResponseTemplate::new(200)
            .set_body_json(json!({ "messages": [dlq_message("d1"), dlq_message("d2")], "cursor": "c2" })),
    )
    .await;
    expect("GET", "/v2/dlq")
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "messages": [dlq_message("d3")] })))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let filter = MessageFilter {
        url: vec!["https://my-api.example.com/hook".into()],
        url_group: vec!["my-topic".into()],
        response_status: vec![500, 502],
        from_date: Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_000)),
        label: vec!["billing".into(), "urgent".into()],
        ..Default::default()
    };
    let all: Vec<_> = c.dlq().list_all(filter.clone()).collect().await;
    let ids: Vec<String> = all.into_iter().map(|m| m.unwrap().dlq_id).collect();
    assert_eq!(ids, ["d1", "d2", "d3"]);
    let requests = server.received_requests().await.unwrap();
    let first: Vec<(String, String)> =
        requests[0].url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(
        first,
        pairs(&[
            ("url", "https://my-api.example.com/hook"),
            ("topicName", "my-topic"),
            ("responseStatus", "500"),
            ("responseStatus", "502"),
            ("label", "billing"),
            ("label", "urgent"),
            ("fromDate", "1700000000000"),
        ])
    );
    let page = c.dlq().list(&filter, Some("c2"), Some(10)).await.unwrap();
    assert_eq!((page.messages.len(), page.cursor), (1, None));
    let one = &page.messages[0];
    assert_eq!((one.response_status, one.message.url_group.as_deref()), (Some(500), Some("my-topic")));
}

#[tokio::test]
async fn dlq_get_delete_delete_many_and_retry() {
    let server = MockServer::start().await;
    reply(&server, "GET", "/v2/dlq/d1", dlq_message("d1")).await;
    expect("DELETE", "/v2/dlq/d1").respond_with(ResponseTemplate::new(200)).expect(1).mount(&server).await;
    once(
        &server,
        expect("DELETE", "/v2/dlq").and(query_param("dlqIds", "d2")),
        ResponseTemplate::new(200).set_body_json(json!({ "deleted": 2 })),
    )
    .await;
    once(
        &server,
        expect("POST", "/v2/dlq/retry").and(query_param("dlqIds", "d3")),
        ResponseTemplate::new(200).set_body_json(json!({ "responses": [{ "messageId": "msg_new" }] })),
    )
    .await;
    let c = client(&server);
    let dlq = c.dlq();
    assert_eq!(dlq.get("d1").await.unwrap().response_body.as_deref(), Some("internal error"));
    dlq.delete("d1").await.unwrap();
    assert_eq!(dlq.delete_many(&["d2", "d4"]).await.unwrap(), 2);
    let retried = dlq.retry(&["d3"]).await.unwrap();
    assert_eq!(retried[0].message_id, "msg_new");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[2].url.query(), Some("dlqIds=d2&dlqIds=d4"));
}

#[tokio::test]
async fn logs_list_sends_every_filter_and_list_all_pages() {
    let server = MockServer::start().await;
    let event = |id: &str, state: &str| {
        json!({ "time": 1692537600000u64, "state": state, "messageId": id, "url": "https://my-api.example.com/hook",
                "topicName": "my-topic", "header": { "Content-Type": ["application/json"] }, "body": "e30=" })
    };
    once(
        &server,
        expect("GET", "/v2/logs").and(query_param_is_missing("cursor")),
        ResponseTemplate::new(200)
            .set_body_json(json!({ "cursor": 1692537600001u64, "logs": [event("m1", "DELIVERED")] })),
    )
    .await;
    once(
        &server,
        expect("GET", "/v2/logs").and(query_param("cursor", "1692537600001")),
        // A page in the older `/v2/events` shape reads the same.
        ResponseTemplate::new(200)
            .set_body_json(json!({ "cursor": "", "events": [event("m2", "SOMETHING_NEW")] })),
    )
    .await;
    let filter = MessageFilter {
        state: Some(MessageState::Delivered),
        message_id: Some("m1".into()),
        url: vec!["https://my-api.example.com/hook".into()],
        label: vec!["billing".into()],
        from_date: Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        to_date: Some(UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
        ..Default::default()
    };
    let c = client(&server);
    let events: Vec<_> = c.logs().list_all(filter).map(|e| e.unwrap()).collect().await;
    assert_eq!(events.len(), 2);
    assert_eq!((events[0].state, events[1].state), (MessageState::Delivered, MessageState::Unknown));
    assert_eq!(events[0].url_group.as_deref(), Some("my-topic"));
    let requests = server.received_requests().await.unwrap();
    let first: Vec<(String, String)> =
        requests[0].url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(
        first,
        pairs(&[
            ("state", "DELIVERED"),
            ("messageId", "m1"),
            ("url", "https://my-api.example.com/hook"),
            ("label", "billing"),
            ("fromDate", "1700000000000"),
            ("toDate", "1800000000000"),
        ])
    );
    assert_eq!(MessageState::parse("in-progress"), Some(MessageState::InProgress));
}

#[tokio::test]
async fn flow_control_list_get_pin_unpin_reset_pause_resume_and_global_parallelism() {
    let server = MockServer::start().await;
    let info = json!({ "flowControlKey": "tenant-1", "waitListSize": 3, "parallelismMax": 5, "parallelismCount": 2,
        "rateMax": 100, "rateCount": 40, "ratePeriod": 60, "ratePeriodStart": 1754565600000u64,
        "isPaused": false, "isPinnedParallelism": true, "isPinnedRate": false });
    once(
        &server,
        expect("GET", "/v2/flowControl").and(query_param("search", "tenant")),
        ResponseTemplate::new(200).set_body_json(json!([info])),
    )
    .await;
    reply(&server, "GET", "/v2/flowControl/tenant-1", &info).await;
    reply(&server, "GET", "/v2/globalParallelism", json!({ "parallelismMax": 100, "parallelismCount": 7 }))
        .await;
    once(&server, expect("POST", "/v2/flowControl/tenant-1/pin"), ResponseTemplate::new(200)).await;
    once(&server, expect("POST", "/v2/flowControl/tenant-1/unpin"), ResponseTemplate::new(200)).await;
    for route in [
        "/v2/flowControl/tenant-1/resetRate",
        "/v2/flowControl/tenant-1/pause",
        "/v2/flowControl/tenant-1/resume",
    ] {
        expect("POST", route).respond_with(ResponseTemplate::new(200)).expect(1).mount(&server).await;
    }
    let c = client(&server);
    let fc = c.flow_control();
    let listed = fc.list(Some("tenant")).await.unwrap();
    assert_eq!((listed[0].wait_list_size, listed[0].is_pinned_parallelism), (3, true));
    assert_eq!(fc.get("tenant-1").await.unwrap(), listed[0]);
    assert_eq!(fc.global_parallelism().await.unwrap().parallelism_count, 7);
    fc.pin("tenant-1", Pin { parallelism: Some(2), rate: Some(10), period: Some(60) }).await.unwrap();
    fc.unpin("tenant-1", Unpin { parallelism: true, rate: false }).await.unwrap();
    fc.reset_rate("tenant-1").await.unwrap();
    fc.pause("tenant-1").await.unwrap();
    fc.resume("tenant-1").await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[3].url.query(), Some("parallelism=2&rate=10&period=60"));
    assert_eq!(requests[4].url.query(), Some("parallelism=true"));
    assert!(matches!(fc.pin("tenant-1", Pin::default()).await, Err(ClientError::Config(_))));
}

#[tokio::test]
async fn names_with_slashes_stay_one_path_segment() {
    let server = MockServer::start().await;
    once(&server, expect("DELETE", "/v2/queues/a%2Fb"), ResponseTemplate::new(200)).await;
    client(&server).queues().delete("a/b").await.unwrap();
}

#[tokio::test]
async fn a_publish_to_a_url_group_in_the_reference_object_shape_is_read_too() {
    let server = MockServer::start().await;
    reply(&server, "POST", "/v2/publish/fanout", json!({ "messages": [
            { "messageId": "m1", "url": "https://a.example" }, { "messageId": "m2", "url": "https://b.example", "deduplicated": true }
        ] })).await;
    let sent = client(&server)
        .publish(qstash_client::Destination::UrlGroup("fanout".into()), "x", &Default::default())
        .await
        .unwrap();
    assert_eq!(sent.iter().map(|m| m.message_id.as_str()).collect::<Vec<_>>(), ["m1", "m2"]);
    assert_eq!(sent[1].deduplicated, Some(true));
}

#[tokio::test]
async fn one_dlq_message_is_retried_with_its_configuration_overridden() {
    let server = MockServer::start().await;
    once(
        &server,
        expect("POST", "/v2/dlq/retry/dlq_1")
            .and(header("upstash-retries", "0"))
            .and(header("upstash-delay", "10s")),
        // The API reference's example answer.
        ResponseTemplate::new(201).set_body_json(json!({ "messageId": "msg_new", "deduplicated": false })),
    )
    .await;
    let options =
        PublishOptions { retries: Some(0), delay: Some(Duration::from_secs(10)), ..Default::default() };
    let retried = client(&server).dlq().retry_one("dlq_1", &options).await.unwrap();
    assert_eq!((retried.message_id.as_str(), retried.deduplicated), ("msg_new", Some(false)));
    let sent = &server.received_requests().await.unwrap()[0];
    // No method was given: the original message's stays.
    assert!(sent.headers.get("upstash-method").is_none(), "{:?}", sent.headers);
}

#[tokio::test]
async fn a_message_reads_every_field_of_the_api_reference() {
    let server = MockServer::start().await;
    once(
        &server,
        expect("GET", "/v2/messages/msg_1"),
        ResponseTemplate::new(200).set_body_json(json!({
            "messageId": "msg_1", "url": "https://h.example/a", "topicName": "t", "endpointName": "e",
            "method": "POST", "header": { "Content-Type": ["application/json"] }, "body": "{}",
            "maxRetries": 3, "notBefore": 1700000000000u64, "createdAt": 1700000000000u64,
            "callback": "https://h.example/cb", "failureCallback": "https://h.example/f",
            "queueName": "q", "scheduleId": "s", "callerIP": "203.0.113.7", "label": "billing",
            "flowControlKey": "tenant-1", "rate": 10, "period": 60, "parallelism": 2
        })),
    )
    .await;
    let message = client(&server).messages().get("msg_1").await.unwrap();
    assert_eq!(message.caller_ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(
        (message.label.as_deref(), message.flow_control_key.as_deref()),
        (Some("billing"), Some("tenant-1"))
    );
    assert_eq!((message.rate, message.period, message.parallelism), (Some(10), Some(60), Some(2)));
}

#[tokio::test]
async fn a_filter_an_endpoint_does_not_document_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let c = client(&server);
    let by_ip = MessageFilter { caller_ip: vec!["203.0.113.7".into()], ..Default::default() };
    let two_urls = MessageFilter {
        url: vec!["https://a.example".into(), "https://b.example".into()],
        ..Default::default()
    };
    let by_status = MessageFilter { response_status: vec![500], ..Default::default() };
    let by_message = MessageFilter { message_id: Some("m1".into()), ..Default::default() };
    let refused = [
        c.logs().list(&by_ip, None, None).await.unwrap_err(),
        c.logs().list(&two_urls, None, None).await.unwrap_err(),
        c.messages().cancel_matching(&by_status, true).await.unwrap_err(),
        c.messages().cancel_matching(&by_message, true).await.unwrap_err(),
        c.messages().cancel_matching(&MessageFilter::default(), true).await.unwrap_err(),
        c.dlq().delete_matching(&MessageFilter::default()).await.unwrap_err(),
        c.dlq().retry_matching(&MessageFilter::default(), &PublishOptions::default()).await.unwrap_err(),
    ];
    let messages: Vec<String> = refused.iter().map(ToString::to_string).collect();
    assert!(refused.iter().all(|e| matches!(e, ClientError::Config(_))), "{messages:?}");
    assert!(messages[0].contains("GET /v2/logs takes no `callerIp` filter"), "{}", messages[0]);
    assert!(messages[1].contains("only one value of `url`"), "{}", messages[1]);
    assert!(messages[4].contains("cancel_all"), "{}", messages[4]);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn cancel_by_filter_dlq_delete_by_filter_and_bulk_actions_send_the_documented_queries() {
    let server = MockServer::start().await;
    once(
        &server,
        expect("DELETE", "/v2/messages"),
        ResponseTemplate::new(202).set_body_json(json!({ "cancelled": 4, "actionId": "bact_1" })),
    )
    .await;
    // The DLQ delete follows its cursor until the last page.
    once(
        &server,
        expect("DELETE", "/v2/dlq").and(query_param_is_missing("cursor")),
        ResponseTemplate::new(200).set_body_json(json!({ "deleted": 100, "cursor": "c2" })),
    )
    .await;
    once(
        &server,
        expect("DELETE", "/v2/dlq").and(query_param("cursor", "c2")),
        ResponseTemplate::new(200).set_body_json(json!({ "deleted": 3 })),
    )
    .await;
    reply(
        &server,
        "GET",
        "/v2/bulkActions/bact_1",
        json!({ "actionId": "bact_1", "kind": "cancel",
        "state": "IN_PROGRESS", "total": 4, "processed": 1, "createdAt": 1754565600000u64 }),
    )
    .await;
    let c = client(&server);
    let filter = MessageFilter {
        queue_name: vec!["emails".into()],
        label: vec!["a".into(), "b".into()],
        host: vec!["api.example.com".into()],
        ..Default::default()
    };
    let cancelled = c.messages().cancel_matching(&filter, false).await.unwrap();
    assert_eq!((cancelled.cancelled, cancelled.action_id.as_deref()), (4, Some("bact_1")));
    let dlq_filter = MessageFilter { queue_name: vec!["emails".into()], ..Default::default() };
    assert_eq!(c.dlq().delete_matching(&dlq_filter).await.unwrap(), 103);
    let action = c.bulk_actions().get("bact_1").await.unwrap();
    assert_eq!((action.state, action.processed, action.completed_at), (BulkActionState::InProgress, 1, None));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some("queueName=emails&label=a&label=b&host=api.example.com&async=true")
    );
    assert_eq!(requests[1].url.query(), Some("queueName=emails"));
    assert_eq!(requests[2].url.query(), Some("queueName=emails&cursor=c2"));
}
