//! Every API subcommand of `qstash-kit` end to end against a local server: the request it
//! sends, what it prints (text and `--json`) and its exit code; and the defects of the
//! earlier CLI (flags losing to region variables, whole-second durations only, no
//! `Content-Type` for a text body, no word of `QSTASH_URL` / `QSTASH_REGION` in `--help`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::process::Output;

use assert_cmd::Command;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REGION_VARS: [&str; 7] = [
    "QSTASH_TOKEN",
    "QSTASH_URL",
    "QSTASH_REGION",
    "US_EAST_1_QSTASH_TOKEN",
    "US_EAST_1_QSTASH_URL",
    "EU_CENTRAL_1_QSTASH_TOKEN",
    "EU_CENTRAL_1_QSTASH_URL",
];

/// Runs `qstash-kit args…` with `env` (and nothing of the caller's QStash environment) off
/// the async runtime that serves the mock.
async fn kit(args: &[&str], env: &[(&str, &str)]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::cargo_bin("qstash-kit").unwrap();
        for var in REGION_VARS {
            cmd.env_remove(var);
        }
        cmd.args(&args).envs(env).output().unwrap()
    })
    .await
    .unwrap()
}

/// `kit` against `server` with a token, expecting success; returns stdout.
async fn ok(server: &MockServer, args: &[&str]) -> String {
    let uri = server.uri();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--api-url", &uri, "--token", "cli-token", "--no-retry"]);
    let out = kit(&all, &[]).await;
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn mock(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb)).and(path(route)).and(header("authorization", "Bearer cli-token"))
}

/// Mounts `mock`, answering with `answer`, to be called exactly once.
async fn once(server: &MockServer, mock: wiremock::MockBuilder, answer: ResponseTemplate) {
    mock.respond_with(answer).expect(1).mount(server).await;
}

async fn reply(server: &MockServer, verb: &str, route: &str, body: Value) {
    once(server, mock(verb, route), ResponseTemplate::new(200).set_body_json(body)).await;
}

