//! `/v2/publish`, `/v2/enqueue` and `/v2/batch`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
use axum::response::IntoResponse;
use bytes::Bytes;
use serde::Deserialize;

use crate::accept::{accept, accept_spec, check_target, destination};
use crate::reply::{ApiError, AppState, Caller, Reply, Shared, bad_request};
use crate::spec::Spec;

/// `POST /v2/publish/{destination}`.
pub(super) async fn publish(
    Shared(state): Shared<AppState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let destination = destination(&uri, 2);
    Ok(Json(accept(&state, caller, None, &destination, &headers, body)?).into_response())
}

/// `POST /v2/enqueue/{queue}/{destination}`.
pub(super) async fn enqueue(
    Shared(state): Shared<AppState>,
    caller: Caller,
    Path(params): Path<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let queue = params.get("queue").cloned().unwrap_or_default();
    let destination = destination(&uri, 3);
    Ok(Json(accept(&state, caller, Some(&queue), &destination, &headers, body)?).into_response())
}

#[derive(Deserialize)]
struct BatchEntry {
    destination: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    queue: Option<String>,
}

/// `POST /v2/batch`: every entry is checked before any is accepted, so a bad one (an
/// unknown URL group, an invalid header or queue name) refuses the whole batch.
pub(super) async fn batch(Shared(state): Shared<AppState>, caller: Caller, body: Bytes) -> Reply {
    let entries: Vec<BatchEntry> =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid batch: {e}")))?;
    let mut checked = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        let in_entry =
            |ApiError(status, error): ApiError| ApiError(status, format!("batch entry {index}: {error}"));
        let mut headers = HeaderMap::new();
        for (name, value) in &entry.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| in_entry(bad_request(format!("invalid header name {name}"))))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| in_entry(bad_request(format!("invalid value of {name}"))))?;
            headers.insert(name, value);
        }
        let mut spec = Spec::from_headers(&headers).map_err(|e| in_entry(bad_request(e)))?;
        spec.caller_ip.clone_from(&caller.0);
        check_target(&state, entry.queue.as_deref(), &entry.destination).map_err(in_entry)?;
        checked.push((entry, spec));
    }
    let mut answers = Vec::new();
    for (entry, spec) in checked {
        answers.push(accept_spec(
            &state,
            entry.queue.as_deref(),
            None,
            &entry.destination,
            spec,
            Bytes::from(entry.body),
        )?);
    }
    Ok(Json(answers).into_response())
}
