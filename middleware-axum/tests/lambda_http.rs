//! `QStashLayer` in an AWS Lambda function: events of each shape AWS sends
//! (`vectors/lambda_events/`) turned into requests by `lambda_http` itself, then through the
//! layer as on any axum server: every HTTP conformance case as an event of each shape, and a
//! REST API's stage, part of the URL QStash calls and of the path `lambda_http` hands the
//! router; base64 bodies arrive decoded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use base64::Engine as _;
use http_body_util::BodyExt;
use qstash_axum::{QStashConfig, QStashLayer, Receiver, Signer, VerifiedMessage};
use qstash_gate::replay::MemoryReplayGuard;
use qstash_testkit::http_cases::{self, HttpCase, ROUTE, RequestBytes};
use serde_json::{Map, Value, json};
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
        // The samples are AWS's as published (vectors/lambda_events): the request is set here.
        if shape == "alb" {
            event["httpMethod"] = json!("POST");
            event["path"] = json!("/api/qstash");
            event["queryStringParameters"] = json!({ "tenant": "a" });
            event["headers"]["upstash-signature"] = json!(token);
        } else {
            event["requestContext"]["http"]["method"] = json!("POST");
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

async fn case_handler(message: VerifiedMessage, body: Bytes) -> axum::Json<Value> {
    axum::Json(http_cases::handler_answer(&message, body.len()))
}

fn case_app(case: &HttpCase) -> Router {
    let mut config = QStashConfig::new(case.receiver()).url_policy(case.url_policy());
    if let Some(limit) = case.body_limit() {
        config = config.body_limit(limit);
    }
    if case.replay() {
        config = config.replay_guard(MemoryReplayGuard::new(1000));
    }
    let routes = Router::new().route(ROUTE, post(case_handler)).route_layer(QStashLayer::new(config));
    match &case.mount {
        Some(prefix) => Router::new().nest(prefix, routes),
        None => routes,
    }
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The case's request as AWS hands it to the function in `shape`; a REST API's stage is the
/// case's mount prefix (`lambda_http` puts it back in front of the path).
fn event_for(request: &RequestBytes, shape: &str, mount: Option<&str>) -> Value {
    let mut event = template(shape);
    let (path, query) = request.target.split_once('?').unwrap_or((request.target.as_str(), ""));
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (title_case(name), value.iter().map(|&b| char::from(b)).collect()))
        .collect();
    if !request.chunked {
        headers.push(("Content-Length".into(), request.body.len().to_string()));
    }
    // API Gateway and load balancers always pass the Host (lambda_http panics without one).
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
        headers.push(("Host".into(), "1234567890.execute-api.us-east-1.amazonaws.com".into()));
    }
    let text =
        std::str::from_utf8(&request.body).ok().filter(|_| shape != "rest-api" && shape != "function-url");
    event["body"] = json!(
        text.map_or_else(|| base64::engine::general_purpose::STANDARD.encode(&request.body), str::to_owned)
    );
    event["isBase64Encoded"] = json!(text.is_none());
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in headers {
        match grouped.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            Some((_, values)) => values.push(value),
            None => grouped.push((name, vec![value])),
        }
    }
    if shape == "http-api" || shape == "function-url" {
        event["rawPath"] = json!(path);
        event["rawQueryString"] = json!(query);
        event["requestContext"]["http"]["method"] = json!(request.method);
        event["requestContext"]["http"]["path"] = json!(path);
        // HTTP APIs send names in lower case and join repeated headers with commas.
        event["headers"] = grouped
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), json!(v.join(","))))
            .collect::<Map<_, _>>()
            .into();
        return event;
    }
    event["httpMethod"] = json!(request.method);
    let mut parameters: Vec<(String, Vec<String>)> = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        match parameters.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(value.to_owned()),
            None => parameters.push((name.to_owned(), vec![value.to_owned()])),
        }
    }
    let multi = |pairs: &[(String, Vec<String>)]| -> Value {
        if pairs.is_empty() {
            Value::Null
        } else {
            pairs.iter().map(|(n, v)| (n.clone(), json!(v))).collect::<Map<_, _>>().into()
        }
    };
    let last = |pairs: &[(String, Vec<String>)]| -> Value {
        if pairs.is_empty() {
            Value::Null
        } else {
            pairs.iter().map(|(n, v)| (n.clone(), json!(v.last()))).collect::<Map<_, _>>().into()
        }
    };
    event["multiValueQueryStringParameters"] = multi(&parameters);
    event["queryStringParameters"] = last(&parameters);
    event["multiValueHeaders"] = multi(&grouped);
    event["headers"] = last(&grouped);
    if shape == "rest-api" {
        let stage = mount.map(|m| m.trim_start_matches('/')).unwrap_or("$default");
        event["requestContext"]["stage"] = json!(stage);
        event["requestContext"]["path"] = json!(path);
        event["requestContext"]["httpMethod"] = json!(request.method);
        event["path"] = json!(mount.map_or(path, |m| path.strip_prefix(m).unwrap_or(path)));
    } else {
        // A target group with multi-value headers on sends only the multi-value forms, as
        // objects (empty ones when there is nothing).
        event["path"] = json!(path);
        let object = event.as_object_mut().unwrap();
        object.remove("headers");
        object.remove("queryStringParameters");
        if parameters.is_empty() {
            object.insert("multiValueQueryStringParameters".into(), json!({}));
        }
    }
    event
}

