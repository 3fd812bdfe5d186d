//! The log of what happened to each message, newest first: `GET /v2/logs` (`{cursor, logs}`,
//! as the API reference has it) and `GET /v2/events` (`{cursor, events}`, which the official
//! clients still call), with the same filters and pages.

use axum::Json;
use axum::extract::RawQuery;
use axum::response::IntoResponse;
use qstash_client::LogEvent;
use serde_json::json;

use crate::reply::{AppState, Reply, Shared, bad_request, page_of, query_values};

/// The largest page, and the default one (the API reference's `count`).
const MAX_COUNT: usize = 100;

/// The entries of one page matching the query's filters (`messageId(s)`, `state`, `url`,
/// `topicName`, `scheduleId`, `queueName`, `label`: any of several values; `fromDate`,
/// `toDate`: inclusive Unix milliseconds), `count` of them from `cursor`, and the next cursor.
fn page(
    state: &AppState,
    query: &Option<String>,
) -> Result<(Vec<LogEvent>, Option<String>), crate::reply::ApiError> {
    let values = |name: &str| query_values(query, name);
    let number = |name: &str| -> Result<Option<u64>, crate::reply::ApiError> {
        match values(name).first() {
            None => Ok(None),
            Some(text) => {
                text.parse().map(Some).map_err(|_| bad_request(format!("{name} must be a whole number")))
            }
        }
    };
    let (from, to) = (number("fromDate")?, number("toDate")?);
    let one_of = |wanted: &Vec<String>, value: Option<&String>| {
        wanted.is_empty() || value.is_some_and(|v| wanted.contains(v))
    };
    // `messageIds` is the official client's name for several, `messageId` the reference's.
    let message_ids = [values("messageId"), values("messageIds")].concat();
    let (states, urls, groups) = (values("state"), values("url"), values("topicName"));
    let (schedules, queues, labels) = (values("scheduleId"), values("queueName"), values("label"));
    let inner = state.lock();
    let matching: Vec<LogEvent> = inner
        .events
        .iter()
        .rev()
        .filter(|e| message_ids.is_empty() || message_ids.contains(&e.message_id))
        .filter(|e| states.is_empty() || states.iter().any(|s| s.eq_ignore_ascii_case(e.state.as_str())))
        .filter(|e| one_of(&urls, e.url.as_ref()) && one_of(&groups, e.url_group.as_ref()))
        .filter(|e| one_of(&schedules, e.schedule_id.as_ref()) && one_of(&queues, e.queue_name.as_ref()))
        .filter(|e| one_of(&labels, e.label.as_ref()))
        .filter(|e| from.is_none_or(|from| e.time >= from) && to.is_none_or(|to| e.time <= to))
        .cloned()
        .collect();
    page_of(matching, query, MAX_COUNT)
}

/// `GET /v2/logs`.
pub(super) async fn logs(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let (logs, cursor) = page(&state, &query)?;
    Ok(Json(json!({ "cursor": cursor, "logs": logs })).into_response())
}

/// `GET /v2/events`, the older name the official clients still call.
pub(super) async fn events(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let (events, cursor) = page(&state, &query)?;
    Ok(Json(json!({ "cursor": cursor, "events": events })).into_response())
}
