//! `/v2/publish`, `/v2/enqueue` and `/v2/batch`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State as Shared};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
use axum::response::IntoResponse;
use bytes::Bytes;
use serde::Deserialize;

use crate::accept::{accept, destination};
use crate::reply::{AppState, Reply, bad_request};

/// `POST /v2/publish/{destination}`.
pub(super) async fn publish(
    Shared(state): Shared<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let destination = destination(&uri, 2);
    Ok(Json(accept(&state, None, &destination, &headers, body)?).into_response())
}

/// `POST /v2/enqueue/{queue}/{destination}`.
pub(super) async fn enqueue(
    Shared(state): Shared<AppState>,
    Path(params): Path<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let queue = params.get("queue").cloned().unwrap_or_default();
    let destination = destination(&uri, 3);
    Ok(Json(accept(&state, Some(&queue), &destination, &headers, body)?).into_response())
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

/// `POST /v2/batch`.
pub(super) async fn batch(Shared(state): Shared<AppState>, body: Bytes) -> Reply {
    let entries: Vec<BatchEntry> =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid batch: {e}")))?;
    let mut answers = Vec::new();
    for entry in entries {
        let mut headers = HeaderMap::new();
        for (name, value) in &entry.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| bad_request(format!("invalid header name {name}")))?;
            let value =
                HeaderValue::from_str(value).map_err(|_| bad_request(format!("invalid value of {name}")))?;
            headers.insert(name, value);
        }
        answers.push(accept(
            &state,
            entry.queue.as_deref(),
            &entry.destination,
            &headers,
            Bytes::from(entry.body),
        )?);
    }
    Ok(Json(answers).into_response())
}
