//! `/v2/queues`: ordered delivery with a parallelism limit.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use bytes::Bytes;
use serde::Deserialize;

use crate::accept::check_name;
use crate::reply::{AppState, Reply, Shared, bad_request, full, not_found};
use crate::state::{Queue, State};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueUpsert {
    queue_name: String,
    #[serde(default)]
    parallelism: Option<u32>,
    #[serde(default)]
    paused: bool,
}

/// `POST /v2/queues`: creates the queue or changes it.
pub(super) async fn upsert(Shared(state): Shared<AppState>, body: Bytes) -> Reply {
    let upsert: QueueUpsert =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid queue: {e}")))?;
    check_name("queue", &upsert.queue_name)?;
    let parallelism = upsert.parallelism.unwrap_or(1).max(1);
    let mut inner = state.lock();
    match inner.queues.get_mut(&upsert.queue_name) {
        Some(queue) => {
            // More permits now; fewer take effect as deliveries in flight end.
            if parallelism > queue.parallelism {
                queue.permits.add_permits((parallelism - queue.parallelism) as usize);
            } else {
                queue.permits.forget_permits((queue.parallelism - parallelism) as usize);
            }
            queue.parallelism = parallelism;
            queue.paused = upsert.paused;
            queue.turn.notify_waiters();
        }
        None => {
            let limit = state.settings.limits.queues;
            if inner.queues.len() >= limit {
                return Err(full("queues", limit));
            }
            inner.queues.insert(upsert.queue_name, Queue::new(parallelism, upsert.paused));
        }
    }
    Ok(StatusCode::OK.into_response())
}

/// `GET /v2/queues`.
pub(super) async fn list(Shared(state): Shared<AppState>) -> Reply {
    let inner = state.lock();
    let all: Vec<_> = inner.queues.iter().map(|(name, queue)| queue.view(name)).collect();
    Ok(Json(all).into_response())
}

/// `GET /v2/queues/{name}`.
pub(super) async fn get(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    let inner = state.lock();
    let queue = inner.queues.get(&name).ok_or_else(|| not_found("queue", &name))?;
    Ok(Json(queue.view(&name)).into_response())
}

/// `DELETE /v2/queues/{name}`.
pub(super) async fn delete(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    let queue = state.lock().queues.remove(&name).ok_or_else(|| not_found("queue", &name))?;
    // Its waiting messages find it gone and end.
    queue.turn.notify_waiters();
    Ok(StatusCode::OK.into_response())
}

fn set_paused(state: &State, name: &str, paused: bool) -> Reply {
    let mut inner = state.lock();
    let queue = inner.queues.get_mut(name).ok_or_else(|| not_found("queue", name))?;
    queue.paused = paused;
    queue.turn.notify_waiters();
    Ok(StatusCode::OK.into_response())
}

/// `POST /v2/queues/{name}/pause`.
pub(super) async fn pause(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    set_paused(&state, &name, true)
}

/// `POST /v2/queues/{name}/resume`.
pub(super) async fn resume(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    set_paused(&state, &name, false)
}