/// What `lambda_http` (1.3) does with an event that is not what the layer sees on a server:
/// it takes `X-Forwarded-Proto` as the URL's scheme and panics when it is not one (API Gateway
/// and load balancers set that header themselves, `https` or `http`, so only cases about a
/// chain of proxies send others); and from a REST API event, which carries both `headers` and
/// `multiValueHeaders`, it keeps only the last value of a header sent twice.
fn lambda_http_differs(request: &RequestBytes, shape: &str) -> Option<&'static str> {
    if request
        .headers
        .iter()
        .any(|(name, value)| name == "x-forwarded-proto" && value != b"https" && value != b"http")
    {
        return Some("panics on an X-Forwarded-Proto that is not a scheme");
    }
    let mut names: Vec<&str> = request.headers.iter().map(|(name, _)| name.as_str()).collect();
    names.sort_unstable();
    if shape == "rest-api" && names.windows(2).any(|pair| pair[0] == pair[1]) {
        return Some("keeps only the last value of a repeated header");
    }
    None
}

#[tokio::test]
async fn every_http_case_as_an_event_of_each_shape_gets_the_same_answer() {
    let mut failures = Vec::new();
    let mut count = 0;
    let mut differing = Vec::new();
    for shape in ["rest-api", "http-api", "function-url", "alb"] {
        for case in http_cases::load() {
            let bytes = case.request();
            if bytes.broken {
                continue; // a Lambda event holds the whole body
            }
            if let Some(why) = lambda_http_differs(&bytes, shape) {
                differing.push(format!("{} ({shape}): {why}", case.id));
                continue;
            }
            count += 1;
            let event = event_for(&bytes, shape, case.mount.as_deref());
            let app = case_app(&case);
            let request = || {
                lambda_http::request::from_str(&event.to_string()).unwrap_or_else(|e| {
                    panic!("{} ({shape}): lambda_http cannot read the event: {e}", case.id)
                })
            };
            if case.send_twice {
                app.clone().oneshot(request()).await.unwrap();
            }
            let response = app.oneshot(request()).await.unwrap();
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            for difference in http_cases::differences(&case, status, &headers, &body) {
                failures.push(format!("{} ({shape}): {difference}", case.id));
            }
        }
    }
    assert_eq!(
        differing,
        [
            "forwarded-two-proxies (rest-api): panics on an X-Forwarded-Proto that is not a scheme",
            "two-signature-headers (rest-api): keeps only the last value of a repeated header",
            "forwarded-two-proxies (http-api): panics on an X-Forwarded-Proto that is not a scheme",
            "forwarded-two-proxies (function-url): panics on an X-Forwarded-Proto that is not a scheme",
            "forwarded-two-proxies (alb): panics on an X-Forwarded-Proto that is not a scheme",
        ],
        "the cases lambda_http turns into another request"
    );
    assert_eq!(
        count,
        4 * (http_cases::load().len() - 1) - differing.len(),
        "every other case but the broken body"
    );
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}
