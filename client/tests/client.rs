//! The API client against a local HTTP server (wiremock): exact requests, typed responses,
//! retries with the rate-limit headers (on a recorded clock, nothing really sleeps), and key
//! refresh under concurrent verification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use qstash_client::{
    BatchMessage, Client, ClientConfig, ClientError, Destination, PublishOptions, PublishResponse,
    RetryPolicy,
};
use qstash_client::{KeyRefresher, Refresh};
use qstash_core::{Receiver, Request, SharedReceiver, Signer};
use wiremock::matchers::{body_bytes, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A retry policy whose clock only records the waits it was asked for.
fn recorded() -> (RetryPolicy, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let log = waits.clone();
    let policy = RetryPolicy {
        jitter: false,
        sleep: Arc::new(move |d| {
            log.lock().unwrap().push(d);
            Box::pin(async {})
        }),
        ..RetryPolicy::default()
    };
    (policy, waits)
}

/// One publish to `server` on a recorded retry clock: its result and the waits it asked for.
async fn publish_recorded(server: &MockServer) -> (Result<Vec<PublishResponse>, ClientError>, Vec<Duration>) {
    let (policy, waits) = recorded();
    let sent =
        client(server).retry(policy).publish("https://h.example/x", "b", &PublishOptions::default()).await;
    let waits = waits.lock().unwrap().clone();
    (sent, waits)
}

fn client(server: &MockServer) -> Client {
    Client::new("test-token").base_url(&server.uri())
}

/// Mounts `mock`, answering with `answer`, to be called exactly once.
async fn once(server: &MockServer, mock: wiremock::MockBuilder, answer: ResponseTemplate) {
    mock.respond_with(answer).expect(1).mount(server).await;
}

#[tokio::test]
async fn publish_sends_the_exact_method_path_headers_and_body() {
    let server = MockServer::start().await;
    once(
        &server,
        Mock::given(method("POST"))
            .and(path("/v2/publish/https://my-app.example.com/api/qstash"))
            .and(header("authorization", "Bearer test-token"))
            .and(header("upstash-forward-x-tenant", "acme"))
            .and(header("upstash-retries", "3"))
            .and(header("upstash-delay", "10s"))
            .and(header("upstash-method", "POST"))
            .and(body_bytes(b"\x00binary\xff".to_vec())),
        ResponseTemplate::new(201).set_body_json(serde_json::json!({ "messageId": "msg_1" })),
    )
    .await;
    let options = PublishOptions {
        headers: vec![("X-Tenant".into(), "acme".into())],
        retries: Some(3),
        delay: Some(Duration::from_secs(10)),
        ..Default::default()
    };
    let sent = client(&server)
        .publish("https://my-app.example.com/api/qstash", b"\x00binary\xff".to_vec(), &options)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].message_id, "msg_1");
}

#[tokio::test]
async fn destination_query_and_port_are_sent_unchanged() {
    let server = MockServer::start().await;
    once(
        &server,
        Mock::given(method("POST"))
            .and(path("/v2/publish/https://h.example:8443/hook"))
            .and(wiremock::matchers::query_param("tenant", "a b")),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({ "messageId": "m" })),
    )
    .await;
    client(&server)
        .publish("https://h.example:8443/hook?tenant=a%20b", Vec::new(), &PublishOptions::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn publish_json_to_a_url_group_returns_one_response_per_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/publish/orders"))
        .and(header("content-type", "application/json"))
        .and(body_json(serde_json::json!({ "order": 42 })))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
            { "messageId": "m1", "url": "https://a.example" },
            { "messageId": "m2", "url": "https://b.example", "deduplicated": true },
        ])))
        .mount(&server)
        .await;
    let sent = client(&server)
        .publish_json(
            Destination::UrlGroup("orders".into()),
            &serde_json::json!({ "order": 42 }),
            &PublishOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        sent.iter().map(|m| m.url.as_deref().unwrap()).collect::<Vec<_>>(),
        ["https://a.example", "https://b.example"]
    );
    assert_eq!(sent[1].deduplicated, Some(true));
}

