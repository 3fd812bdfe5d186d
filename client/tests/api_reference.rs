//! Every operation of the QStash API reference, called through the client against a server that
//! answers each with the reference's example (`vectors/qstash_api_reference.json`): each request
//! must be one the reference documents (method, path, query parameters, headers, body fields),
//! every answer must parse with no documented field lost, and every operation must be called.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use futures_util::TryStreamExt;
use qstash_client::{
    BatchMessage, BulkActionState, Callback, Client, Destination, Endpoint, FlowControl, MessageFilter,
    MessageState, Pin, PublishOptions, Redact, RetryPolicy, ScheduleOptions, Unpin,
};
use serde::Deserialize;
use serde_json::Value;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[derive(Deserialize)]
struct Reference {
    operations: Vec<Operation>,
}

#[derive(Deserialize, Debug)]
struct Operation {
    name: String,
    method: String,
    path: String,
    query: Vec<String>,
    headers: Vec<String>,
    required_headers: Vec<String>,
    body: Value,
    #[serde(default)]
    body_items: serde_json::Map<String, Value>,
    status: u16,
    response: Value,
}

fn reference() -> Arc<Reference> {
    let text = include_str!("../../vectors/qstash_api_reference.json");
    Arc::new(serde_json::from_str(text).expect("the reference file parses"))
}

impl Reference {
    /// The operation a request is, if the reference has it. A `{destination}` at the end of a
    /// template takes the rest of the path (a URL has slashes); a URL-group destination has no
    /// scheme, which tells the two publish answers apart.
    fn operation(&self, request: &Request) -> Option<&Operation> {
        let path: Vec<&str> = request.url.path().trim_start_matches('/').split('/').collect();
        self.operations.iter().find(|op| {
            if op.method != request.method.as_str() {
                return false;
            }
            let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
            let rest = template.last() == Some(&"{destination}");
            let fits = if rest { path.len() >= template.len() } else { path.len() == template.len() };
            let literal = template.iter().zip(&path).all(|(t, p)| t.starts_with('{') || t == p);
            let to_group = rest && fits && !path[template.len() - 1..].join("/").contains(':');
            fits && literal && (!rest || to_group == op.name.ends_with("-to-url-group"))
        })
    }
}

/// Answers every request with its operation's example, or a 404 naming what is undocumented.
struct Examples(Arc<Reference>);

impl Respond for Examples {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match self.0.operation(request) {
            Some(op) if op.response.is_null() => ResponseTemplate::new(op.status),
            Some(op) => ResponseTemplate::new(op.status).set_body_json(&op.response),
            None => ResponseTemplate::new(404)
                .set_body_json(serde_json::json!({ "error": "not an operation of the reference" })),
        }
    }
}

/// `parsed`, written back as JSON, is the example: every field the reference lists was read.
fn holds_every_field(reference: &Reference, name: &str, parsed: &impl serde::Serialize) {
    let op = reference.operations.iter().find(|op| op.name == name).expect("a named operation");
    let written = serde_json::to_value(parsed).unwrap();
    assert_eq!(written, op.response, "{name}: the parse lost or changed a documented field");
}

/// Whether `name` is one of the documented header names (`Upstash-Forward-*` is a prefix).
fn documented(list: &[String], name: &str) -> bool {
    list.iter().any(|d| match d.strip_suffix('*') {
        Some(prefix) => name.len() > prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix),
        None => d.eq_ignore_ascii_case(name),
    })
}

