//! The QStash REST API over the in-memory state, behind the development token.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, Request, State as Shared};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::delivery;
use crate::spec::Spec;
use crate::state::{DEV_TOKEN, Endpoint, Message, Queue, State, new_id, now_millis};

pub(crate) type AppState = Arc<State>;

/// An API error in QStash's shape: `{"error": "…"}` with its status.
pub(crate) struct ApiError(pub(crate) StatusCode, pub(crate) String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

pub(crate) fn not_found(what: &str, id: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("{what} {id} not found"))
}

pub(crate) type Reply = Result<Response, ApiError>;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/v2/publish/{*destination}", post(publish))
        .route("/v2/enqueue/{queue}/{*destination}", post(enqueue))
        .route("/v2/batch", post(batch))
        .route("/v2/keys", get(crate::keys::get))
        .route("/v2/keys/rotate", post(crate::keys::rotate))
        .route("/v2/messages", axum::routing::delete(cancel_many))
        .route("/v2/messages/{id}", get(message).delete(cancel))
        .route("/v2/dlq", get(dlq_list).delete(dlq_delete_many))
        .route("/v2/dlq/retry", post(dlq_retry))
        .route("/v2/dlq/{id}", get(dlq_get).delete(dlq_delete))
        .route("/v2/events", get(events))
        .route("/v2/flowControl", get(crate::flow::list))
        .route("/v2/flowControl/{key}", get(crate::flow::get))
        .route("/v2/flowControl/{key}/{action}", post(crate::flow::control))
        .route("/v2/globalParallelism", get(crate::flow::global))
        .route("/v2/schedules", get(crate::schedules::list))
        .route(
            "/v2/schedules/{*rest}",
            post(crate::schedules::create)
                .get(crate::schedules::get)
                .delete(crate::schedules::delete)
                .patch(crate::schedules::pause_or_resume),
        )
        .route("/v2/topics", get(url_groups))
        .route("/v2/topics/{name}", get(url_group).delete(url_group_delete))
        .route("/v2/topics/{name}/endpoints", post(endpoints_add).delete(endpoints_remove))
        .route("/v2/queues", get(queues).post(queue_upsert))
        .route("/v2/queues/{name}", get(queue).delete(queue_delete))
        .route("/v2/queues/{name}/pause", post(queue_pause))
        .route("/v2/queues/{name}/resume", post(queue_resume))
        .fallback(|| async { ApiError(StatusCode::NOT_FOUND, "no such endpoint".into()) })
        .layer(middleware::from_fn(authorize))
        .with_state(state)
}

/// Only the development token opens the API, as a real QStash only opens it to its token.
async fn authorize(request: Request, next: Next) -> Response {
    let bearer = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    if bearer == Some(&format!("Bearer {DEV_TOKEN}")) {
        return next.run(request).await;
    }
    ApiError(StatusCode::UNAUTHORIZED, "invalid token: use the development token".into()).into_response()
}

/// The destination in a publish path, with the query that belongs to it.
pub(crate) fn destination(uri: &Uri, prefix_segments: usize) -> String {
    let path = uri.path();
    let mut rest = path;
    for _ in 0..prefix_segments {
        rest = rest.trim_start_matches('/');
        rest = rest.find('/').map_or("", |i| &rest[i..]);
    }
    let rest = rest.trim_start_matches('/');
    match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    }
}

fn is_url(destination: &str) -> bool {
    destination.starts_with("http://") || destination.starts_with("https://")
}

