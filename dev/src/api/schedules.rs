//! `/v2/schedules`: cron schedules, created, read, paused, resumed and deleted.

use axum::Json;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use bytes::Bytes;
use serde_json::json;

use crate::accept::{check_name, destination};
use crate::ids::{new_id, now_millis};
use crate::reply::{ApiError, AppState, Caller, Reply, Shared, bad_request, full, not_found};
use crate::schedules::{self, next_run};
use crate::spec::Spec;
use crate::state::Schedule;
use crate::timetable::Timetable;

/// `POST /v2/schedules/{destination}`: creates a schedule, or updates the one named by
/// `Upstash-Schedule-Id`.
pub(super) async fn create(
    Shared(state): Shared<AppState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let destination = destination(&uri, 2);
    let (id, action) = id_and_action(&uri);
    if !id.contains(':') && matches!(action.as_deref(), Some("pause" | "resume")) {
        // `POST /v2/schedules/{id}/pause|resume`, the reference's form: a destination is a
        // URL (with a scheme) or a URL group name (one segment), never `{id}/pause`.
        return pause_or_resume(Shared(state), uri).await;
    }
    let cron_text = headers
        .get("upstash-cron")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| bad_request("Upstash-Cron is required"))?
        .to_owned();
    let timetable = Timetable::parse(&cron_text).map_err(bad_request)?;
    let mut spec = Spec::from_headers(&headers).map_err(bad_request)?;
    spec.caller_ip = caller.0;
    let queue = match headers.get("upstash-queue-name").map(|v| v.to_str().map(str::trim)) {
        Some(Ok(name)) => {
            check_name("queue", name)?;
            Some(name.to_owned())
        }
        Some(Err(_)) => return Err(bad_request("Upstash-Queue-Name is not text")),
        None => None,
    };
    let id = match headers.get("upstash-schedule-id").and_then(|v| v.to_str().ok()) {
        Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => new_id("scd"),
    };
    let generation = {
        let mut inner = state.lock();
        let limit = state.settings.limits.schedules;
        if !inner.schedules.contains_key(&id) && inner.schedules.len() >= limit {
            return Err(full("schedules", limit));
        }
        let generation = inner.schedules.get(&id).map_or(0, |s| s.generation + 1);
        let created_at = inner.schedules.get(&id).map_or_else(now_millis, |s| s.created_at);
        inner.schedules.insert(
            id.clone(),
            Schedule {
                id: id.clone(),
                cron: cron_text,
                destination,
                queue,
                spec,
                body,
                paused: false,
                created_at,
                last_run: None,
                next_run: next_run(&timetable),
                generation,
            },
        );
        generation
    };
    schedules::start(state.clone(), id.clone(), timetable, generation);
    Ok(Json(json!({ "scheduleId": id })).into_response())
}

/// `GET /v2/schedules`.
pub(super) async fn list(Shared(state): Shared<AppState>) -> Reply {
    let all: Vec<_> = state.lock().schedules.values().map(Schedule::view).collect();
    Ok(Json(all).into_response())
}

/// The schedule id, and the action after it (`pause`, `resume`), from the path.
fn id_and_action(uri: &Uri) -> (String, Option<String>) {
    let rest = destination(uri, 2);
    let rest = rest.split('?').next().unwrap_or_default();
    match rest.split_once('/') {
        Some((id, action)) => (id.to_owned(), Some(action.to_owned())),
        None => (rest.to_owned(), None),
    }
}

/// `GET /v2/schedules/{id}`.
pub(super) async fn get(Shared(state): Shared<AppState>, uri: Uri) -> Reply {
    let (id, _) = id_and_action(&uri);
    let inner = state.lock();
    let schedule = inner.schedules.get(&id).ok_or_else(|| not_found("schedule", &id))?;
    Ok(Json(schedule.view()).into_response())
}

/// `DELETE /v2/schedules/{id}`.
pub(super) async fn delete(Shared(state): Shared<AppState>, uri: Uri) -> Reply {
    let (id, _) = id_and_action(&uri);
    state.lock().schedules.remove(&id).ok_or_else(|| not_found("schedule", &id))?;
    Ok(StatusCode::OK.into_response())
}

/// `POST` (the API reference) or `PATCH` (the official TypeScript client)
/// `/v2/schedules/{id}/pause|resume`.
pub(super) async fn pause_or_resume(Shared(state): Shared<AppState>, uri: Uri) -> Reply {
    let (id, action) = id_and_action(&uri);
    let paused = match action.as_deref() {
        Some("pause") => true,
        Some("resume") => false,
        _ => return Ok(ApiError(StatusCode::NOT_FOUND, "no such endpoint".into()).into_response()),
    };
    let mut inner = state.lock();
    let schedule = inner.schedules.get_mut(&id).ok_or_else(|| not_found("schedule", &id))?;
    schedule.paused = paused;
    Ok(StatusCode::OK.into_response())
}