#[tokio::test]
async fn enqueue_and_batch_use_their_endpoints() {
    let server = MockServer::start().await;
    once(
        &server,
        Mock::given(method("POST")).and(path("/v2/enqueue/emails/https://h.example/send")),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({ "messageId": "q1" })),
    )
    .await;
    once(&server, Mock::given(method("POST"))
        .and(path("/v2/batch"))
        .and(body_json(serde_json::json!([
            { "destination": "https://h.example/a", "headers": { "upstash-method": "POST" }, "body": "one" },
            { "destination": "https://h.example/b", "headers": { "upstash-method": "PUT", "upstash-retries": "1" }, "body": "two", "queue": "q" },
        ]))), ResponseTemplate::new(200).set_body_json(serde_json::json!([{ "messageId": "b1" }, { "messageId": "b2" }]))).await;
    let c = client(&server);
    assert_eq!(
        c.enqueue("emails", "https://h.example/send", "hi", &PublishOptions::default()).await.unwrap()[0]
            .message_id,
        "q1"
    );
    let batch = [
        BatchMessage {
            destination: "https://h.example/a".into(),
            body: "one".into(),
            options: PublishOptions::default(),
            queue: None,
        },
        BatchMessage {
            destination: "https://h.example/b".into(),
            body: "two".into(),
            options: PublishOptions { method: Some("PUT".into()), retries: Some(1), ..Default::default() },
            queue: Some("q".into()),
        },
    ];
    let sent = c.batch(&batch).await.unwrap();
    assert_eq!(sent.iter().map(|m| m.message_id.as_str()).collect::<Vec<_>>(), ["b1", "b2"]);
}

#[tokio::test]
async fn signing_keys_and_rotation() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/keys"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "current": "sig_a", "next": "sig_b" })),
        )
        .mount(&server)
        .await;
    once(
        &server,
        Mock::given(method("POST")).and(path("/v2/keys/rotate")),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({ "current": "sig_b", "next": "sig_c" })),
    )
    .await;
    let c = client(&server);
    let keys = c.signing_keys().await.unwrap();
    assert_eq!((keys.current.as_str(), keys.next.as_str()), ("sig_a", "sig_b"));
    assert!(!format!("{keys:?}").contains("sig_a"));
    assert_eq!(c.rotate_signing_keys().await.unwrap().next, "sig_c");
}

#[tokio::test]
async fn burst_rate_limit_is_retried_after_its_reset_then_succeeds() {
    let server = MockServer::start().await;
    let reset = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 3;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Burst-RateLimit-Limit", "100")
                .insert_header("Burst-RateLimit-Reset", reset.to_string().as_str()),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "messageId": "m" })))
        .mount(&server)
        .await;
    let (sent, waits) = publish_recorded(&server).await;
    assert_eq!(sent.unwrap()[0].message_id, "m");
    assert_eq!(waits.len(), 1);
    assert!(waits[0] > Duration::from_secs(1) && waits[0] <= Duration::from_secs(3), "{waits:?}");
}

#[tokio::test]
async fn retry_after_and_server_errors_back_off_and_a_400_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/publish/https://h.example/a"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/publish/https://h.example/a"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path("/v2/publish/https://h.example/a"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "messageId": "ok" })))
        .mount(&server)
        .await;
    once(
        &server,
        Mock::given(path("/v2/publish/https://h.example/bad")),
        ResponseTemplate::new(400).set_body_string("invalid destination"),
    )
    .await;
    let (policy, waits) = recorded();
    let c = client(&server).retry(policy);
    // With a deduplication id a repeated publish is dropped by QStash, so a 5xx is retried.
    let deduplicated = PublishOptions { deduplication_id: Some("order-42".into()), ..Default::default() };
    c.publish("https://h.example/a", "b", &deduplicated).await.unwrap();
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 3);
    assert!(waits[0] > Duration::from_secs(6) && waits[0] <= Duration::from_secs(7), "{waits:?}");
    assert_eq!(&waits[1..], [Duration::from_millis(200), Duration::from_millis(400)]);
    let error = c.publish("https://h.example/bad", "b", &PublishOptions::default()).await.unwrap_err();
    assert_eq!(error, ClientError::Api { status: 400, message: "invalid destination".into() });
}