/// Accepts one message (or one per endpoint of a URL group): the publish, enqueue and batch
/// answer for it.
fn accept(
    state: &AppState,
    queue: Option<&str>,
    destination: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Value, ApiError> {
    let spec = Spec::from_headers(headers).map_err(bad_request)?;
    accept_spec(state, queue, None, destination, spec, body)
}

/// [`accept`] with the spec already read (a schedule keeps its own and names itself).
pub(crate) fn accept_spec(
    state: &AppState,
    queue: Option<&str>,
    schedule_id: Option<&str>,
    destination: &str,
    spec: Spec,
    body: Bytes,
) -> Result<Value, ApiError> {
    let targets: Vec<(String, Option<String>, Option<String>)> = if is_url(destination) {
        vec![(destination.to_owned(), None, None)]
    } else {
        let inner = state.lock();
        let (_, endpoints) =
            inner.url_groups.get(destination).ok_or_else(|| not_found("URL group", destination))?;
        endpoints
            .iter()
            .filter_map(|e| Some((e.url.clone()?, Some(destination.to_owned()), e.name.clone())))
            .collect()
    };
    if let Some(name) = queue {
        let mut inner = state.lock();
        let queue = inner.queues.entry(name.to_owned()).or_insert_with(|| new_queue(1, false));
        queue.lag += targets.len() as u64;
    }
    let mut answers = Vec::new();
    for (url, url_group, endpoint_name) in targets {
        let id = new_id("msg");
        let key = match (&spec.deduplication_id, spec.content_based_deduplication) {
            (Some(dedup), _) => Some(format!("id:{dedup}:{url}")),
            (None, true) => Some(format!("body:{:x}:{url}", Sha256::digest(&body))),
            (None, false) => None,
        };
        if let Some(earlier) = key.and_then(|key| state.deduplicate(key, &id)) {
            answers.push(json!({ "messageId": earlier, "url": url, "deduplicated": true }));
            continue;
        }
        let message = Message {
            id: id.clone(),
            url: url.clone(),
            url_group: url_group.clone(),
            endpoint_name,
            queue: queue.map(str::to_owned),
            schedule_id: schedule_id.map(str::to_owned),
            spec: spec.clone(),
            body: body.clone(),
            created_at: now_millis(),
        };
        state.lock().messages.insert(id.clone(), message.clone());
        state.log(&message, "CREATED", |_| {});
        delivery::spawn(state.clone(), message);
        answers.push(json!({ "messageId": id, "url": url }));
    }
    Ok(if is_url(destination) {
        let mut single = answers.into_iter().next().unwrap_or_default();
        if let Some(object) = single.as_object_mut() {
            object.remove("url");
        }
        single
    } else {
        Value::Array(answers)
    })
}

async fn publish(Shared(state): Shared<AppState>, uri: Uri, headers: HeaderMap, body: Bytes) -> Reply {
    let destination = destination(&uri, 2);
    Ok(Json(accept(&state, None, &destination, &headers, body)?).into_response())
}

async fn enqueue(
    Shared(state): Shared<AppState>,
    Path(params): Path<HashMap<String, String>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let queue = params.get("queue").cloned().unwrap_or_default();
    let destination = destination(&uri, 3);
    Ok(Json(accept(&state, Some(&queue), &destination, &headers, body)?).into_response())
}

#[derive(Deserialize)]
struct BatchEntry {
    destination: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    queue: Option<String>,
}

async fn batch(Shared(state): Shared<AppState>, body: Bytes) -> Reply {
    let entries: Vec<BatchEntry> =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid batch: {e}")))?;
    let mut answers = Vec::new();
    for entry in entries {
        let mut headers = HeaderMap::new();
        for (name, value) in &entry.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| bad_request(format!("invalid header name {name}")))?;
            let value =
                HeaderValue::from_str(value).map_err(|_| bad_request(format!("invalid value of {name}")))?;
            headers.insert(name, value);
        }
        answers.push(accept(
            &state,
            entry.queue.as_deref(),
            &entry.destination,
            &headers,
            Bytes::from(entry.body),
        )?);
    }
    Ok(Json(answers).into_response())
}

async fn message(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let inner = state.lock();
    let message = inner.messages.get(&id).ok_or_else(|| not_found("message", &id))?;
    Ok(Json(Value::Object(message.json())).into_response())
}

async fn cancel(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let removed = state.lock().messages.remove(&id).ok_or_else(|| not_found("message", &id))?;
    state.log(&removed, "CANCELED", |_| {});
    Ok(StatusCode::ACCEPTED.into_response())
}

