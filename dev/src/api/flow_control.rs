//! `/v2/flowControl` and `/v2/globalParallelism`: the flow-control keys, shown, pinned,
//! paused and reset.

use axum::Json;
use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use qstash_client::GlobalParallelism;

use crate::flow_key::FlowKey;
use crate::ids::now_millis;
use crate::reply::{ApiError, AppState, Reply, not_found, query_values};

/// `GET /v2/flowControl?search=…`.
pub(super) async fn list(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let search = query_values(&query, "search");
    let inner = state.lock();
    let keys: Vec<_> = inner
        .flow_keys
        .values()
        .filter(|k| search.iter().all(|s| k.flow_control_key.contains(s.as_str())))
        .map(FlowKey::view)
        .collect();
    Ok(Json(keys).into_response())
}

/// `GET /v2/flowControl/{key}`.
pub(super) async fn get(Shared(state): Shared<AppState>, Path(key): Path<String>) -> Reply {
    let inner = state.lock();
    let flow = inner.flow_keys.get(&key).ok_or_else(|| not_found("flow-control key", &key))?;
    Ok(Json(flow.view()).into_response())
}

/// `GET /v2/globalParallelism`: the dev server's bound on deliveries in flight.
pub(super) async fn global(Shared(state): Shared<AppState>) -> Reply {
    let available = state.in_flight.available_permits() as u64;
    let mut global = GlobalParallelism::default();
    global.parallelism_max = state.max_in_flight;
    global.parallelism_count = state.max_in_flight.saturating_sub(available);
    Ok(Json(global).into_response())
}

/// `POST /v2/flowControl/{key}/{pause,resume,pin,unpin,resetRate}`.
pub(super) async fn control(
    Shared(state): Shared<AppState>,
    Path((key, action)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Reply {
    let number = |name: &str| query_values(&query, name).first().and_then(|v| v.parse::<u64>().ok());
    let flag = |name: &str| query_values(&query, name).first().is_some_and(|v| v == "true");
    let mut inner = state.lock();
    let flow = inner.flow_keys.get_mut(&key).ok_or_else(|| not_found("flow-control key", &key))?;
    match action.as_str() {
        "pause" => flow.is_paused = true,
        "resume" => flow.is_paused = false,
        "resetRate" => {
            flow.rate_count = 0;
            flow.rate_period_start = now_millis();
        }
        "pin" => {
            if let Some(parallelism) = number("parallelism") {
                flow.parallelism_max = parallelism;
                flow.is_pinned_parallelism = true;
            }
            if let Some(rate) = number("rate") {
                flow.rate_max = rate;
                flow.is_pinned_rate = true;
            }
            if let Some(period) = number("period") {
                flow.rate_period = period.max(1);
            }
        }
        "unpin" => {
            if flag("parallelism") {
                flow.is_pinned_parallelism = false;
            }
            if flag("rate") {
                flow.is_pinned_rate = false;
            }
        }
        _ => return Err(ApiError(StatusCode::NOT_FOUND, "no such endpoint".into())),
    }
    Ok(StatusCode::OK.into_response())
}
