//! Flow control: the limits shared by every message with one `Upstash-Flow-Control-Key`
//! (deliveries in flight, deliveries per period), and the API that shows, pins and resets them.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use serde_json::json;

use crate::api::{AppState, Reply, not_found, query_values};
use crate::spec::FlowControl;
use crate::state::{State, now_millis};

/// One key's limits and counters, as `GET /v2/flowControl/{key}` shows them.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FlowKey {
    flow_control_key: String,
    wait_list_size: u64,
    parallelism_max: u64,
    parallelism_count: u64,
    rate_max: u64,
    rate_count: u64,
    rate_period: u64,
    rate_period_start: u64,
    is_paused: bool,
    is_pinned_parallelism: bool,
    is_pinned_rate: bool,
}

impl FlowKey {
    /// Takes the limits a publish carries, unless they are pinned.
    fn adopt(&mut self, flow: &FlowControl) {
        if !self.is_pinned_parallelism {
            self.parallelism_max = flow.parallelism.map_or(0, u64::from);
        }
        if !self.is_pinned_rate {
            self.rate_max = flow.rate.map_or(0, u64::from);
            self.rate_period = flow.period.map_or(1, |p| p.as_secs().max(1));
        }
    }

    /// Whether a delivery may start now; counts it when it may.
    fn admit(&mut self, now: u64) -> bool {
        if self.is_paused {
            return false;
        }
        if now.saturating_sub(self.rate_period_start) >= self.rate_period.max(1) * 1000 {
            self.rate_period_start = now;
            self.rate_count = 0;
        }
        let parallel_ok = self.parallelism_max == 0 || self.parallelism_count < self.parallelism_max;
        let rate_ok = self.rate_max == 0 || self.rate_count < self.rate_max;
        if parallel_ok && rate_ok {
            self.parallelism_count += 1;
            self.rate_count += 1;
            return true;
        }
        false
    }
}

/// A delivery's place under its key's limits, given back when it is dropped.
pub(crate) struct Slot<'a> {
    state: &'a State,
    key: String,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(flow) = self.state.lock().flow_keys.get_mut(&self.key) {
            flow.parallelism_count = flow.parallelism_count.saturating_sub(1);
        }
    }
}

/// Waits until the key's limits let one more delivery start.
pub(crate) async fn slot<'a>(state: &'a State, flow: &FlowControl) -> Slot<'a> {
    let mut waiting = false;
    loop {
        {
            let mut inner = state.lock();
            let key = inner.flow_keys.entry(flow.key.clone()).or_insert_with(|| FlowKey {
                flow_control_key: flow.key.clone(),
                rate_period: 1,
                ..FlowKey::default()
            });
            key.adopt(flow);
            if key.admit(now_millis()) {
                if waiting {
                    key.wait_list_size = key.wait_list_size.saturating_sub(1);
                }
                return Slot { state, key: flow.key.clone() };
            }
            if !waiting {
                key.wait_list_size += 1;
                waiting = true;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `GET /v2/flowControl?search=…`.
pub(crate) async fn list(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let search = query_values(&query, "search");
    let inner = state.lock();
    let keys: Vec<&FlowKey> = inner
        .flow_keys
        .values()
        .filter(|k| search.iter().all(|s| k.flow_control_key.contains(s.as_str())))
        .collect();
    Ok(Json(keys).into_response())
}

/// `GET /v2/flowControl/{key}`.
pub(crate) async fn get(Shared(state): Shared<AppState>, Path(key): Path<String>) -> Reply {
    let inner = state.lock();
    let flow = inner.flow_keys.get(&key).ok_or_else(|| not_found("flow-control key", &key))?;
    Ok(Json(flow).into_response())
}

/// `GET /v2/globalParallelism`: the dev server's bound on deliveries in flight.
pub(crate) async fn global(Shared(state): Shared<AppState>) -> Reply {
    let available = state.in_flight.available_permits() as u64;
    Ok(Json(json!({ "parallelismMax": state.max_in_flight, "parallelismCount": state.max_in_flight.saturating_sub(available) }))
        .into_response())
}

/// `POST /v2/flowControl/{key}/{pause,resume,pin,unpin,resetRate}`.
pub(crate) async fn control(
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
        _ => return Ok((StatusCode::NOT_FOUND, Json(json!({ "error": "no such endpoint" }))).into_response()),
    }
    Ok(StatusCode::OK.into_response())
}