#[tokio::test]
async fn daily_limit_far_away_is_returned_at_once_with_its_reset() {
    let server = MockServer::start().await;
    let tomorrow = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 86_400;
    once(
        &server,
        Mock::given(method("POST")),
        ResponseTemplate::new(429)
            .insert_header("RateLimit-Limit", "500")
            .insert_header("RateLimit-Reset", tomorrow.to_string().as_str()),
    )
    .await;
    let (sent, waits) = publish_recorded(&server).await;
    let error = sent.unwrap_err();
    let ClientError::RateLimited(limit) = error else { panic!("{error:?}") };
    assert_eq!(limit.limit, "daily");
    assert_eq!(limit.reset, Some(UNIX_EPOCH + Duration::from_secs(tomorrow)));
    assert!(waits.is_empty());
}

#[tokio::test]
async fn connection_errors_are_retried_even_for_a_publish_and_the_off_switch_stops_it() {
    // A port nothing listens on: bind, take the address, close.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (policy, waits) = recorded();
    let c =
        Client::new("t").base_url(&format!("http://{addr}")).retry(RetryPolicy { max_retries: 2, ..policy });
    assert!(matches!(
        c.publish("https://h.example/x", "b", &PublishOptions::default()).await,
        Err(ClientError::Connect(_))
    ));
    assert_eq!(waits.lock().unwrap().len(), 2);
    let off = Client::new("t").base_url(&format!("http://{addr}")).retry(RetryPolicy::none());
    assert!(matches!(
        off.publish("https://h.example/x", "b", &PublishOptions::default()).await,
        Err(ClientError::Connect(_))
    ));
}

#[test]
fn a_client_without_a_token_is_a_config_error_and_debug_hides_the_token() {
    let config =
        ClientConfig { token: Some(String::new()), base_url: Some("https://x".into()), ..Default::default() };
    assert!(matches!(Client::from_config(config), Err(ClientError::Config(_))));
    let client = Client::new("secret-token").base_url("https://qstash.upstash.io/v2/publish/");
    assert_eq!(client.url(), "https://qstash.upstash.io");
    assert!(!format!("{client:?}").contains("secret-token"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_refresh_swaps_keys_once_for_many_concurrent_signature_failures() {
    let server = MockServer::start().await;
    once(
        &server,
        Mock::given(method("GET")).and(path("/v2/keys")),
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({ "current": "sig_rotatedCurrent", "next": "sig_rotatedNext" }))
            .set_delay(Duration::from_millis(50)),
    )
    .await;
    let receiver = SharedReceiver::new(Receiver::new("sig_oldCurrent", "sig_oldNext").unwrap());
    let refresher =
        KeyRefresher::with_min_interval(receiver.clone(), client(&server), Duration::from_secs(60));
    let token = Signer::new("sig_rotatedCurrent").unwrap().token("https://h.example/x", b"").sign();
    // 8 verifiers: each failure asks for a refresh; only one request may reach the API.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (receiver, refresher, token) = (receiver.clone(), refresher.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..200 {
                match receiver.verify(&Request::new(&token, b"")) {
                    Ok(_) => return true,
                    Err(_) => refresher.on_signature_failure(),
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            false
        }));
    }
    for task in tasks {
        assert!(task.await.unwrap(), "a verifier never saw the new keys");
    }
    assert_eq!(refresher.refresh().await.unwrap(), Refresh::TooSoon);
}