/// The values of `name` in a query (`a=1&a=2`), percent-decoded.
pub(crate) fn query_values(query: &Option<String>, name: &str) -> Vec<String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    pairs.into_iter().filter(|(k, _)| k == name).map(|(_, v)| v).collect()
}

async fn cancel_many(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let ids = query_values(&query, "messageIds");
    let count: usize = query_values(&query, "count").first().and_then(|c| c.parse().ok()).unwrap_or(100);
    let removed: Vec<Message> = {
        let mut inner = state.lock();
        let chosen: Vec<String> =
            if ids.is_empty() { inner.messages.keys().take(count).cloned().collect() } else { ids };
        chosen.iter().filter_map(|id| inner.messages.remove(id)).collect()
    };
    for message in &removed {
        state.log(message, "CANCELED", |_| {});
    }
    Ok(Json(json!({ "cancelled": removed.len() })).into_response())
}

async fn dlq_list(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let url = query_values(&query, "url");
    let inner = state.lock();
    let messages: Vec<Value> = inner
        .dlq
        .iter()
        .filter(|d| url.is_empty() || url.contains(&d.message.url))
        .map(|d| d.json())
        .collect();
    Ok(Json(json!({ "messages": messages })).into_response())
}

async fn dlq_get(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let inner = state.lock();
    let dead = inner.dlq.iter().find(|d| d.dlq_id == id).ok_or_else(|| not_found("DLQ message", &id))?;
    Ok(Json(dead.json()).into_response())
}

async fn dlq_delete(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let mut inner = state.lock();
    let before = inner.dlq.len();
    inner.dlq.retain(|d| d.dlq_id != id);
    if inner.dlq.len() == before {
        return Err(not_found("DLQ message", &id));
    }
    Ok(StatusCode::OK.into_response())
}

async fn dlq_delete_many(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let ids = query_values(&query, "dlqIds");
    let mut inner = state.lock();
    let before = inner.dlq.len();
    inner.dlq.retain(|d| !ids.contains(&d.dlq_id));
    Ok(Json(json!({ "deleted": before - inner.dlq.len() })).into_response())
}

async fn dlq_retry(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let ids = query_values(&query, "dlqIds");
    let taken: Vec<Message> = {
        let mut inner = state.lock();
        let (retry, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut inner.dlq).into_iter().partition(|d| ids.contains(&d.dlq_id));
        inner.dlq = keep;
        retry.into_iter().map(|d| d.message).collect()
    };
    let mut responses = Vec::new();
    for mut message in taken {
        message.id = new_id("msg");
        message.created_at = now_millis();
        state.lock().messages.insert(message.id.clone(), message.clone());
        state.log(&message, "CREATED", |_| {});
        responses.push(json!({ "messageId": message.id }));
        delivery::spawn(state.clone(), message);
    }
    Ok(Json(json!({ "responses": responses })).into_response())
}

async fn events(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let message_id = query_values(&query, "messageId");
    let wanted_state = query_values(&query, "state");
    let inner = state.lock();
    let events: Vec<Value> = inner
        .events
        .iter()
        .rev()
        .filter(|e| message_id.is_empty() || message_id.contains(&e.message_id))
        .filter(|e| wanted_state.is_empty() || wanted_state.iter().any(|s| s == e.state))
        .filter_map(|e| serde_json::to_value(e).ok())
        .collect();
    Ok(Json(json!({ "events": events })).into_response())
}

#[derive(Deserialize)]
struct Endpoints {
    endpoints: Vec<Endpoint>,
}

fn group_json(name: &str, created_at: u64, endpoints: &[Endpoint]) -> Value {
    json!({ "name": name, "createdAt": created_at, "updatedAt": created_at, "endpoints": endpoints })
}

async fn url_groups(Shared(state): Shared<AppState>) -> Reply {
    let inner = state.lock();
    let groups: Vec<Value> =
        inner.url_groups.iter().map(|(name, (at, endpoints))| group_json(name, *at, endpoints)).collect();
    Ok(Json(groups).into_response())
}