/// What is wrong with `request` against `op`; empty when it is as documented.
fn faults(op: &Operation, request: &Request) -> Vec<String> {
    let mut faults = Vec::new();
    for (name, _) in request.url.query_pairs() {
        if !op.query.iter().any(|q| *q == name) {
            faults.push(format!("query parameter {name} is not documented"));
        }
    }
    for (name, _) in request.headers.iter() {
        let name = name.as_str();
        let ours = matches!(name, "authorization" | "host" | "content-length" | "accept" | "user-agent");
        if !ours && (name.starts_with("upstash-") || name == "content-type") && !documented(&op.headers, name)
        {
            // A JSON body's own Content-Type is the transport's, not a message header.
            if !(name == "content-type" && op.body.is_array()) {
                faults.push(format!("header {name} is not documented"));
            }
        }
    }
    for required in &op.required_headers {
        if !request.headers.contains_key(required.to_ascii_lowercase().as_str()) {
            faults.push(format!("required header {required} is missing"));
        }
    }
    if request.headers.get("authorization").map(|v| v.as_bytes()) != Some(b"Bearer test-token") {
        faults.push("no bearer token".into());
    }
    match &op.body {
        Value::Null if !request.body.is_empty() => faults.push("a body where the reference has none".into()),
        Value::Array(fields) => {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let objects: Vec<&serde_json::Map<String, Value>> = match &body {
                Value::Object(object) => vec![object],
                Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
                _ => Vec::new(),
            };
            if objects.is_empty() {
                faults.push(format!("the body is not the documented JSON: {body}"));
            }
            for object in objects {
                for (key, value) in object {
                    if !fields.iter().any(|f| f == key) {
                        faults.push(format!("body field {key} is not documented"));
                    }
                    let Some(Value::Array(inner)) = op.body_items.get(key) else { continue };
                    for item in value.as_array().into_iter().flatten().filter_map(Value::as_object) {
                        for field in item.keys().filter(|f| !inner.iter().any(|i| i == *f)) {
                            faults.push(format!("body field {key}[].{field} is not documented"));
                        }
                    }
                }
            }
        }
        _ => {}
    }
    faults
}

fn callback(url: &str) -> Callback {
    Callback {
        method: Some("PUT".into()),
        timeout: Some(Duration::from_secs(10)),
        retries: Some(2),
        retry_delay: Some("1000".into()),
        headers: vec![("My-Header".into(), "my-value".into())],
        ..Callback::new(url)
    }
}

/// Every option of a publish that the reference documents.
fn every_option() -> PublishOptions {
    PublishOptions {
        method: Some("PUT".into()),
        headers: vec![("My-Header".into(), "my-value".into())],
        delay: Some(Duration::from_secs(50)),
        retries: Some(3),
        retry_delay: Some("pow(2, retried) * 1000".into()),
        callback: Some(callback("https://example.com/callback")),
        failure_callback: Some(callback("https://example.com/failure")),
        timeout: Some(Duration::from_secs(5)),
        deduplication_id: Some("dedup-1".into()),
        content_based_deduplication: true,
        flow_control: Some(FlowControl {
            key: "tenant-1".into(),
            parallelism: Some(2),
            rate: Some(10),
            period: Some(Duration::from_secs(60)),
        }),
        labels: vec!["label_1".into(), "label_2".into()],
        redact: Some(Redact { body: true, all_headers: false, headers: vec!["Authorization".into()] }),
        content_type: Some("application/json".into()),
        ..PublishOptions::default()
    }
}

/// The options an enqueue documents: a publish's without delays and flow control.
fn enqueue_options() -> PublishOptions {
    PublishOptions { delay: None, not_before: None, flow_control: None, ..every_option() }
}

fn dlq_filter() -> MessageFilter {
    MessageFilter {
        message_id: Some("msg_1".into()),
        url: vec!["https://example.com/a".into(), "https://example.com/b".into()],
        url_group: vec!["my-url-group".into()],
        schedule_id: vec!["scd_1".into()],
        queue_name: vec!["my-queue".into()],
        label: vec!["label_1".into(), "label_2".into()],
        from_date: Some(UNIX_EPOCH + Duration::from_millis(1_754_565_500_000)),
        to_date: Some(UNIX_EPOCH + Duration::from_millis(1_754_565_600_000)),
        caller_ip: vec!["203.0.113.7".into()],
        response_status: vec![500, 502],
        ..MessageFilter::default()
    }
}

