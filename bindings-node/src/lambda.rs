//! AWS Lambda events for `qstash-verify/aws-lambda`: read by the gate (`qstash_gate::lambda`)
//! into what `Gate.verifyHead` takes, and refusals written as the event's proxy response.

use std::collections::HashMap;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use qstash_gate::lambda::{EventShape, LambdaRequest, proxy_response};
use qstash_gate::{HEADERS_READ, IndexedHead, RequestHead};

/// The HTTP request of an API Gateway, function URL or load balancer event.
#[napi(object)]
pub struct LambdaHttpRequest {
    /// `rest`, `http` (HTTP APIs and function URLs), `alb` or `alb-multi-value`.
    pub shape: String,
    /// The HTTP method.
    pub method: String,
    /// The path and query QStash called (a REST API's stage included).
    pub target: String,
    /// The values of the headers the gate reads, in the order of `headerNames()`, repeated
    /// headers joined as the gate joins them.
    pub headers: Vec<Option<String>>,
    /// The body bytes (decoded from base64 when the event says so).
    pub body: Buffer,
}

/// Reads an event given as its JSON text; throws when it is not an HTTP event (a direct
/// invocation, another trigger) or its `isBase64Encoded` body is not base64.
#[napi]
pub fn lambda_request(event: String) -> napi::Result<LambdaHttpRequest> {
    let request = LambdaRequest::from_event(event.as_bytes())
        .map_err(|e| napi::Error::new(napi::Status::InvalidArg, e.to_string()))?;
    let head = IndexedHead::from_headers(
        request.target.as_str(),
        request.headers.iter().map(|(name, value)| (name.as_str(), value.as_slice())),
    );
    // The values came from JSON strings, so they (and their joins) are UTF-8.
    let headers = HEADERS_READ
        .iter()
        .map(|name| head.header(name).and_then(|v| String::from_utf8(v.to_vec()).ok()))
        .collect();
    Ok(LambdaHttpRequest {
        shape: request.shape.name().to_owned(),
        method: request.method,
        target: request.target,
        headers,
        body: request.body.into(),
    })
}

/// The proxy response (JSON text) for `status`, `headers` and the text `body`, in the shape
/// (`LambdaHttpRequest.shape`) of the event it answers.
#[napi]
pub fn lambda_response(
    shape: String,
    status: u16,
    headers: HashMap<String, String>,
    body: String,
) -> napi::Result<String> {
    let shape = EventShape::from_name(&shape).ok_or_else(|| {
        napi::Error::new(napi::Status::InvalidArg, format!("unknown event shape {shape:?}"))
    })?;
    let mut headers: Vec<(String, String)> = headers.into_iter().collect();
    headers.sort();
    Ok(proxy_response(shape, status, &headers, &body))
}
