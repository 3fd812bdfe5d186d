//! `/v2/dlq`: messages whose every retry failed; read, deleted, retried.

use axum::Json;
use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use qstash_client::{DlqPage, DlqRetried, MessageState};
use serde_json::json;

use crate::delivery;
use crate::filter::Filter;
use crate::ids::{new_id, now_millis};
use crate::reply::{AppState, Reply, bad_request, not_found, query_values};
use crate::spec::Spec;
use crate::state::Message;

/// `GET /v2/dlq?…`: the DLQ messages matching the reference's filters.
pub(super) async fn list(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let filter = Filter::from_query(&query)?;
    let inner = state.lock();
    let mut page = DlqPage::default();
    page.messages = inner
        .dlq
        .iter()
        .map(|d| d.view())
        .filter(|d| filter.matches(&d.message, d.response_status))
        .collect();
    Ok(Json(page).into_response())
}

/// The DLQ ids `query` names (`dlqIds`), or those of the messages its filters match; a
/// request with neither matches nothing (the client refuses it, and so does this server).
fn chosen(
    inner: &crate::state::Inner,
    query: &Option<String>,
) -> Result<Vec<String>, crate::reply::ApiError> {
    let ids = query_values(query, "dlqIds");
    if !ids.is_empty() {
        return Ok(ids);
    }
    let filter = Filter::from_query(query)?;
    if filter.is_empty() {
        return Ok(Vec::new());
    }
    Ok(inner
        .dlq
        .iter()
        .filter(|d| filter.matches(&d.view().message, d.response_status))
        .map(|d| d.dlq_id.clone())
        .collect())
}

/// `GET /v2/dlq/{id}`.
pub(super) async fn get(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let inner = state.lock();
    let dead = inner.dlq.iter().find(|d| d.dlq_id == id).ok_or_else(|| not_found("DLQ message", &id))?;
    Ok(Json(dead.view()).into_response())
}

/// `DELETE /v2/dlq/{id}`.
pub(super) async fn delete(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let mut inner = state.lock();
    let before = inner.dlq.len();
    inner.dlq.retain(|d| d.dlq_id != id);
    if inner.dlq.len() == before {
        return Err(not_found("DLQ message", &id));
    }
    Ok(StatusCode::OK.into_response())
}

/// `DELETE /v2/dlq?dlqIds=…` or `?queueName=…&label=…`.
pub(super) async fn delete_many(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let mut inner = state.lock();
    let ids = chosen(&inner, &query)?;
    let before = inner.dlq.len();
    inner.dlq.retain(|d| !ids.contains(&d.dlq_id));
    Ok(Json(json!({ "deleted": before - inner.dlq.len() })).into_response())
}

/// `POST /v2/dlq/retry?dlqIds=…` (or filters): publishes each again as a new message.
pub(super) async fn retry(
    Shared(state): Shared<AppState>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
) -> Reply {
    let overrides = Spec::from_headers(&headers).map_err(bad_request)?;
    let taken: Vec<Message> = {
        let mut inner = state.lock();
        let ids = chosen(&inner, &query)?;
        let (retry, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut inner.dlq).into_iter().partition(|d| ids.contains(&d.dlq_id));
        inner.dlq = keep;
        retry.into_iter().map(|d| d.message).collect()
    };
    let mut responses = Vec::new();
    for mut message in taken {
        overridden(&mut message.spec, overrides.clone(), &headers);
        message.id = new_id("msg");
        message.created_at = now_millis();
        state.lock().messages.insert(message.id.clone(), message.clone());
        state.log(&message, MessageState::Created, |_| {});
        let mut retried = DlqRetried::default();
        retried.message_id.clone_from(&message.id);
        responses.push(retried);
        delivery::spawn(state.clone(), message);
    }
    Ok((StatusCode::CREATED, Json(json!({ "responses": responses }))).into_response())
}

/// `POST /v2/dlq/retry/{dlqId}`: one message again, the configuration headers sent with the
/// request (`Upstash-Retries: 0`, a delay, callbacks, …) overriding the original's.
pub(super) async fn retry_one(
    Shared(state): Shared<AppState>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Reply {
    let overrides = Spec::from_headers(&headers).map_err(bad_request)?;
    let mut message = {
        let mut inner = state.lock();
        let position =
            inner.dlq.iter().position(|d| d.dlq_id == id).ok_or_else(|| not_found("DLQ message", &id))?;
        inner.dlq.remove(position).message
    };
    overridden(&mut message.spec, overrides, &headers);
    message.id = new_id("msg");
    message.created_at = now_millis();
    state.lock().messages.insert(message.id.clone(), message.clone());
    state.log(&message, MessageState::Created, |_| {});
    let answer = json!({ "messageId": message.id, "deduplicated": false });
    delivery::spawn(state.clone(), message);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `spec` with the configuration headers the retry request sent (`Upstash-Retries: 0`, a
/// delay, callbacks, …) in place of the original message's; the rest kept.
fn overridden(spec: &mut Spec, overrides: Spec, headers: &axum::http::HeaderMap) {
    let given = |name: &str| headers.contains_key(name);
    if given("upstash-method") {
        spec.method = overrides.method;
    }
    if given("upstash-delay") {
        spec.delay = overrides.delay;
    }
    if given("upstash-not-before") {
        spec.not_before = overrides.not_before;
    }
    if given("upstash-retries") {
        spec.retries = overrides.retries;
    }
    if given("upstash-timeout") {
        spec.timeout = overrides.timeout;
    }
    if given("upstash-callback") {
        spec.callback = overrides.callback;
    }
    if given("upstash-failure-callback") {
        spec.failure_callback = overrides.failure_callback;
    }
    if given("upstash-label") {
        spec.labels = overrides.labels;
    }
}
