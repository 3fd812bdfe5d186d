//! For the fuzz targets (`fuzz/`) only, not part of the API: one request through the whole
//! API (routing, authorization, every handler's reading of headers, query and body), answered
//! without a network.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use tower::ServiceExt;

use crate::accounts::Accounts;
use crate::limits::Limits;
use crate::state::Settings;
use crate::users::DEV_TOKEN;

/// The status a fresh dev server answers `method target` with `headers` (pairs that are not
/// valid header names or values are left out, as HTTP would) and `body`; `None` when the
/// method or target is not one HTTP can carry. The development token and a loopback `Host`
/// are added when the request has none, so the handlers are reached. Deliveries and
/// schedules it starts never run: the runtime ends with the request.
///
/// # Panics
///
/// When the server answers a 5xx, or an error without QStash's `{"error": "…"}` body: the
/// fuzz target's findings.
pub fn answer(method: &[u8], target: &[u8], headers: &[(&[u8], &[u8])], body: &[u8]) -> Option<u16> {
    let method = Method::from_bytes(method).ok()?;
    // A HEAD answer has no body by HTTP's rules, whatever the route meant to send.
    let has_body = method != Method::HEAD;
    let uri: axum::http::Uri = std::str::from_utf8(target).ok()?.parse().ok()?;
    let mut request = Request::builder().method(method).uri(uri).body(Body::from(body.to_vec())).ok()?;
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            request.headers_mut().append(name, value);
        }
    }
    let defaults =
        [(header::AUTHORIZATION, format!("Bearer {DEV_TOKEN}")), (header::HOST, "localhost".to_owned())];
    for (name, value) in defaults {
        if !request.headers().contains_key(&name) {
            request.headers_mut().insert(name, HeaderValue::from_str(&value).ok()?);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().ok()?;
    let limits = Limits::default().messages(64).stored_bytes(1 << 20).message_size(64 * 1024);
    let settings = Settings { retry_scale: 1.0, default_timeout: Duration::from_secs(30), limits };
    let router = crate::api::router(Arc::new(Accounts::new(settings, 4)), true, limits.message_size);
    let (status, text) = runtime.block_on(async {
        let response = router.oneshot(request).await.ok()?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.ok()?;
        Some((status, bytes))
    })?;
    assert!(!status.is_server_error(), "a {status} answer: {text:?}");
    if !status.is_success() && has_body {
        let error: Option<serde_json::Value> = serde_json::from_slice(&text).ok();
        assert!(
            error.as_ref().is_some_and(|e| e["error"].is_string()),
            "a {status} answer without {{\"error\"}}: {text:?}"
        );
    }
    Some(status.as_u16())
}