#[tokio::test]
async fn json_variants_serialise_the_body_and_set_the_content_type() {
    let server = MockServer::start().await;
    once(
        &server,
        Mock::given(method("POST"))
            .and(path("/v2/enqueue/orders/https://h.example/o"))
            .and(header("content-type", "application/json"))
            .and(header("upstash-deduplication-id", "d-1"))
            .and(body_json(serde_json::json!({ "id": 7 }))),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({ "messageId": "e1" })),
    )
    .await;
    once(&server, Mock::given(method("POST"))
        .and(path("/v2/batch"))
        .and(body_json(serde_json::json!([{
            "destination": "group-a",
            "headers": { "content-type": "application/json", "upstash-method": "POST" },
            "body": "{\"id\":8}",
        }]))), ResponseTemplate::new(200).set_body_json(serde_json::json!([[{ "messageId": "g1", "url": "https://a" }, { "messageId": "g2", "url": "https://b" }]]))).await;
    let c = client(&server);
    let options = PublishOptions { deduplication_id: Some("d-1".into()), ..Default::default() };
    let sent = c
        .enqueue_json("orders", "https://h.example/o", &serde_json::json!({ "id": 7 }), &options)
        .await
        .unwrap();
    assert_eq!(sent[0].message_id, "e1");
    let message = BatchMessage {
        destination: Destination::UrlGroup("group-a".into()),
        body: String::new(),
        options: PublishOptions::default(),
        queue: None,
    };
    let sent = c.batch_json(&[(message, serde_json::json!({ "id": 8 }))]).await.unwrap();
    assert_eq!(sent.iter().map(|m| m.message_id.as_str()).collect::<Vec<_>>(), ["g1", "g2"]);
}

#[tokio::test]
async fn api_errors_carry_status_and_message_and_bad_json_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/keys"))
        .respond_with(ResponseTemplate::new(401).set_body_string("invalid token"))
        .mount(&server)
        .await;
    Mock::given(path("/v2/keys/rotate"))
        .respond_with(ResponseTemplate::new(200).set_body_string("not json"))
        .mount(&server)
        .await;
    let c = client(&server).retry(RetryPolicy::none());
    assert_eq!(
        c.signing_keys().await.unwrap_err(),
        ClientError::Api { status: 401, message: "invalid token".into() }
    );
    assert!(matches!(c.rotate_signing_keys().await, Err(ClientError::Decode(_))));
}

