//! What every API handler answers with: its result type, QStash's error shape, the shared
//! state, and the query values handlers read.

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
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

/// A 400 with `message`.
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
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