async fn url_group(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    let inner = state.lock();
    let (at, endpoints) = inner.url_groups.get(&name).ok_or_else(|| not_found("URL group", &name))?;
    Ok(Json(group_json(&name, *at, endpoints)).into_response())
}

async fn url_group_delete(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    state.lock().url_groups.remove(&name).ok_or_else(|| not_found("URL group", &name))?;
    Ok(StatusCode::OK.into_response())
}

async fn endpoints_add(Shared(state): Shared<AppState>, Path(name): Path<String>, body: Bytes) -> Reply {
    let added: Endpoints =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid endpoints: {e}")))?;
    if added.endpoints.iter().any(|e| !e.url.as_deref().is_some_and(is_url)) {
        return Err(bad_request("every endpoint needs an http(s) url"));
    }
    let mut inner = state.lock();
    let (_, endpoints) = inner.url_groups.entry(name).or_insert_with(|| (now_millis(), Vec::new()));
    for endpoint in added.endpoints {
        endpoints.retain(|e| e.url != endpoint.url);
        endpoints.push(endpoint);
    }
    Ok(StatusCode::OK.into_response())
}

async fn endpoints_remove(Shared(state): Shared<AppState>, Path(name): Path<String>, body: Bytes) -> Reply {
    let removed: Endpoints =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid endpoints: {e}")))?;
    let mut inner = state.lock();
    let (_, endpoints) = inner.url_groups.get_mut(&name).ok_or_else(|| not_found("URL group", &name))?;
    endpoints.retain(|e| {
        !removed
            .endpoints
            .iter()
            .any(|r| (r.url.is_some() && r.url == e.url) || (r.name.is_some() && r.name == e.name))
    });
    Ok(StatusCode::OK.into_response())
}

fn new_queue(parallelism: u32, paused: bool) -> Queue {
    let permits = parallelism.max(1) as usize;
    Queue {
        parallelism: parallelism.max(1),
        paused,
        lag: 0,
        created_at: now_millis(),
        permits: Arc::new(tokio::sync::Semaphore::new(permits)),
    }
}

fn queue_json(name: &str, queue: &Queue) -> Value {
    json!({ "name": name, "parallelism": queue.parallelism, "lag": queue.lag, "paused": queue.paused,
            "createdAt": queue.created_at, "updatedAt": queue.created_at })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueUpsert {
    queue_name: String,
    #[serde(default)]
    parallelism: Option<u32>,
    #[serde(default)]
    paused: bool,
}

async fn queue_upsert(Shared(state): Shared<AppState>, body: Bytes) -> Reply {
    let upsert: QueueUpsert =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid queue: {e}")))?;
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
        }
        None => {
            inner.queues.insert(upsert.queue_name, new_queue(parallelism, upsert.paused));
        }
    }
    Ok(StatusCode::OK.into_response())
}

async fn queues(Shared(state): Shared<AppState>) -> Reply {
    let inner = state.lock();
    let all: Vec<Value> = inner.queues.iter().map(|(name, q)| queue_json(name, q)).collect();
    Ok(Json(all).into_response())
}

async fn queue(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    let inner = state.lock();
    let queue = inner.queues.get(&name).ok_or_else(|| not_found("queue", &name))?;
    Ok(Json(queue_json(&name, queue)).into_response())
}

async fn queue_delete(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    state.lock().queues.remove(&name).ok_or_else(|| not_found("queue", &name))?;
    Ok(StatusCode::OK.into_response())
}

fn set_paused(state: &State, name: &str, paused: bool) -> Reply {
    let mut inner = state.lock();
    let queue = inner.queues.get_mut(name).ok_or_else(|| not_found("queue", name))?;
    queue.paused = paused;
    Ok(StatusCode::OK.into_response())
}

async fn queue_pause(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    set_paused(&state, &name, true)
}

async fn queue_resume(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    set_paused(&state, &name, false)
}
