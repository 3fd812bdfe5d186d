//! The HTTP conformance cases (`vectors/http_conformance.jsonl`) through `QStashLayer` in an
//! axum router: every front end must give the same answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use http::HeaderValue;
use http_body_util::BodyExt;
use qstash_axum::{QStashConfig, QStashLayer, VerifiedMessage};
use qstash_gate::replay::MemoryReplayGuard;
use qstash_testkit::http_cases::{self, HttpCase, ROUTE, RequestBytes};
use serde_json::Value;
use tower::ServiceExt;

async fn handler(message: VerifiedMessage, body: Bytes) -> Json<Value> {
    Json(http_cases::handler_answer(&message, body.len()))
}

/// What a session store or a rate limiter does: wait before the next layer runs.
async fn awaiting(request: Request, next: Next) -> Response {
    tokio::time::sleep(Duration::from_millis(5)).await;
    next.run(request).await
}

fn app(case: &HttpCase) -> Router {
    let mut config = QStashConfig::new(case.receiver()).url_policy(case.url_policy());
    if let Some(limit) = case.body_limit() {
        config = config.body_limit(limit);
    }
    if case.replay() {
        config = config.replay_guard(MemoryReplayGuard::new(1000));
    }
    let mut routes = Router::new().route(ROUTE, post(handler)).route_layer(QStashLayer::new(config));
    if let Some(prefix) = &case.mount {
        routes = Router::new().nest(prefix, routes);
    }
    if case.async_middleware {
        routes = routes.layer(middleware::from_fn(awaiting));
    }
    routes
}

fn request(bytes: &RequestBytes) -> http::Request<Body> {
    let mut builder = http::Request::builder().method(bytes.method.as_str()).uri(bytes.target.as_str());
    for (name, value) in &bytes.headers {
        builder = builder.header(name.as_str(), HeaderValue::from_bytes(value).unwrap());
    }
    let body = if bytes.chunked {
        let mut chunks: Vec<Result<Bytes, std::io::Error>> =
            bytes.chunks().into_iter().map(|c| Ok(Bytes::from(c))).collect();
        if bytes.broken {
            chunks.truncate(1);
            chunks.push(Err(std::io::Error::other("the client went away")));
        }
        Body::from_stream(futures_util::stream::iter(chunks))
    } else {
        builder = builder.header("content-length", bytes.body.len());
        Body::from(bytes.body.clone())
    };
    builder.body(body).unwrap()
}

#[tokio::test]
async fn every_http_case_gets_the_same_answer_as_in_every_front_end() {
    let mut failures = Vec::new();
    let mut count = 0;
    for case in http_cases::load().into_iter().filter(|c| c.runs_on("axum")) {
        count += 1;
        let app = app(&case);
        let bytes = case.request();
        if case.send_twice {
            app.clone().oneshot(request(&bytes)).await.unwrap();
        }
        let response = app.oneshot(request(&bytes)).await.unwrap();
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        for difference in http_cases::differences(&case, status, &headers, &body) {
            failures.push(format!("{}: {difference}", case.id));
        }
    }
    assert!(count >= 40, "only {count} cases ran");
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}
