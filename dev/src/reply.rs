//! What every API handler answers with: its result type, QStash's error shape, the shared
//! state, and the query values handlers read.

use std::sync::Arc;

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::State;

/// The state the handlers share.
pub(crate) type AppState = Arc<State>;

/// An API error in QStash's shape: `{"error": "…"}` with its status.
pub(crate) struct ApiError(pub(crate) StatusCode, pub(crate) String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// The account of the token the request carries, which the API's authorization found: what
/// every handler works on.
pub(crate) struct Shared<T>(pub(crate) T);

impl<S: Send + Sync> FromRequestParts<S> for Shared<AppState> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<AppState>().cloned().map(Shared).ok_or_else(|| {
            ApiError(StatusCode::UNAUTHORIZED, "invalid token: use the development token".into())
        })
    }
}

/// The address a request came from, as the connection gives it (`None` without one, as in
/// the fuzz target): what the API shows as a message's `callerIP`.
pub(crate) struct Caller(pub(crate) Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let connection = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(Caller(connection.map(|c| c.0.ip().to_string())))
    }
}

/// A 400 with `message`.
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

/// A 429 saying which bound of the dev server a request would pass, and how to raise it.
pub(crate) fn full(what: &str, limit: usize) -> ApiError {
    ApiError(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "the dev server holds {limit} {what} at most (qstash_dev::Limits; qstash-kit dev --max-messages, \
             --max-stored-mb): wait for deliveries to end or delete some"
        ),
    )
}

/// A 404 naming what was not found.
pub(crate) fn not_found(what: &str, id: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("{what} {id} not found"))
}

/// What a handler returns.
pub(crate) type Reply = Result<Response, ApiError>;

/// The values of `name` in a query (`a=1&a=2`), percent-decoded.
pub(crate) fn query_values(query: &Option<String>, name: &str) -> Vec<String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    pairs.into_iter().filter(|(k, _)| k == name).map(|(_, v)| v).collect()
}

/// One page of `matching` as the query asks for it: `count` entries (1 to `max`, `max` when
/// not given) from `cursor` (an offset this server gave), and the cursor of the next page
/// when more follow.
pub(crate) fn page_of<T>(
    matching: Vec<T>,
    query: &Option<String>,
    max: usize,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let count = match query_values(query, "count").first() {
        None => max,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| bad_request(format!("count must be a whole number from 1 to {max}")))?,
    };
    let start = match query_values(query, "cursor").first().filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => {
            cursor.parse::<usize>().map_err(|_| bad_request("cursor is not one this server gave"))?
        }
    };
    let total = matching.len();
    let end = start.saturating_add(count).min(total);
    let entries = matching.into_iter().skip(start).take(end.saturating_sub(start)).collect();
    Ok((entries, (end < total).then(|| end.to_string())))
}
