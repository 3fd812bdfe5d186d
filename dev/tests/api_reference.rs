//! Every operation of the QStash API reference (`vectors/qstash_api_reference.json`, the docs'
//! openapi.yaml) is served by the dev server: none falls through to "no such endpoint" or a
//! 405, and each one that names no resource answers the documented status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod common;

use axum::Router;
use axum::routing::any;
use qstash_dev::DevServer;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Reference {
    operations: Vec<Operation>,
}

#[derive(Deserialize)]
struct Operation {
    name: String,
    method: String,
    path: String,
    status: u16,
}

/// A body the operation takes, for those that read one.
fn body_of(name: &str, hook: &str) -> String {
    match name {
        "batch" => format!(r#"[{{"destination": "{hook}", "body": "x"}}]"#),
        "upsert-queue" => r#"{"queueName": "q", "parallelism": 1}"#.to_owned(),
        "upsert-endpoints" | "remove-endpoints" => format!(r#"{{"endpoints": [{{"url": "{hook}"}}]}}"#),
        _ => String::new(),
    }
}

/// A query the operation needs to act at all (a bulk DLQ action names what it acts on).
fn query_of(name: &str) -> &'static str {
    match name {
        "bulk-delete-dlq" | "bulk-retry-dlq" => "?dlqIds=dlq_none",
        _ => "",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_the_api_reference_is_served() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/qstash_api_reference.json"))
            .unwrap();
    let reference: Reference = serde_json::from_str(&text).unwrap();
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let hook = format!("{}/hook", common::serve(Router::new().route("/hook", any(|| async { "ok" }))).await);
    let http = reqwest::Client::new();
    let mut served = 0;
    for operation in &reference.operations {
        let path = operation
            .path
            .replace("{destination}", &hook)
            .replace("{queueName}", "q")
            .replace("{urlGroupName}", "group")
            .replace("{flowControlKey}", "tenant");
        let names_a_resource = operation.path.replace("{destination}", "").contains('{');
        let path = path
            .replace("{messageId}", "msg_none")
            .replace("{scheduleId}", "scd_none")
            .replace("{dlqId}", "dlq_none")
            .replace("{actionId}", "bact_none");
        let method = reqwest::Method::from_bytes(operation.method.as_bytes()).unwrap();
        let mut request = http
            .request(method, format!("{}{path}{}", dev.url(), query_of(&operation.name)))
            .bearer_auth(dev.token())
            .body(body_of(&operation.name, &hook));
        if operation.name.contains("schedule") && operation.method == "POST" && path.contains("http") {
            request = request.header("Upstash-Cron", "0 0 1 1 *");
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
        let what = format!("{} {} ({})", operation.method, operation.path, operation.name);
        assert_ne!(status, 405, "{what}: {answer}");
        assert_ne!(answer["error"], "no such endpoint", "{what} is not served");
        assert!(status < 500, "{what}: {status} {answer}");
        if !names_a_resource {
            assert_eq!(status, operation.status, "{what}: {answer}");
        }
        served += 1;
    }
    assert_eq!(served, reference.operations.len());
    dev.shutdown().await;
}
