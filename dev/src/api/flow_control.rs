//! `/v2/flowControl` and `/v2/globalParallelism`: the flow-control keys, shown, pinned,
//! paused and reset.

use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use qstash_client::GlobalParallelism;

use crate::flow_key::FlowKey;
use crate::ids::now_millis;
use crate::reply::{ApiError, AppState, Reply, Shared, bad_request, not_found, query_values};
use crate::spec::MAX_RATE_PERIOD;

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
    // A pin's numbers are checked as a publish's are: a positive count, a period of a year at
    // most; anything else is a 400 naming the parameter, never a silent no-op.
    let number = |name: &str, max: u64| -> Result<Option<u64>, ApiError> {
        match query_values(&query, name).first() {
            None => Ok(None),
            Some(value) => {
                value.parse::<u64>().ok().filter(|n| (1..=max).contains(n)).map(Some).ok_or_else(|| {
                    bad_request(format!("invalid {name}: {value:?} (a whole number from 1 to {max})"))
                })
            }
        }
    };
    let flag = |name: &str| -> Result<bool, ApiError> {
        match query_values(&query, name).first().map(String::as_str) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(value) => Err(bad_request(format!("invalid {name}: {value:?} (true or false)"))),
        }
    };
    let (parallelism, rate, period) = if action == "pin" {
        (
            number("parallelism", u64::from(u32::MAX))?,
            number("rate", u64::from(u32::MAX))?,
            number("period", MAX_RATE_PERIOD.as_secs())?,
        )
    } else {
        (None, None, None)
    };
    let (unpin_parallelism, unpin_rate) =
        if action == "unpin" { (flag("parallelism")?, flag("rate")?) } else { (false, false) };
    if action == "pin" && parallelism.is_none() && rate.is_none() {
        return Err(bad_request("pin needs a parallelism or a rate"));
    }
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
            if let Some(parallelism) = parallelism {
                flow.parallelism_max = parallelism;
                flow.is_pinned_parallelism = true;
            }
            if let Some(rate) = rate {
                flow.rate_max = rate;
                flow.is_pinned_rate = true;
            }
            if let Some(period) = period {
                flow.rate_period = period;
            }
        }
        "unpin" => {
            if unpin_parallelism {
                flow.is_pinned_parallelism = false;
            }
            if unpin_rate {
                flow.is_pinned_rate = false;
            }
        }
        _ => return Err(ApiError(StatusCode::NOT_FOUND, "no such endpoint".into())),
    }
    Ok(StatusCode::OK.into_response())
}
