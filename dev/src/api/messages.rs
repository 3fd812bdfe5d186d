//! `/v2/messages`: messages waiting for delivery, read and cancelled.

use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use qstash_client::{BulkAction, BulkActionState, MessageState};
use serde_json::json;

use crate::filter::Filter;
use crate::ids::{new_id, now_millis};
use crate::reply::{AppState, Reply, Shared, not_found, query_values};
use crate::state::{BULK_ACTIONS_KEPT, Message};

/// `GET /v2/messages/{id}`.
pub(super) async fn get(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let inner = state.lock();
    let message = inner.messages.get(&id).ok_or_else(|| not_found("message", &id))?;
    Ok(Json(message.view()).into_response())
}

/// A cancel by filter that was asked to run in the background, finished: it ran here at once.
fn finished_cancel(query: &Option<String>, cancelled: u64) -> BulkAction {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let mut action = BulkAction::default();
    action.action_id = new_id("bact");
    action.kind = "cancel".to_owned();
    action.state = BulkActionState::Finished;
    (action.total, action.processed) = (cancelled, cancelled);
    let now = now_millis();
    (action.created_at, action.completed_at) = (Some(now), Some(now));
    for (name, value) in
        pairs.into_iter().filter(|(name, _)| !matches!(name.as_str(), "async" | "count" | "cursor"))
    {
        action.filter.entry(name).or_default().push(value);
    }
    action
}

/// `DELETE /v2/messages/{id}`.
pub(super) async fn cancel(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let removed = state.lock().messages.remove(&id).ok_or_else(|| not_found("message", &id))?;
    state.log(&removed, MessageState::Canceled, |_| {});
    // A JSON answer, as the bulk form's: the official clients parse one (an empty body made
    // `messages.cancel(id)` throw "Unexpected end of JSON input").
    Ok((StatusCode::ACCEPTED, Json(json!({ "cancelled": 1 }))).into_response())
}

/// `DELETE /v2/messages`: these `messageIds`, or the messages matching the reference's
/// filters, or (neither) every message. The deprecated `count` is ignored, as QStash does; a
/// filtered cancel finishes before the answer, so `async=true` answers with a finished action.
pub(super) async fn cancel_many(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let ids = query_values(&query, "messageIds");
    let filter = Filter::from_query(&query)?;
    let removed: Vec<Message> = {
        let mut inner = state.lock();
        let chosen: Vec<String> = if ids.is_empty() {
            inner
                .messages
                .values()
                .filter(|m| filter.matches(&m.view(), None))
                .map(|m| m.id.clone())
                .collect()
        } else {
            ids.clone()
        };
        chosen.iter().filter_map(|id| inner.messages.remove(id)).collect()
    };
    for message in &removed {
        state.log(message, MessageState::Canceled, |_| {});
    }
    let mut answer = json!({ "cancelled": removed.len() });
    if ids.is_empty() && query_values(&query, "async").first().map(String::as_str) == Some("true") {
        let action = finished_cancel(&query, removed.len() as u64);
        answer["actionId"] = action.action_id.clone().into();
        let mut inner = state.lock();
        if inner.bulk_actions.len() >= BULK_ACTIONS_KEPT {
            inner.bulk_actions.remove(0);
        }
        inner.bulk_actions.push(action);
    }
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}
