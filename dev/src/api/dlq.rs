//! `/v2/dlq`: messages whose every retry failed; read, deleted, retried.

use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use qstash_client::{DlqPage, DlqRetried, MessageState};
use serde_json::json;

use crate::delivery;
use crate::filter::Filter;
use crate::ids::{new_id, now_millis};
use crate::reply::{AppState, Reply, Shared, bad_request, not_found, page_of, query_values};
use crate::spec::Spec;
use crate::state::Message;

/// The largest page of the DLQ's list, and the default one.
const MAX_LIST_COUNT: usize = 100;

/// How many messages one bulk delete or retry acts on at most, and by default (the official
/// client's `count`): the caller follows the cursor for the rest.
const MAX_BULK_COUNT: usize = 100;

/// `GET /v2/dlq?…`: the DLQ messages matching the reference's filters (or the `dlqIds`
/// named), oldest first, a page at a time.
pub(super) async fn list(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let ids = query_values(&query, "dlqIds");
    let filter = Filter::from_query(&query)?;
    let inner = state.lock();
    let matching: Vec<_> = inner
        .dlq
        .iter()
        .filter(|d| ids.is_empty() || ids.contains(&d.dlq_id))
        .map(|d| d.view())
        .filter(|d| filter.matches(&d.message, d.response_status))
        .collect();
    let mut page = DlqPage::default();
    (page.messages, page.cursor) = page_of(matching, &query, MAX_LIST_COUNT)?;
    Ok(Json(page).into_response())
}

/// What a bulk delete or retry acts on: the DLQ ids `query` names (`dlqIds`), or the first
/// `count` messages its filters match (all messages without a filter, as the official client's
/// `{ all: true }` asks); and the cursor to send for the rest, when more match. Those acted on
/// leave the DLQ, so the next call starts at the front again.
fn chosen(
    inner: &crate::state::Inner,
    query: &Option<String>,
) -> Result<(Vec<String>, Option<String>), crate::reply::ApiError> {
    let ids = query_values(query, "dlqIds");
    if !ids.is_empty() {
        return Ok((ids, None));
    }
    let filter = Filter::from_query(query)?;
    let matching: Vec<String> = inner
        .dlq
        .iter()
        .filter(|d| filter.matches(&d.view().message, d.response_status))
        .map(|d| d.dlq_id.clone())
        .collect();
    let without_cursor: Option<String> = query
        .as_ref()
        .map(|q| q.split('&').filter(|part| !part.starts_with("cursor=")).collect::<Vec<_>>().join("&"));
    let (ids, more) = page_of(matching, &without_cursor, MAX_BULK_COUNT)?;
    Ok((ids, more.map(|_| "more".to_owned())))
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
    let (ids, cursor) = chosen(&inner, &query)?;
    let before = inner.dlq.len();
    inner.dlq.retain(|d| !ids.contains(&d.dlq_id));
    let mut answer = json!({ "deleted": before - inner.dlq.len() });
    if let Some(cursor) = cursor {
        answer["cursor"] = cursor.into();
    }
    Ok(Json(answer).into_response())
}

/// `POST /v2/dlq/retry?dlqIds=…` (or filters): publishes each again as a new message.
pub(super) async fn retry(
    Shared(state): Shared<AppState>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
) -> Reply {
    let overrides = Spec::from_headers(&headers).map_err(bad_request)?;
    let (taken, cursor): (Vec<Message>, _) = {
        let mut inner = state.lock();
        let (ids, cursor) = chosen(&inner, &query)?;
        let (retry, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut inner.dlq).into_iter().partition(|d| ids.contains(&d.dlq_id));
        inner.dlq = keep;
        (retry.into_iter().map(|d| d.message).collect(), cursor)
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
    let mut answer = json!({ "responses": responses });
    if let Some(cursor) = cursor {
        answer["cursor"] = cursor.into();
    }
    Ok((StatusCode::CREATED, Json(answer)).into_response())
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
    if given("upstash-retry-delay") {
        spec.retry_delay = overrides.retry_delay;
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
