//! `/v2/events`: the log of what happened to each message, newest first.

use axum::Json;
use axum::extract::{RawQuery, State as Shared};
use axum::response::IntoResponse;
use qstash_client::LogPage;

use crate::reply::{AppState, Reply, query_values};

/// `GET /v2/events?messageId=…&state=…`.
pub(super) async fn list(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let message_id = query_values(&query, "messageId");
    let wanted_state = query_values(&query, "state");
    let inner = state.lock();
    let mut page = LogPage::default();
    page.events = inner
        .events
        .iter()
        .rev()
        .filter(|e| message_id.is_empty() || message_id.contains(&e.message_id))
        .filter(|e| {
            wanted_state.is_empty()
                || serde_json::to_value(e.state).is_ok_and(|s| wanted_state.iter().any(|w| s == w.as_str()))
        })
        .cloned()
        .collect();
    Ok(Json(page).into_response())
}
