//! Bulk actions: the background work of a cancel by filter (`/v2/bulkActions`).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use futures_core::Stream;
use serde::{Deserialize, Serialize};

use super::follow;
use super::messages::non_empty;
use crate::transport::{Call, segment};
use crate::{Client, ClientError};

/// Where a bulk action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum BulkActionState {
    /// Running in the background.
    #[default]
    InProgress,
    /// Done.
    Finished,
    /// A state this version does not know.
    #[serde(other)]
    Unknown,
}

impl BulkActionState {
    /// The name the API uses (`IN_PROGRESS`, `FINISHED`).
    pub fn as_str(&self) -> &'static str {
        match self {
            BulkActionState::InProgress => "IN_PROGRESS",
            BulkActionState::Finished => "FINISHED",
            BulkActionState::Unknown => "UNKNOWN",
        }
    }
}

/// One bulk action (`GET /v2/bulkActions/{actionId}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkAction {
    /// Its id.
    pub action_id: String,
    /// What it does (`cancel`).
    #[serde(default)]
    pub kind: String,
    /// Running or finished.
    #[serde(default)]
    pub state: BulkActionState,
    /// The in-progress messages that matched its filter when it was created.
    #[serde(default)]
    pub total: u64,
    /// The messages it has processed so far.
    #[serde(default)]
    pub processed: u64,
    /// When it was created (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// When it finished (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<u64>,
    /// The filter it was created with: parameter name to values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub filter: BTreeMap<String, Vec<String>>,
}

/// One page of bulk actions (`GET /v2/bulkActions`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkActionPage {
    /// The bulk actions of this page (with a `state` filter, possibly none while more follow).
    #[serde(default)]
    pub bulk_actions: Vec<BulkAction>,
    /// The cursor of the next page; `None` on the last.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::cursor")]
    pub cursor: Option<String>,
}

/// The bulk-actions API; from [`Client::bulk_actions`].
#[derive(Debug, Clone, Copy)]
pub struct BulkActions<'a> {
    client: &'a Client,
}

impl Client {
    /// Bulk actions: follow a cancel by filter running in the background.
    pub fn bulk_actions(&self) -> BulkActions<'_> {
        BulkActions { client: self }
    }
}

impl<'a> BulkActions<'a> {
    /// One page of bulk actions (`GET /v2/bulkActions`), those in `state` if given; `count`
    /// is how many QStash scans for the page (1 to 1000).
    pub async fn list(
        &self,
        state: Option<BulkActionState>,
        cursor: Option<&str>,
        count: Option<u32>,
    ) -> Result<BulkActionPage, ClientError> {
        if let Some(count) = count.filter(|c| !(1..=1000).contains(c)) {
            return Err(ClientError::Config(format!("a bulk-action page scans 1 to 1000, not {count}")));
        }
        let call = Call::get("/v2/bulkActions")
            .query_opt("cursor", cursor)
            .query_opt("count", count)
            .query_opt("state", state.map(|s| s.as_str()));
        self.client.fetch(call).await
    }

    /// Every bulk action (in `state` if given), following the cursor as the stream is read.
    pub fn list_all(
        &self,
        state: Option<BulkActionState>,
    ) -> impl Stream<Item = Result<BulkAction, ClientError>> + 'a {
        let actions = *self;
        follow(move |cursor| async move {
            let page = actions.list(state, cursor.as_deref(), None).await?;
            Ok((page.bulk_actions, page.cursor))
        })
    }

    /// One bulk action and its progress (`GET /v2/bulkActions/{actionId}`).
    pub async fn get(&self, action_id: &str) -> Result<BulkAction, ClientError> {
        non_empty(action_id, "bulk action id")?;
        self.client.fetch(Call::get(format!("/v2/bulkActions/{}", segment(action_id)))).await
    }
}
