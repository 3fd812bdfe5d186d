//! `/v2/keys`: the signing keys, and their rotation.

use axum::Json;
use axum::response::{IntoResponse, Response};

use crate::reply::{AppState, Shared};

/// `GET /v2/keys`.
pub(super) async fn get(Shared(state): Shared<AppState>) -> Response {
    Json(state.lock().keys.view()).into_response()
}

/// `POST /v2/keys/rotate`: rotates, and answers with the new pair.
pub(super) async fn rotate(Shared(state): Shared<AppState>) -> Response {
    let mut inner = state.lock();
    inner.keys.rotate();
    Json(inner.keys.view()).into_response()
}
