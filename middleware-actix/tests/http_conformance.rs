//! The HTTP conformance cases (`vectors/http_conformance.jsonl`) through the `QStash`
//! middleware in an actix-web app: every front end must give the same answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::time::Duration;

use actix_web::dev::{Payload, Service, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, web};
use bytes::Bytes;
use qstash_actix::{QStash, QStashConfig, VerifiedMessage};
use qstash_gate::replay::MemoryReplayGuard;
use qstash_testkit::http_cases::{self, HttpCase, ROUTE, RequestBytes};

async fn handler(message: VerifiedMessage, body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok().json(http_cases::handler_answer(&message, body.len()))
}

fn config(case: &HttpCase) -> QStashConfig {
    let mut config = QStashConfig::new(case.receiver()).url_policy(case.url_policy());
    if let Some(limit) = case.body_limit() {
        config = config.body_limit(limit);
    }
    if case.replay() {
        config = config.replay_guard(MemoryReplayGuard::new(1000));
    }
    config
}

fn request(bytes: &RequestBytes) -> actix_http::Request {
    let mut request = TestRequest::default().method(bytes.method.parse().unwrap()).uri(&bytes.target);
    for (name, value) in &bytes.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
        request = request.append_header((name, HeaderValue::from_bytes(value).unwrap()));
    }
    if bytes.chunked {
        let mut chunks: Vec<Result<Bytes, PayloadError>> =
            bytes.chunks().into_iter().map(|c| Ok(Bytes::from(c))).collect();
        if bytes.broken {
            chunks.truncate(1);
            chunks.push(Err(PayloadError::Incomplete(None)));
        }
        let stream: Payload = Payload::Stream { payload: Box::pin(futures_util::stream::iter(chunks)) };
        request.to_request().replace_payload(stream).0
    } else {
        request
            .insert_header(("content-length", bytes.body.len()))
            .set_payload(bytes.body.clone())
            .to_request()
    }
}

#[actix_web::test]
async fn every_http_case_gets_the_same_answer_as_in_every_front_end() {
    let mut failures = Vec::new();
    let mut count = 0;
    for case in http_cases::load().into_iter().filter(|c| c.runs_on("actix")) {
        count += 1;
        let resource = web::resource(ROUTE).wrap(QStash::new(config(&case))).route(web::post().to(handler));
        let scope = web::scope(case.mount.as_deref().unwrap_or("")).service(resource);
        let app = test::init_service(
            App::new()
                .wrap(actix_web::middleware::from_fn(|request: ServiceRequest, next: Next<_>| async move {
                    // What a session store or a rate limiter does: wait before the next one runs.
                    if case_awaits(&request) {
                        actix_rt::time::sleep(Duration::from_millis(5)).await;
                    }
                    next.call(request).await
                }))
                .app_data(web::Data::new(case.async_middleware))
                .service(scope),
        )
        .await;
        let bytes = case.request();
        if case.send_twice {
            app.call(request(&bytes)).await.unwrap();
        }
        let response = app.call(request(&bytes)).await.unwrap();
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = test::read_body(response).await;
        for difference in http_cases::differences(&case, status, &headers, &body) {
            failures.push(format!("{}: {difference}", case.id));
        }
    }
    assert!(count >= 40, "only {count} cases ran");
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

/// Whether this app was built for a case with an awaiting middleware in front.
fn case_awaits(request: &ServiceRequest) -> bool {
    request.app_data::<web::Data<bool>>().is_some_and(|awaits| *awaits.get_ref())
}
