//! The QStash REST API over the in-memory state, behind the development token: the routes,
//! each to a handler of the module for its area.

mod bulk_actions;
mod dlq;
mod flow_control;
mod keys;
mod logs;
mod messages;
mod publish;
mod queues;
mod schedules;
mod url_groups;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};

use crate::accounts::Accounts;
use crate::reply::{ApiError, AppState};

/// Every endpoint of the API, each request on the account of its token, with bodies of
/// `message_size` bytes at most; with `loopback_only`, for requests naming a loopback host
/// only.
pub(crate) fn router(accounts: Arc<Accounts>, loopback_only: bool, message_size: usize) -> Router {
    Router::new()
        .route("/v2/publish/{*destination}", post(publish::publish))
        .route("/v2/enqueue/{queue}/{*destination}", post(publish::enqueue))
        .route("/v2/batch", post(publish::batch))
        .route("/v2/keys", get(keys::get))
        .route("/v2/keys/rotate", post(keys::rotate))
        .route("/v2/messages", delete(messages::cancel_many))
        .route("/v2/bulkActions", get(bulk_actions::list))
        .route("/v2/bulkActions/{id}", get(bulk_actions::get))
        .route("/v2/messages/{id}", get(messages::get).delete(messages::cancel))
        .route("/v2/dlq", get(dlq::list).delete(dlq::delete_many))
        .route("/v2/dlq/retry", post(dlq::retry))
        .route("/v2/dlq/retry/{id}", post(dlq::retry_one))
        .route("/v2/dlq/{id}", get(dlq::get).delete(dlq::delete))
        .route("/v2/logs", get(logs::logs))
        .route("/v2/events", get(logs::events))
        .route("/v2/flowControl", get(flow_control::list))
        .route("/v2/flowControl/{key}", get(flow_control::get))
        .route("/v2/flowControl/{key}/{action}", post(flow_control::control))
        .route("/v2/globalParallelism", get(flow_control::global))
        .route("/v2/schedules", get(schedules::list))
        .route(
            "/v2/schedules/{*rest}",
            post(schedules::create)
                .get(schedules::get)
                .delete(schedules::delete)
                .patch(schedules::pause_or_resume),
        )
        .route("/v2/topics", get(url_groups::list))
        .route("/v2/topics/{name}", get(url_groups::get).delete(url_groups::delete).patch(url_groups::rename))
        .route(
            "/v2/topics/{name}/endpoints",
            post(url_groups::add_endpoints).delete(url_groups::remove_endpoints),
        )
        .route("/v2/queues", get(queues::list).post(queues::upsert))
        .route("/v2/queues/{name}", get(queues::get).delete(queues::delete))
        .route("/v2/queues/{name}/pause", post(queues::pause))
        .route("/v2/queues/{name}/resume", post(queues::resume))
        .fallback(|| async { ApiError(StatusCode::NOT_FOUND, "no such endpoint".into()) })
        .method_not_allowed_fallback(|request: Request| async move {
            ApiError(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{} is not allowed on {}", request.method(), request.uri().path()),
            )
        })
        .layer(DefaultBodyLimit::max(message_size))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            authorize(accounts.clone(), request, next)
        }))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            check_host(loopback_only, request, next)
        }))
        .layer(middleware::map_response(error_as_json))
}

/// QStash answers every error as `{"error": "…"}`; axum's own refusals (a body over the size
/// limit, a path it cannot read) are plain text, so they are wrapped here, once for all.
async fn error_as_json(response: Response) -> Response {
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let status = response.status();
    if status.is_success() || json {
        return response;
    }
    let reason = status.canonical_reason().unwrap_or("error");
    let text = match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
        Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
        _ => reason.to_owned(),
    };
    ApiError(status, text).into_response()
}

/// Refuses (403) a request whose `Host` is not a loopback name when the server listens on
/// loopback: a browser sends the name it resolved, so a page at a name rebound to 127.0.0.1
/// is turned away before it can use the public development token.
async fn check_host(loopback_only: bool, request: Request, next: Next) -> Response {
    let host = request.headers().get(axum::http::header::HOST).map(|h| h.to_str().unwrap_or("?"));
    match host {
        Some(host) if loopback_only && !loopback_name(host) => ApiError(
            StatusCode::FORBIDDEN,
            format!(
                "this dev server answers requests for localhost, 127.0.0.1 and [::1] only, not {host:?}: \
                 start it with --host 0.0.0.0 to serve other names (in a container)"
            ),
        )
        .into_response(),
        _ => next.run(request).await,
    }
}

/// Whether a `Host` value (`name[:port]`) names this machine's loopback.
fn loopback_name(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name).to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The query parameter QStash also takes the token in.
const TOKEN_PARAMETER: &str = "qstash_token";

/// Only a user's token opens the API (the development token or a test user's), as a real
/// QStash only opens it to its token, given as a bearer or as `?qstash_token=`; the request
/// then works on that user's account. The parameter is taken out of the request before any
/// handler sees it, so it never becomes part of a destination URL (a token sent on).
async fn authorize(accounts: Arc<Accounts>, mut request: Request, next: Next) -> Response {
    let bearer = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    let by_bearer = bearer.and_then(|b| b.strip_prefix("Bearer ")).and_then(|token| accounts.of(token));
    let (rest, tokens) = without_token(request.uri().query());
    let account = by_bearer.or_else(|| tokens.iter().find_map(|token| accounts.of(token))).cloned();
    if !tokens.is_empty() {
        let path = request.uri().path().to_owned();
        let target = if rest.is_empty() { path } else { format!("{path}?{rest}") };
        match target.parse() {
            Ok(uri) => *request.uri_mut() = uri,
            Err(_) => {
                return ApiError(StatusCode::BAD_REQUEST, "invalid request target".into()).into_response();
            }
        }
    }
    match account {
        Some(account) => {
            request.extensions_mut().insert::<AppState>(account);
            next.run(request).await
        }
        None => ApiError(StatusCode::UNAUTHORIZED, "invalid token: use the development token".into())
            .into_response(),
    }
}

/// The query without its `qstash_token` parameters, and their (decoded) values.
fn without_token(query: Option<&str>) -> (String, Vec<String>) {
    let mut kept = Vec::new();
    let mut tokens = Vec::new();
    for part in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        if name == TOKEN_PARAMETER {
            let pair = format!("{TOKEN_PARAMETER}={value}");
            let decoded: Vec<(String, String)> = serde_urlencoded::from_str(&pair).unwrap_or_default();
            tokens.push(decoded.into_iter().next().map(|(_, v)| v).unwrap_or_default());
        } else {
            kept.push(part);
        }
    }
    (kept.join("&"), tokens)
}