#[tokio::test]
async fn every_operation_of_the_reference_is_called_as_documented_and_its_example_parses() {
    let reference = reference();
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(Examples(reference.clone())).mount(&server).await;
    let client = Client::new("test-token").base_url(&server.uri()).retry(RetryPolicy::none());
    let r = &*reference;

    // Messages.
    let published = client.publish("https://example.com/api", "hi", &every_option()).await.unwrap();
    assert_eq!(published[0].message_id, "msg_1");
    let to_group =
        client.publish(Destination::UrlGroup("my-url-group".into()), "hi", &every_option()).await.unwrap();
    assert_eq!(
        to_group.iter().map(|p| p.url.as_deref().unwrap()).collect::<Vec<_>>(),
        ["https://example.com/a", "https://example.com/b"]
    );
    let enqueued =
        client.enqueue("my-queue", "https://example.com/api", "hi", &enqueue_options()).await.unwrap();
    holds_every_field(r, "enqueue", &enqueued[0]);
    let batch = [
        BatchMessage {
            destination: "https://example.com/a".into(),
            body: "one".into(),
            options: every_option(),
            queue: None,
        },
        BatchMessage {
            destination: "https://example.com/b".into(),
            body: "two".into(),
            options: enqueue_options(),
            queue: Some("my-queue".into()),
        },
    ];
    holds_every_field(r, "batch", &client.batch(&batch).await.unwrap());
    let messages = client.messages();
    holds_every_field(r, "get-message", &messages.get("msg_1").await.unwrap());
    messages.cancel("msg_1").await.unwrap();
    assert_eq!(messages.cancel_many(&["msg_1", "msg_2"]).await.unwrap(), 12);
    let cancel_filter = MessageFilter {
        url: vec!["https://example.com/a".into()],
        url_group: vec!["my-url-group".into()],
        queue_name: vec!["my-queue".into()],
        schedule_id: vec!["scd_1".into()],
        label: vec!["label_1".into(), "label_2".into()],
        flow_control_key: vec!["tenant-1".into()],
        caller_ip: vec!["203.0.113.7".into()],
        host: vec!["example.com".into()],
        path: vec!["/a".into()],
        from_date: Some(UNIX_EPOCH),
        to_date: Some(UNIX_EPOCH + Duration::from_secs(1)),
        ..MessageFilter::default()
    };
    holds_every_field(r, "bulk-cancel", &messages.cancel_matching(&cancel_filter, false).await.unwrap());
    assert_eq!(messages.cancel_all().await.unwrap(), 12);

    // Bulk actions.
    let actions = client.bulk_actions();
    holds_every_field(
        r,
        "list-bulk-actions",
        &actions.list(Some(BulkActionState::Finished), Some("c"), Some(10)).await.unwrap(),
    );
    holds_every_field(r, "get-bulk-action", &actions.get("bact_1").await.unwrap());

    // Queues.
    let queues = client.queues();
    queues.upsert("my-queue", 2, false).await.unwrap();
    holds_every_field(r, "list-queues", &queues.list().await.unwrap());
    holds_every_field(r, "get-queue", &queues.get("my-queue").await.unwrap());
    queues.pause("my-queue").await.unwrap();
    queues.resume("my-queue").await.unwrap();
    queues.delete("my-queue").await.unwrap();

    // Schedules.
    let schedules = client.schedules();
    let options = ScheduleOptions {
        schedule_id: Some("scd_1".into()),
        method: Some("PUT".into()),
        headers: vec![("My-Header".into(), "my-value".into())],
        delay: Some(Duration::from_secs(30)),
        retries: Some(3),
        retry_delay: Some("1000".into()),
        callback: Some(callback("https://example.com/callback")),
        failure_callback: Some(callback("https://example.com/failure")),
        timeout: Some(Duration::from_secs(5)),
        labels: vec!["label_1".into()],
        redact: Some(Redact { body: false, all_headers: true, headers: Vec::new() }),
        content_type: Some("application/json".into()),
        ..ScheduleOptions::new("*/5 * * * *")
    };
    assert_eq!(schedules.create("https://example.com/api", "hi", &options).await.unwrap(), "scd_1");
    holds_every_field(r, "list-schedules", &schedules.list().await.unwrap());
    holds_every_field(r, "get-schedule", &schedules.get("scd_1").await.unwrap());
    schedules.pause("scd_1").await.unwrap();
    schedules.resume("scd_1").await.unwrap();
    schedules.delete("scd_1").await.unwrap();

    // URL groups.
    let groups = client.url_groups();
    let endpoints =
        [Endpoint::url("https://example.com/a").named("endpoint-1"), Endpoint::url("https://example.com/b")];
    groups.upsert_endpoints("my-url-group", &endpoints).await.unwrap();
    groups.remove_endpoints("my-url-group", &endpoints).await.unwrap();
    holds_every_field(r, "list-url-groups", &groups.list().await.unwrap());
    holds_every_field(r, "get-url-group", &groups.get("my-url-group").await.unwrap());
    groups.delete("my-url-group").await.unwrap();

    // DLQ.
    let dlq = client.dlq();
    holds_every_field(r, "list-dlq", &dlq.list(&dlq_filter(), Some("c"), Some(100)).await.unwrap());
    holds_every_field(r, "get-dlq-message", &dlq.get("1725323658779-0").await.unwrap());
    dlq.delete("1725323658779-0").await.unwrap();
    assert_eq!(dlq.delete_many(&["1", "2"]).await.unwrap(), 2);
    let bulk = MessageFilter { flow_control_key: vec!["tenant-1".into()], ..dlq_filter() };
    assert_eq!(dlq.delete_matching(&bulk).await.unwrap(), 2);
    let overrides = PublishOptions { retries: Some(0), ..PublishOptions::default() };
    holds_every_field(r, "retry-dlq-message", &dlq.retry_one("1725323658779-0", &overrides).await.unwrap());
    assert_eq!(dlq.retry(&["1", "2"]).await.unwrap()[0].message_id, "msg_3");
    holds_every_field(r, "bulk-retry-dlq", &dlq.retry_matching(&bulk, &enqueue_options()).await.unwrap());

    // Flow control.
    let fc = client.flow_control();
    holds_every_field(r, "list-flow-control-keys", &fc.list(Some("tenant")).await.unwrap());
    holds_every_field(r, "get-flow-control-key", &fc.get("tenant-1").await.unwrap());
    fc.pause("tenant-1").await.unwrap();
    fc.resume("tenant-1").await.unwrap();
    fc.pin("tenant-1", Pin { parallelism: Some(2), rate: Some(10), period: Some(60) }).await.unwrap();
    fc.unpin("tenant-1", Unpin { parallelism: true, rate: true }).await.unwrap();
    fc.reset_rate("tenant-1").await.unwrap();
    holds_every_field(r, "global-parallelism", &fc.global_parallelism().await.unwrap());

    // Signing keys.
    holds_every_field(r, "get-signing-keys", &client.signing_keys().await.unwrap());
    holds_every_field(r, "rotate-signing-keys", &client.rotate_signing_keys().await.unwrap());

    // Logs.
    let logs_filter = MessageFilter {
        message_id: Some("msg_1".into()),
        state: Some(MessageState::Error),
        url: vec!["https://example.com/api".into()],
        url_group: vec!["my-url-group".into()],
        schedule_id: vec!["scd_1".into()],
        queue_name: vec!["my-queue".into()],
        label: vec!["label_1".into(), "label_2".into()],
        from_date: Some(UNIX_EPOCH),
        to_date: Some(UNIX_EPOCH + Duration::from_secs(1)),
        ..MessageFilter::default()
    };
    holds_every_field(r, "list-logs", &client.logs().list(&logs_filter, Some("c"), Some(100)).await.unwrap());
    // The example's cursor never moves: the second page is the last one read.
    let all: Vec<_> = client.logs().list_all(MessageFilter::default()).try_collect().await.unwrap();
    assert_eq!(all.len(), 2);

    // Every request as documented, and every operation called.
    let requests = server.received_requests().await.unwrap();
    let mut called = BTreeSet::new();
    let mut problems = Vec::new();
    for request in &requests {
        match reference.operation(request) {
            Some(op) => {
                called.insert(op.name.as_str());
                problems.extend(faults(op, request).into_iter().map(|f| format!("{}: {f}", op.name)));
            }
            None => {
                problems.push(format!("{} {} is not in the reference", request.method, request.url.path()))
            }
        }
    }
    assert_eq!(problems, Vec::<String>::new());
    let missing: Vec<&str> =
        reference.operations.iter().map(|op| op.name.as_str()).filter(|n| !called.contains(n)).collect();
    assert_eq!(missing, Vec::<&str>::new(), "operations of the reference no call reached");
}
