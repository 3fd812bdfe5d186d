//! The QStash REST API over the in-memory state, behind the development token: the routes,
//! each to a handler of the module for its area.

mod dlq;
mod flow_control;
mod keys;
mod logs;
mod messages;
mod publish;
mod queues;
mod schedules;
mod url_groups;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};

use crate::reply::{ApiError, AppState};
use crate::state::DEV_TOKEN;

/// Every endpoint of the API, on `state`; with `loopback_only`, for requests naming a loopback
/// host only.
pub(crate) fn router(state: AppState, loopback_only: bool) -> Router {
    Router::new()
        .route("/v2/publish/{*destination}", post(publish::publish))
        .route("/v2/enqueue/{queue}/{*destination}", post(publish::enqueue))
        .route("/v2/batch", post(publish::batch))
        .route("/v2/keys", get(keys::get))
        .route("/v2/keys/rotate", post(keys::rotate))
        .route("/v2/messages", delete(messages::cancel_many))
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
        .route("/v2/topics/{name}", get(url_groups::get).delete(url_groups::delete))
        .route(
            "/v2/topics/{name}/endpoints",
            post(url_groups::add_endpoints).delete(url_groups::remove_endpoints),
        )
        .route("/v2/queues", get(queues::list).post(queues::upsert))
        .route("/v2/queues/{name}", get(queues::get).delete(queues::delete))
        .route("/v2/queues/{name}/pause", post(queues::pause))
        .route("/v2/queues/{name}/resume", post(queues::resume))
        .fallback(|| async { ApiError(StatusCode::NOT_FOUND, "no such endpoint".into()) })
        .layer(middleware::from_fn(authorize))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            check_host(loopback_only, request, next)
        }))
        .with_state(state)
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

/// Only the development token opens the API, as a real QStash only opens it to its token, given
/// as a bearer or as `?qstash_token=`. The parameter is taken out of the request before any
/// handler sees it, so it never becomes part of a destination URL (a token sent on).
async fn authorize(mut request: Request, next: Next) -> Response {
    let bearer = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    let by_bearer = bearer == Some(&format!("Bearer {DEV_TOKEN}"));
    let (rest, tokens) = without_token(request.uri().query());
    let by_query = tokens.iter().any(|token| token == DEV_TOKEN);
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
    if by_bearer || by_query {
        return next.run(request).await;
    }
    ApiError(StatusCode::UNAUTHORIZED, "invalid token: use the development token".into()).into_response()
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