async fn empty(server: &MockServer, verb: &str, route: &str) {
    once(server, mock(verb, route), ResponseTemplate::new(200)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_win_over_the_region_environment() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/keys"))
        .and(header("authorization", "Bearer flag-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "current": "sig_a", "next": "sig_b" })),
        )
        .expect(2)
        .mount(&server)
        .await;
    let uri = server.uri();
    let region_env = [
        ("QSTASH_REGION", "US_EAST_1"),
        ("US_EAST_1_QSTASH_TOKEN", "region-token"),
        ("US_EAST_1_QSTASH_URL", "http://127.0.0.1:9"),
        ("QSTASH_TOKEN", "default-token"),
    ];
    let out =
        kit(&["keys", "get", "--token", "flag-token", "--api-url", &uri, "--no-retry"], &region_env).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The token flag alone also keeps the region's URL and token out.
    let out = kit(
        &["keys", "get", "--token", "flag-token", "--no-retry"],
        &[("QSTASH_URL", &uri), region_env[0], region_env[1], region_env[2]],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_region_environment_is_used_when_no_flag_is_given() {
    let server = MockServer::start().await;
    once(
        &server,
        Mock::given(path("/v2/keys")).and(header("authorization", "Bearer region-token")),
        ResponseTemplate::new(200).set_body_json(json!({ "current": "sig_a", "next": "sig_b" })),
    )
    .await;
    let uri = server.uri();
    let env = [
        ("QSTASH_REGION", "us-east-1"),
        ("US_EAST_1_QSTASH_TOKEN", "region-token"),
        ("US_EAST_1_QSTASH_URL", &uri),
        ("QSTASH_TOKEN", "d"),
    ];
    let out = kit(&["--json", "keys", "get"], &env).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let keys: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(keys, json!({ "current": "sig_a", "next": "sig_b" }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_region_flag_talks_to_the_regions_built_in_api_url() {
    // Nothing answers here; the error names the URL the client chose.
    let out = kit(
        &[
            "keys",
            "get",
            "--region",
            "us-east-1",
            "--token",
            "t",
            "--no-retry",
            "--connect-timeout",
            "2s",
            "--request-timeout",
            "3s",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("qstash-us-east-1.upstash.io"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kit(&["keys", "get", "--region", "mars-1", "--token", "t"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_and_timeout_take_the_documented_duration_form_and_text_gets_text_plain() {
    let server = MockServer::start().await;
    once(
        &server,
        mock("POST", "/v2/publish/https://h.example/hook")
            .and(header("upstash-delay", "124200s"))
            .and(header("upstash-timeout", "90s"))
            .and(header("content-type", "text/plain;charset=UTF-8"))
            .and(header("upstash-callback-timeout", "20s"))
            .and(header("upstash-callback-method", "PUT")),
        ResponseTemplate::new(200).set_body_json(json!({ "messageId": "m1" })),
    )
    .await;
    let out = ok(
        &server,
        &[
            "publish",
            "https://h.example/hook",
            "--data",
            "hello",
            "--delay",
            "1d10h30m",
            "--timeout",
            "1m30s",
            "--callback",
            "https://h.example/cb",
            "--callback-timeout",
            "20s",
            "--callback-method",
            "PUT",
        ],
    )
    .await;
    assert_eq!(out.trim(), "m1");
    let bad = kit(&["publish", "https://h.example/hook", "--delay", "10x", "--token", "t"], &[]).await;
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_names_the_environment_and_the_exit_codes() {
    let top = kit(&["--help"], &[]).await;
    let text = String::from_utf8(top.stdout).unwrap();
    for needle in
        ["QSTASH_URL", "QSTASH_REGION", "qstash-us-east-1.upstash.io", "Exit codes", "5  QStash unreachable"]
    {
        assert!(text.contains(needle), "{needle} missing from --help");
    }
    let publish = String::from_utf8(kit(&["publish", "--help"], &[]).await.stdout).unwrap();
    assert!(publish.contains("QSTASH_URL") && publish.contains("QSTASH_REGION"), "{publish}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_get_cancel_and_cancel_all() {
    let server = MockServer::start().await;
    reply(
        &server,
        "GET",
        "/v2/messages/msg_1",
        json!({ "messageId": "msg_1", "url": "https://h.example/a", "createdAt": 1796230660100u64 }),
    )
    .await;
    empty(&server, "DELETE", "/v2/messages/msg_1").await;
    once(
        &server,
        mock("DELETE", "/v2/messages").and(query_param("messageIds", "msg_2")),
        ResponseTemplate::new(200).set_body_json(json!({ "cancelled": 2 })),
    )
    .await;
    once(
        &server,
        mock("DELETE", "/v2/messages").and(query_param("label", "a")).and(query_param("async", "true")),
        ResponseTemplate::new(202).set_body_json(json!({ "cancelled": 4, "actionId": "bact_1" })),
    )
    .await;
    reply(
        &server,
        "GET",
        "/v2/bulkActions/bact_1",
        json!({ "actionId": "bact_1", "kind": "cancel",
        "state": "FINISHED", "total": 4, "processed": 4 }),
    )
    .await;
    reply(
        &server,
        "GET",
        "/v2/bulkActions",
        json!({ "bulkActions": [{ "actionId": "bact_1", "kind": "cancel",
        "state": "FINISHED", "total": 4, "processed": 4 }] }),
    )
    .await;
    // Cancel all: no query at all (mounted last, it answers what the others do not match).
    once(
        &server,
        mock("DELETE", "/v2/messages").and(|r: &wiremock::Request| r.url.query().is_none()),
        ResponseTemplate::new(202).set_body_json(json!({ "cancelled": 0 })),
    )
    .await;
    let got = ok(&server, &["messages", "get", "msg_1"]).await;
    assert!(got.contains("url: https://h.example/a"), "{got}");
    assert!(got.contains("createdAt: 2026-12-02T16:57:40.100Z"), "times print as times: {got}");
    assert_eq!(ok(&server, &["messages", "cancel", "msg_1"]).await.trim(), "cancelled msg_1");
    let many: Value =
        serde_json::from_str(&ok(&server, &["--json", "messages", "cancel", "msg_2", "msg_3"]).await)
            .unwrap();
    assert_eq!(many, json!({ "cancelled": 2 }));
    assert_eq!(ok(&server, &["messages", "cancel-all"]).await.trim(), "cancelled 0");
    let by_label = ok(&server, &["messages", "cancel", "--label", "a", "--label", "b", "--no-wait"]).await;
    assert_eq!(by_label.trim(), "cancelling 4 (bulk action bact_1)");
    let requests = server.received_requests().await.unwrap();
    let cancel = requests.iter().find(|r| r.url.query().is_some_and(|q| q.contains("label"))).unwrap();
    assert_eq!(cancel.url.query(), Some("label=a&label=b&async=true"));
    assert!(ok(&server, &["messages", "bulk-action", "bact_1"]).await.contains("processed: 4"));
    assert!(ok(&server, &["messages", "bulk-actions"]).await.contains("FINISHED"));
    // Neither ids nor a filter, or both: a usage error, nothing sent.
    for args in [&["messages", "cancel"][..], &["messages", "cancel", "msg_9", "--label", "a"][..]] {
        let mut all = args.to_vec();
        all.extend(["--token", "t", "--api-url", "http://127.0.0.1:9"]);
        assert_eq!(kit(&all, &[]).await.status.code(), Some(2), "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_every_subcommand() {
    let server = MockServer::start().await;
    once(
        &server,
        mock("POST", "/v2/schedules/https://h.example/cron")
            .and(header("upstash-cron", "0 * * * *"))
            .and(header("upstash-retries", "1"))
            .and(header("upstash-schedule-id", "hourly")),
        ResponseTemplate::new(200).set_body_json(json!({ "scheduleId": "hourly" })),
    )
    .await;
    let schedule = json!({ "scheduleId": "hourly", "cron": "0 * * * *", "destination": "https://h.example/cron", "isPaused": false });
    reply(&server, "GET", "/v2/schedules/hourly", schedule.clone()).await;
    mock("GET", "/v2/schedules")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([schedule])))
        .expect(2)
        .mount(&server)
        .await;
    empty(&server, "POST", "/v2/schedules/hourly/pause").await;
    empty(&server, "POST", "/v2/schedules/hourly/resume").await;
    empty(&server, "DELETE", "/v2/schedules/hourly").await;
    let created = ok(
        &server,
        &[
            "schedules",
            "create",
            "https://h.example/cron",
            "--cron",
            "0 * * * *",
            "--retries",
            "1",
            "--schedule-id",
            "hourly",
        ],
    )
    .await;
    assert_eq!(created.trim(), "hourly");
    assert!(ok(&server, &["schedules", "get", "hourly"]).await.contains("cron: 0 * * * *"));
    let list = ok(&server, &["schedules", "list"]).await;
    assert!(list.starts_with("scheduleId") && list.contains("hourly"), "{list}");
    let listed: Value = serde_json::from_str(&ok(&server, &["--json", "schedules", "list"]).await).unwrap();
    assert_eq!(listed[0]["scheduleId"], "hourly");
    for sub in ["pause", "resume", "delete"] {
        ok(&server, &["schedules", sub, "hourly"]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_every_subcommand() {
    let server = MockServer::start().await;
    once(
        &server,
        mock("POST", "/v2/queues")
            .and(body_json(json!({ "queueName": "orders", "parallelism": 3, "paused": true }))),
        ResponseTemplate::new(200),
    )
    .await;
    let queue = json!({ "name": "orders", "parallelism": 3, "lag": 0, "paused": true });
    reply(&server, "GET", "/v2/queues/orders", queue.clone()).await;
    reply(&server, "GET", "/v2/queues", json!([queue])).await;
    empty(&server, "POST", "/v2/queues/orders/pause").await;
    empty(&server, "POST", "/v2/queues/orders/resume").await;
    empty(&server, "DELETE", "/v2/queues/orders").await;
    ok(&server, &["queues", "upsert", "orders", "--parallelism", "3", "--paused"]).await;
    assert!(ok(&server, &["queues", "get", "orders"]).await.contains("parallelism: 3"));
    assert!(ok(&server, &["queues", "list"]).await.contains("orders"));
    for sub in ["pause", "resume", "delete"] {
        let done: Value =
            serde_json::from_str(&ok(&server, &["--json", "queues", sub, "orders"]).await).unwrap();
        assert_eq!(done["ok"], true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_groups_every_subcommand() {
    let server = MockServer::start().await;
    once(&server, mock("POST", "/v2/topics/fan/endpoints")
        .and(body_json(json!({ "endpoints": [{ "name": "a", "url": "https://a.example" }, { "url": "https://b.example" }] }))), ResponseTemplate::new(200)).await;
    once(
        &server,
        mock("DELETE", "/v2/topics/fan/endpoints")
            .and(body_json(json!({ "endpoints": [{ "url": "https://b.example" }, { "name": "a" }] }))),
        ResponseTemplate::new(200),
    )
    .await;
    let group = json!({ "name": "fan", "endpoints": [{ "name": "a", "url": "https://a.example" }] });
    reply(&server, "GET", "/v2/topics/fan", group.clone()).await;
    reply(&server, "GET", "/v2/topics", json!([group])).await;
    empty(&server, "DELETE", "/v2/topics/fan").await;
    ok(&server, &["url-groups", "add-endpoints", "fan", "a=https://a.example", "https://b.example"]).await;
    ok(&server, &["url-groups", "remove-endpoints", "fan", "--url", "https://b.example", "--name", "a"])
        .await;
    assert!(ok(&server, &["url-groups", "get", "fan"]).await.contains("a https://a.example"));
    assert!(ok(&server, &["url-groups", "list"]).await.contains("fan"));
    ok(&server, &["url-groups", "delete", "fan"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dlq_every_subcommand_and_list_all_follows_the_cursor() {
    let server = MockServer::start().await;
    let message = |id: &str| json!({ "dlqId": id, "messageId": format!("msg_{id}"), "url": "https://h.example/a", "responseStatus": 500 });
    mock("GET", "/v2/dlq")
        .and(query_param("responseStatus", "500"))
        .and(wiremock::matchers::query_param_is_missing("cursor"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "messages": [message("d1")], "cursor": "next" })),
        )
        .expect(2)
        .mount(&server)
        .await;
    once(
        &server,
        mock("GET", "/v2/dlq").and(query_param("cursor", "next")),
        ResponseTemplate::new(200).set_body_json(json!({ "messages": [message("d2")] })),
    )
    .await;
    reply(&server, "GET", "/v2/dlq/d1", message("d1")).await;
    empty(&server, "DELETE", "/v2/dlq/d1").await;
    once(
        &server,
        mock("DELETE", "/v2/dlq").and(query_param("queueName", "emails")),
        ResponseTemplate::new(200).set_body_json(json!({ "deleted": 7 })),
    )
    .await;
    reply(&server, "DELETE", "/v2/dlq", json!({ "deleted": 2 })).await;
    once(
        &server,
        mock("POST", "/v2/dlq/retry").and(query_param("label", "x")).and(header("upstash-retries", "0")),
        ResponseTemplate::new(201)
            .set_body_json(json!({ "responses": [{ "messageId": "m7" }], "cursor": "c" })),
    )
    .await;
    once(
        &server,
        mock("POST", "/v2/dlq/retry/d4").and(header("upstash-retries", "0")),
        ResponseTemplate::new(201).set_body_json(json!({ "messageId": "msg_new", "deduplicated": false })),
    )
    .await;
    reply(
        &server,
        "POST",
        "/v2/dlq/retry",
        json!({ "responses": [{ "messageId": "m5" }, { "messageId": "m6" }] }),
    )
    .await;
    let page = ok(&server, &["dlq", "list", "--response-status", "500"]).await;
    assert!(page.contains("d1") && page.contains("next page: --cursor next"), "{page}");
    let all: Value = serde_json::from_str(
        &ok(&server, &["--json", "dlq", "list", "--all", "--response-status", "500"]).await,
    )
    .unwrap();
    assert_eq!(all["messages"].as_array().unwrap().len(), 2);
    assert!(ok(&server, &["dlq", "get", "d1"]).await.contains("responseStatus: 500"));
    ok(&server, &["dlq", "delete", "d1"]).await;
    assert_eq!(ok(&server, &["dlq", "delete", "d2", "d3"]).await.trim(), "deleted 2");
    assert_eq!(ok(&server, &["dlq", "retry", "d4", "--retries", "0"]).await.trim(), "msg_new");
    assert_eq!(ok(&server, &["dlq", "retry", "d5", "d6"]).await.trim(), "m5\nm6");
    let both = kit(&["dlq", "retry", "d5", "d6", "--retries", "0", "--token", "t"], &[]).await;
    assert_eq!(both.status.code(), Some(2));
    assert_eq!(ok(&server, &["dlq", "delete", "--queue", "emails"]).await.trim(), "deleted 7");
    let retried = ok(&server, &["dlq", "retry", "--label", "x", "--retries", "0"]).await;
    assert_eq!(retried.trim(), "m7\nmore DLQ messages match: run the same command again");
    let nothing = kit(&["dlq", "delete", "--token", "t", "--api-url", "http://127.0.0.1:9"], &[]).await;
    assert_eq!(nothing.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_with_filters() {
    let server = MockServer::start().await;
    once(&server, mock("GET", "/v2/logs")
        .and(query_param("state", "FAILED"))
        .and(query_param("label", "billing"))
        .and(query_param("count", "5")), ResponseTemplate::new(200).set_body_json(json!({ "cursor": "", "logs": [
            { "time": 1700000000000u64, "state": "FAILED", "messageId": "msg_1", "url": "https://h.example/a", "error": "timeout" }
        ] }))).await;
    let out = ok(&server, &["logs", "--state", "failed", "--label", "billing", "--count", "5"]).await;
    assert!(out.contains("FAILED") && out.contains("msg_1") && out.contains("timeout"), "{out}");
    assert!(
        out.contains("2023-11-14T22:13:20.000Z") && !out.contains("1700000000000"),
        "times print as times: {out}"
    );
    let bad = kit(&["logs", "--state", "exploded", "--token", "t"], &[]).await;
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_control_every_subcommand() {
    let server = MockServer::start().await;
    let info = json!({ "flowControlKey": "tenant-1", "waitListSize": 4, "parallelismMax": 2, "parallelismCount": 2 });
    reply(&server, "GET", "/v2/flowControl", json!([info])).await;
    reply(&server, "GET", "/v2/flowControl/tenant-1", info).await;
    reply(&server, "GET", "/v2/globalParallelism", json!({ "parallelismMax": 10, "parallelismCount": 3 }))
        .await;
    once(
        &server,
        mock("POST", "/v2/flowControl/tenant-1/pin").and(query_param("rate", "5")),
        ResponseTemplate::new(200),
    )
    .await;
    once(
        &server,
        mock("POST", "/v2/flowControl/tenant-1/unpin").and(query_param("rate", "true")),
        ResponseTemplate::new(200),
    )
    .await;
    for route in [
        "/v2/flowControl/tenant-1/resetRate",
        "/v2/flowControl/tenant-1/pause",
        "/v2/flowControl/tenant-1/resume",
    ] {
        empty(&server, "POST", route).await;
    }
    assert!(ok(&server, &["flow-control", "list"]).await.contains("tenant-1"));
    assert!(ok(&server, &["flow-control", "get", "tenant-1"]).await.contains("waitListSize: 4"));
    assert!(ok(&server, &["flow-control", "global"]).await.contains("parallelismCount: 3"));
    ok(&server, &["flow-control", "pin", "tenant-1", "--rate", "5"]).await;
    ok(&server, &["flow-control", "unpin", "tenant-1", "--rate"]).await;
    for sub in ["reset", "pause", "resume"] {
        ok(&server, &["flow-control", sub, "tenant-1"]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_get_and_rotate_and_a_refused_token_exits_3() {
    let server = MockServer::start().await;
    reply(&server, "GET", "/v2/keys", json!({ "current": "sig_a", "next": "sig_b" })).await;
    reply(&server, "POST", "/v2/keys/rotate", json!({ "current": "sig_b", "next": "sig_c" })).await;
    assert!(ok(&server, &["keys", "get"]).await.contains("QSTASH_CURRENT_SIGNING_KEY=sig_a"));
    assert!(ok(&server, &["keys", "rotate"]).await.contains("QSTASH_NEXT_SIGNING_KEY=sig_c"));
    let uri = server.uri();
    let refused = kit(&["--json", "keys", "get", "--api-url", &uri, "--token", "wrong"], &[]).await;
    assert_eq!(refused.status.code(), Some(3));
    let error: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(error["exitCode"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_exits_4() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/keys"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("RateLimit-Limit", "1")
                .insert_header("RateLimit-Reset", "9999999999"),
        )
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = kit(&["keys", "get", "--api-url", &uri, "--token", "t"], &[]).await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_rate_limit_reset_is_a_rate_limit_error_not_a_panic() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/keys"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("RateLimit-Limit", "1")
                .insert_header("RateLimit-Reset", "1e30"),
        )
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = kit(&["keys", "get", "--api-url", &uri, "--token", "t", "--no-retry"], &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("rate limit exceeded") && !stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_sends_the_file_as_one_request() {
    let server = MockServer::start().await;
    once(&server, mock("POST", "/v2/batch")
        .and(body_json(json!([
            { "destination": "https://h.example/a", "headers": { "upstash-method": "PUT", "upstash-retries": "2" }, "body": "one" },
            { "destination": "fan", "headers": { "upstash-method": "POST" }, "body": "two", "queue": "orders" }
        ]))), ResponseTemplate::new(200).set_body_json(json!([{ "messageId": "m1" }, [{ "messageId": "m2", "url": "https://x" }, { "messageId": "m3", "url": "https://y" }]]))).await;
    let dir = std::env::temp_dir().join(format!("qstash-kit-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("batch.json");
    std::fs::write(
        &file,
        json!([
            { "destination": "https://h.example/a", "body": "one", "headers": { "Upstash-Method": "PUT", "Upstash-Retries": "2" } },
            { "destination": "fan", "body": "two", "queue": "orders" }
        ])
        .to_string(),
    )
    .unwrap();
    let out: Value =
        serde_json::from_str(&ok(&server, &["--json", "batch", file.to_str().unwrap()]).await).unwrap();
    let ids: Vec<&str> =
        out["messages"].as_array().unwrap().iter().map(|m| m["messageId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["m1", "m2", "m3"]);
    std::fs::write(&file, "{}").unwrap();
    let bad = kit(&["batch", file.to_str().unwrap(), "--token", "t"], &[]).await;
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_prints_its_environment_when_ready_and_serves_the_api() {
    // Our spelling, and the official dev server's (`-port=8081` in its docs).
    for port in [["--port", "0"].as_slice(), ["-port=0"].as_slice()] {
        dev_serves_with(port).await;
    }
}

async fn dev_serves_with(port: &[&str]) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("qstash-kit"))
        .args(["--json", "dev"])
        .args(port)
        .arg("--fast-retries")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let env: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{port:?}: {e}: {line:?}"));
    let (url, token) = (env["QSTASH_URL"].as_str().unwrap(), env["QSTASH_TOKEN"].as_str().unwrap());
    assert_eq!(env["QSTASH_CURRENT_SIGNING_KEY"], qstash_core::DEV_CURRENT_SIGNING_KEY);
    assert_ne!(env["QSTASH_DEV_PORT"], "8080", "{port:?} was not read as port 0");
    let out = kit(&["keys", "get", "--api-url", url, "--token", token], &[]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains(qstash_core::DEV_NEXT_SIGNING_KEY));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_keeps_the_times_as_the_api_sent_them() {
    let server = MockServer::start().await;
    reply(
        &server,
        "GET",
        "/v2/logs",
        json!({ "cursor": "", "logs": [
        { "time": 1700000000000u64, "state": "DELIVERED", "messageId": "msg_1", "url": "https://h.example/a" }
    ] }),
    )
    .await;
    let out: Value = serde_json::from_str(&ok(&server, &["--json", "logs"]).await).unwrap();
    assert_eq!(out["logs"][0]["time"], json!(1700000000000u64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_stops_early_ends_the_output_without_a_panic() {
    // `qstash-kit logs | head -1`: the reader closes the pipe; writing to it must not panic.
    let server = MockServer::start().await;
    let events: Vec<Value> = (0..2000)
        .map(|i| json!({ "time": 1700000000000u64 + i, "state": "DELIVERED", "messageId": format!("msg_{i}"), "url": "https://h.example/a" }))
        .collect();
    reply(&server, "GET", "/v2/logs", json!({ "cursor": "", "logs": events })).await;
    let uri = server.uri();
    let status = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("qstash-kit"))
            .args(["logs", "--api-url", &uri, "--token", "cli-token", "--no-retry"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The read end closes before the command has its answer, so its first write fails.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
    })
    .await
    .unwrap();
    assert_eq!(status, (Some(0), String::new()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_says_where_the_api_url_comes_from() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = kit(&["logs", "--api-url", &uri, "--token", "t", "--no-retry"], &[]).await;
    assert_eq!(out.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("QStash could not be reached"), "{stderr}");
    assert!(stderr.contains("QSTASH_URL") && stderr.contains("qstash-kit dev"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_json_must_be_json() {
    let out = kit(&["publish", "https://h.example/a", "--data-json", "{id: 7}", "--token", "t"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data-json is not JSON"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_comes_from_stdin_or_a_file_so_it_stays_out_of_argv() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/keys"))
        .and(header("authorization", "Bearer piped-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "current": "sig_a", "next": "sig_b" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::cargo_bin("qstash-kit").unwrap();
        for var in REGION_VARS {
            cmd.env_remove(var);
        }
        cmd.args(["keys", "get", "--api-url", &uri, "--token-file", "-", "--no-retry"])
            .write_stdin("piped-token\n")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let both = kit(&["keys", "get", "--token", "t", "--token-file", "-"], &[]).await;
    assert_eq!(both.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_delays_and_integrations_reach_their_headers_or_say_what_is_missing() {
    let server = MockServer::start().await;
    once(
        &server,
        mock("POST", "/v2/publish/https://api.openai.com/v1/chat/completions")
            .and(header("upstash-callback-delay", "10s"))
            .and(header("upstash-failure-callback-delay", "60s"))
            .and(header("upstash-forward-authorization", "Bearer sk-from-file")),
        ResponseTemplate::new(200).set_body_json(json!({ "messageId": "llm1" })),
    )
    .await;
    let key = std::env::temp_dir().join(format!("qstash-kit-provider-{}", std::process::id()));
    std::fs::write(&key, "sk-from-file\n").unwrap();
    let key_path = key.to_str().unwrap().to_owned();
    let out = ok(
        &server,
        &[
            "publish",
            "--api",
            "llm",
            "--provider",
            "openai",
            "--provider-token-file",
            &key_path,
            "--data-json",
            "{\"model\":\"m\"}",
            "--callback",
            "https://h.example/cb",
            "--callback-delay",
            "10s",
            "--failure-callback",
            "https://h.example/f",
            "--failure-callback-delay",
            "1m",
        ],
    )
    .await;
    std::fs::remove_file(&key).unwrap();
    assert_eq!(out.trim(), "llm1");
    for (args, expected) in [
        (
            &[
                "publish",
                "--api",
                "llm",
                "--provider",
                "openai",
                "--provider-token",
                "sk",
                "--data-json",
                "{}",
            ][..],
            "needs a callback",
        ),
        (
            &["publish", "--api", "email", "--provider", "openai", "--provider-token", "sk"][..],
            "provider is resend",
        ),
        (
            &[
                "publish",
                "--api",
                "llm",
                "--provider",
                "custom",
                "--provider-token",
                "sk",
                "--callback",
                "https://h/cb",
            ][..],
            "needs its base URL",
        ),
        (&["publish", "https://h.example/a", "--api", "llm"][..], "cannot be used with"),
    ] {
        let out = kit(
            &[args, &["--token", "t", "--api-url", "http://127.0.0.1:9", "--no-retry"][..]].concat(),
            &[],
        )
        .await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
