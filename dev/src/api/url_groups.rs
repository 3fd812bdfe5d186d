//! `/v2/topics`: URL groups, to which a publish fans out.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use bytes::Bytes;
use qstash_client::Endpoint;
use serde::Deserialize;

use crate::accept::{check_name, is_url};
use crate::ids::now_millis;
use crate::reply::{ApiError, AppState, Reply, Shared, bad_request, full, not_found};
use crate::state::url_group_view;

#[derive(Deserialize)]
struct Endpoints {
    endpoints: Vec<Endpoint>,
}

/// `GET /v2/topics`.
pub(super) async fn list(Shared(state): Shared<AppState>) -> Reply {
    let inner = state.lock();
    let groups: Vec<_> =
        inner.url_groups.iter().map(|(name, (at, endpoints))| url_group_view(name, *at, endpoints)).collect();
    Ok(Json(groups).into_response())
}

/// `GET /v2/topics/{name}`.
pub(super) async fn get(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    let inner = state.lock();
    let (at, endpoints) = inner.url_groups.get(&name).ok_or_else(|| not_found("URL group", &name))?;
    Ok(Json(url_group_view(&name, *at, endpoints)).into_response())
}

/// `DELETE /v2/topics/{name}`.
pub(super) async fn delete(Shared(state): Shared<AppState>, Path(name): Path<String>) -> Reply {
    state.lock().url_groups.remove(&name).ok_or_else(|| not_found("URL group", &name))?;
    Ok(StatusCode::OK.into_response())
}

#[derive(Deserialize)]
struct Rename {
    name: String,
}

/// `PATCH /v2/topics/{name}` with `{"name": "…"}`: renames the group, keeping its endpoints;
/// 409 when a group has the new name already.
pub(super) async fn rename(Shared(state): Shared<AppState>, Path(name): Path<String>, body: Bytes) -> Reply {
    let rename: Rename =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid URL group: {e}")))?;
    check_name("URL group", &rename.name)?;
    let mut inner = state.lock();
    if rename.name != name && inner.url_groups.contains_key(&rename.name) {
        return Err(ApiError(StatusCode::CONFLICT, format!("URL group {} exists already", rename.name)));
    }
    let group = inner.url_groups.remove(&name).ok_or_else(|| not_found("URL group", &name))?;
    let view = url_group_view(&rename.name, group.0, &group.1);
    inner.url_groups.insert(rename.name, group);
    Ok(Json(view).into_response())
}

/// `POST /v2/topics/{name}/endpoints`: adds endpoints, creating the group.
pub(super) async fn add_endpoints(
    Shared(state): Shared<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Reply {
    let added: Endpoints =
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid endpoints: {e}")))?;
    check_name("URL group", &name)?;
    if added.endpoints.iter().any(|e| !e.url.as_deref().is_some_and(is_url)) {
        return Err(bad_request("every endpoint needs an http(s) url"));
    }
    let mut inner = state.lock();
    let limit = state.settings.limits.url_groups;
    if !inner.url_groups.contains_key(&name) && inner.url_groups.len() >= limit {
        return Err(full("URL groups", limit));
    }
    let (_, endpoints) = inner.url_groups.entry(name).or_insert_with(|| (now_millis(), Vec::new()));
    for endpoint in added.endpoints {
        endpoints.retain(|e| e.url != endpoint.url);
        endpoints.push(endpoint);
    }
    Ok(StatusCode::OK.into_response())
}

/// `DELETE /v2/topics/{name}/endpoints`: removes endpoints by URL or name.
pub(super) async fn remove_endpoints(
    Shared(state): Shared<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Reply {
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
