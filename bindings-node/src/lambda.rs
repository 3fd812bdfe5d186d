//! AWS Lambda answers for `qstash-verify/aws-lambda`: a refusal written as the proxy response
//! of the event's shape (`qstash_gate::lambda`; `Gate.verifyLambda` reads the event).

use std::collections::HashMap;

use napi_derive::napi;
use qstash_gate::lambda::{EventShape, proxy_response};

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