#[tokio::test]
async fn a_rotation_whose_answer_failed_is_never_sent_a_second_time() {
    // The rotation happened (QStash rotated, then its answer was a 502 from a proxy): a
    // second POST would rotate again and strand every receiver holding the first new pair.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/keys/rotate"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/keys/rotate"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "current": "sig_c", "next": "sig_d" })),
        )
        .mount(&server)
        .await;
    let (policy, waits) = recorded();
    let error = client(&server).retry(policy).rotate_signing_keys().await.unwrap_err();
    assert_eq!(error, ClientError::Api { status: 502, message: "bad gateway".into() });
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert!(waits.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_rotation_whose_answer_never_came_is_not_repeated() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/keys/rotate"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let (policy, _) = recorded();
    let c = client(&server).retry(policy).timeouts(Duration::from_secs(5), Duration::from_millis(300));
    let error = tokio::time::timeout(Duration::from_secs(20), c.rotate_signing_keys())
        .await
        .expect("the request timeout must end the call")
        .unwrap_err();
    assert!(matches!(&error, ClientError::Transport(message) if message.contains("timed out")), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_publish_without_deduplication_is_not_repeated_after_a_server_error_but_is_after_a_429() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/publish/https://h.example/once"))
        .respond_with(ResponseTemplate::new(500).set_body_string("internal"))
        .mount(&server)
        .await;
    Mock::given(path("/v2/publish/https://h.example/limited"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/publish/https://h.example/limited"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "messageId": "m" })))
        .mount(&server)
        .await;
    let (policy, _) = recorded();
    let c = client(&server).retry(policy);
    let plain = PublishOptions::default();
    assert!(matches!(
        c.publish("https://h.example/once", "b", &plain).await,
        Err(ClientError::Api { status: 500, .. })
    ));
    let batch = [BatchMessage {
        destination: "https://h.example/once".into(),
        body: "b".into(),
        options: PublishOptions::default(),
        queue: None,
    }];
    Mock::given(path("/v2/batch")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    assert!(c.batch(&batch).await.is_err());
    assert_eq!(c.publish("https://h.example/limited", "b", &plain).await.unwrap()[0].message_id, "m");
    let paths: Vec<String> =
        server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_string()).collect();
    assert_eq!(
        paths,
        [
            "/v2/publish/https://h.example/once",
            "/v2/batch",
            "/v2/publish/https://h.example/limited",
            "/v2/publish/https://h.example/limited"
        ]
    );
}

#[tokio::test]
async fn a_stalled_server_ends_in_a_timeout_error_instead_of_a_hang() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/keys"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(60)))
        .mount(&server)
        .await;
    let config = ClientConfig {
        token: Some("t".into()),
        base_url: Some(server.uri()),
        timeout: Some(Duration::from_millis(300)),
        retry: Some(RetryPolicy::none()),
        ..Default::default()
    };
    let c = Client::from_config(config).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(20), c.signing_keys()).await;
    let error = outcome.expect("the client hung past its own timeout").unwrap_err();
    assert!(matches!(&error, ClientError::Transport(message) if message.contains("timed out")), "{error:?}");
}

#[test]
fn clients_get_timeouts_by_default() {
    let printed = format!("{:?}", Client::new("t"));
    assert!(printed.contains("connect_timeout: 10s") && printed.contains("timeout: 30s"), "{printed}");
}

#[tokio::test]
async fn a_429_with_daily_and_burst_headers_is_the_daily_limit_and_is_not_retried() {
    let server = MockServer::start().await;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("RateLimit-Limit", "500")
                .insert_header("RateLimit-Reset", (now + 86_400).to_string().as_str())
                .insert_header("Burst-RateLimit-Limit", "100")
                .insert_header("Burst-RateLimit-Reset", (now + 1).to_string().as_str()),
        )
        .mount(&server)
        .await;
    let (sent, waits) = publish_recorded(&server).await;
    let error = sent.unwrap_err();
    let ClientError::RateLimited(limit) = error else { panic!("{error:?}") };
    assert_eq!(limit.limit, "daily");
    assert!(waits.is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn key_refresh_for_a_region_client_replaces_that_regions_pair() {
    let server = MockServer::start().await;
    once(
        &server,
        Mock::given(method("GET")).and(path("/v2/keys")).and(header("authorization", "Bearer us-token")),
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({ "current": "sig_usNew", "next": "sig_usNext" })),
    )
    .await;
    let receiver = SharedReceiver::new(
        Receiver::builder()
            .keys(qstash_core::KeyPair::new("sig_euCurrent", "sig_euNext").unwrap())
            .region("US_EAST_1", qstash_core::KeyPair::new("sig_usOld", "sig_usOldNext").unwrap())
            .build()
            .unwrap(),
    );
    let config = ClientConfig {
        token: Some("us-token".into()),
        base_url: Some(server.uri()),
        region: Some(qstash_core::Region::US_EAST_1),
        ..Default::default()
    };
    let refresher = KeyRefresher::new(receiver.clone(), Client::from_config(config).unwrap());
    assert_eq!(refresher.refresh().await.unwrap(), Refresh::Updated);

    let token = Signer::new("sig_usNew").unwrap().token("https://h.example/x", b"").sign();
    let verified = receiver.verify(&Request::new(&token, b"").region("us-east-1")).unwrap();
    assert_eq!(verified.region, Some(qstash_core::Region::US_EAST_1));
    // The default pair is the EU one and stays.
    let eu = Signer::new("sig_euCurrent").unwrap().token("https://h.example/x", b"").sign();
    assert!(receiver.verify(&Request::new(&eu, b"")).is_ok());
}

#[tokio::test]
async fn failed_refresh_attempts_are_rate_limited_like_successful_ones() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/keys"))
        .respond_with(ResponseTemplate::new(500).set_body_string("down"))
        .mount(&server)
        .await;
    let receiver = SharedReceiver::new(Receiver::new("sig_oldCurrent", "sig_oldNext").unwrap());
    let c = client(&server).retry(RetryPolicy::none());
    let refresher = KeyRefresher::with_min_interval(receiver, c, Duration::from_secs(60));
    assert!(refresher.refresh().await.is_err());
    // Forged deliveries keep failing their signature check: none of them starts a refresh
    // (a background task would still be alive here: this runtime runs one thread, and the
    // loop never yields to it), so none reaches the API.
    let runtime = tokio::runtime::Handle::current().metrics();
    let tasks_before = runtime.num_alive_tasks();
    for _ in 0..20 {
        assert_eq!(refresher.refresh().await.unwrap(), Refresh::TooSoon);
        refresher.on_signature_failure();
    }
    assert_eq!(runtime.num_alive_tasks(), tasks_before, "a signature failure started a refresh");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
