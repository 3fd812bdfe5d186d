//! `QStashLayer` in an AWS Lambda function: events of each shape AWS sends
//! (`vectors/lambda_events/`) turned into requests by `lambda_http` itself, then through the
//! layer as on any axum server. A REST API's stage is part of the URL QStash calls and of the
//! path `lambda_http` hands the router; base64 bodies arrive decoded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use base64::Engine as _;
use http_body_util::BodyExt;
use qstash_axum::{QStashConfig, QStashLayer, Receiver, Signer, VerifiedMessage};
use serde_json::{Value, json};
use tower::ServiceExt;

const API: &str = "https://1234567890.execute-api.us-east-1.amazonaws.com";

fn template(shape: &str) -> Value {
    let path = format!("{}/../vectors/lambda_events/{shape}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn hook(message: VerifiedMessage, body: Bytes) -> String {
    format!("{} {}", message.claims.sub(), String::from_utf8_lossy(&body))
}

/// The function's app: the route under the REST API's stage, as `lambda_http` passes the path.
fn app() -> Router {
    let api = Router::new()
        .route("/api/qstash", post(hook))
        .route_layer(QStashLayer::new(QStashConfig::new(Receiver::dev())));
    Router::new().nest("/prod", api.clone()).merge(api)
}

async fn call(event: &Value) -> (u16, String) {
    let request = lambda_http::request::from_str(&event.to_string()).expect("lambda_http reads the event");
    let response = app().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn rest_event(token: &str, body: &[u8]) -> Value {
    let mut event = template("rest-api");
    event["path"] = json!("/api/qstash");
    event["requestContext"]["path"] = json!("/prod/api/qstash");
    event["queryStringParameters"] = Value::Null;
    event["multiValueQueryStringParameters"] = Value::Null;
    event["headers"]["Upstash-Signature"] = json!(token);
    event["multiValueHeaders"]["Upstash-Signature"] = json!([token]);
    event["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
    event["isBase64Encoded"] = json!(true);
    event
}

#[tokio::test]
async fn a_rest_api_delivery_verifies_with_its_stage_and_its_base64_body() {
    let url = format!("{API}/prod/api/qstash");
    let token = Signer::dev().token(&url, b"{\"order\":42}").sign();
    assert_eq!(call(&rest_event(&token, b"{\"order\":42}")).await, (200, format!("{url} {{\"order\":42}}")));

    let tampered = call(&rest_event(&token, b"{\"order\":43}")).await;
    assert_eq!(tampered, (401, r#"{"error":"invalid_signature","reason":"body"}"#.to_owned()));

    let without_stage = Signer::dev().token(&format!("{API}/api/qstash"), b"{\"order\":42}").sign();
    let refused = call(&rest_event(&without_stage, b"{\"order\":42}")).await;
    assert_eq!(refused, (401, r#"{"error":"invalid_signature","reason":"subject"}"#.to_owned()));
}

#[tokio::test]
async fn http_api_function_url_and_load_balancer_deliveries_verify() {
    let body = "{\"order\":7}";
    for shape in ["http-api", "function-url", "alb"] {
        let token = Signer::dev().token(&format!("{API}/api/qstash?tenant=a"), body.as_bytes()).sign();
        let mut event = template(shape);
        if shape == "alb" {
            event["path"] = json!("/api/qstash");
            event["queryStringParameters"] = json!({ "tenant": "a" });
            event["headers"]["upstash-signature"] = json!(token);
        } else {
            event["rawPath"] = json!("/api/qstash");
            event["rawQueryString"] = json!("tenant=a");
            event["requestContext"]["http"]["path"] = json!("/api/qstash");
            event["headers"]["upstash-signature"] = json!(token);
        }
        event["body"] = json!(body);
        event["isBase64Encoded"] = json!(false);
        let (status, answer) = call(&event).await;
        assert_eq!(status, 200, "{shape}: {answer}");
        assert!(answer.ends_with(body), "{shape}: {answer}");
        event["body"] = json!("{\"order\":8}");
        assert_eq!(call(&event).await.0, 401, "{shape}: a tampered body");
    }
}
