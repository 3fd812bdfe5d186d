//! `/v2/bulkActions`: the cancels by filter that were asked to run in the background
//! (`DELETE /v2/messages?…&async=true`). Here they finish at once, so each is listed finished.

use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::response::IntoResponse;
use qstash_client::{BulkAction, BulkActionPage};

use crate::reply::{AppState, Reply, Shared, not_found, page_of, query_values};

/// The most bulk actions a page holds, and the default.
const MAX_COUNT: usize = 1000;

/// `GET /v2/bulkActions?state=…&count=…&cursor=…`, newest first.
pub(super) async fn list(Shared(state): Shared<AppState>, RawQuery(query): RawQuery) -> Reply {
    let states = query_values(&query, "state");
    let inner = state.lock();
    let matching: Vec<BulkAction> = inner
        .bulk_actions
        .iter()
        .rev()
        .filter(|a| states.is_empty() || states.iter().any(|s| s.eq_ignore_ascii_case(a.state.as_str())))
        .cloned()
        .collect();
    let mut page = BulkActionPage::default();
    (page.bulk_actions, page.cursor) = page_of(matching, &query, MAX_COUNT)?;
    Ok(Json(page).into_response())
}

/// `GET /v2/bulkActions/{actionId}`.
pub(super) async fn get(Shared(state): Shared<AppState>, Path(id): Path<String>) -> Reply {
    let inner = state.lock();
    let action =
        inner.bulk_actions.iter().find(|a| a.action_id == id).ok_or_else(|| not_found("bulk action", &id))?;
    Ok(Json(action).into_response())
}
