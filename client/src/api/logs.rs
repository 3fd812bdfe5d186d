//! Logs: what happened to each message (`GET /v2/logs`).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use futures_core::Stream;
use serde::{Deserialize, Serialize};

use super::{Filtered, MessageFilter, follow};
use crate::transport::Call;
use crate::{Client, ClientError};

/// A message's state in a log event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum MessageState {
    /// Accepted by QStash.
    #[default]
    Created,
    /// Ready for delivery.
    Active,
    /// Delivered (the destination answered 2xx).
    Delivered,
    /// A delivery failed; it will be retried.
    Error,
    /// Waiting for its next retry.
    Retry,
    /// Every retry failed; it went to the DLQ.
    Failed,
    /// Cancelled (`CANCELED`, as the official clients name it; `CANCELLED`, the API
    /// reference's spelling, is read as well).
    #[serde(alias = "CANCELLED")]
    Canceled,
    /// A cancel was asked for and is not done yet.
    CancelRequested,
    /// Being delivered.
    InProgress,
    /// A state this version does not know.
    #[serde(other)]
    Unknown,
}

impl MessageState {
    /// The name the API uses (`DELIVERED`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            MessageState::Created => "CREATED",
            MessageState::Active => "ACTIVE",
            MessageState::Delivered => "DELIVERED",
            MessageState::Error => "ERROR",
            MessageState::Retry => "RETRY",
            MessageState::Failed => "FAILED",
            MessageState::Canceled => "CANCELED",
            MessageState::CancelRequested => "CANCEL_REQUESTED",
            MessageState::InProgress => "IN_PROGRESS",
            MessageState::Unknown => "UNKNOWN",
        }
    }

    /// The state named `name` (any case), for filters typed by people.
    pub fn parse(name: &str) -> Option<Self> {
        let upper = name.trim().to_ascii_uppercase().replace('-', "_");
        if upper == "CANCELLED" {
            return Some(MessageState::Canceled);
        }
        [
            MessageState::Created,
            MessageState::Active,
            MessageState::Delivered,
            MessageState::Error,
            MessageState::Retry,
            MessageState::Failed,
            MessageState::Canceled,
            MessageState::CancelRequested,
            MessageState::InProgress,
        ]
        .into_iter()
        .find(|s| s.as_str() == upper)
    }
}

impl fmt::Display for MessageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One log event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogEvent {
    /// When it happened (Unix milliseconds).
    pub time: u64,
    /// The message's state.
    pub state: MessageState,
    /// The message.
    pub message_id: String,
    /// The destination URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The URL group.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "topicName")]
    pub url_group: Option<String>,
    /// The URL group endpoint's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_name: Option<String>,
    /// The error, for failed deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the next delivery is due (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_delivery_time: Option<u64>,
    /// The headers of the message.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub header: BTreeMap<String, serde_json::Value>,
    /// The body in base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The destination's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<u16>,
    /// The destination's response body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// The queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<String>,
    /// The schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<String>,
    /// The first label (the API's older, single-label field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Every label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// The destination's response headers, for a failed delivery.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub response_headers: BTreeMap<String, Vec<String>>,
    /// How long a delivery may take (milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// The method QStash calls the destination with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The callback URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
    /// The headers sent to the callback.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub callback_headers: BTreeMap<String, Vec<String>>,
    /// The failure callback URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_callback: Option<String>,
    /// The headers sent to the failure callback.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failure_callback_headers: BTreeMap<String, Vec<String>>,
    /// Delivery retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// The retry delay expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_delay_expression: Option<String>,
}

/// One page of logs (`GET /v2/logs`: `{"cursor", "logs"}`; the older `/v2/events` answered
/// `{"cursor", "events"}`, read as well).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct LogPage {
    /// The log entries of this page, newest first.
    #[serde(default, alias = "events")]
    pub logs: Vec<LogEvent>,
    /// The cursor of the next page; `None` on the last.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::cursor")]
    pub cursor: Option<String>,
}

/// The logs API; from [`Client::logs`].
#[derive(Debug, Clone, Copy)]
pub struct Logs<'a> {
    client: &'a Client,
}

impl Client {
    /// Logs (events): what happened to each message.
    pub fn logs(&self) -> Logs<'_> {
        Logs { client: self }
    }
}

impl<'a> Logs<'a> {
    /// One page of log entries matching `filter`, from `cursor` (`GET /v2/logs`); `count`
    /// caps the page size (QStash's maximum is 100).
    pub async fn list(
        &self,
        filter: &MessageFilter,
        cursor: Option<&str>,
        count: Option<u32>,
    ) -> Result<LogPage, ClientError> {
        let call = filter
            .apply(Call::get("/v2/logs"), Filtered::Logs)?
            .query_opt("cursor", cursor)
            .query_opt("count", count);
        self.client.fetch(call).await
    }

    /// Every event matching `filter`, following the cursor page by page as the stream is
    /// read.
    pub fn list_all(&self, filter: MessageFilter) -> impl Stream<Item = Result<LogEvent, ClientError>> + 'a {
        let logs = *self;
        follow(move |cursor| {
            let filter = filter.clone();
            async move {
                let page = logs.list(&filter, cursor.as_deref(), None).await?;
                Ok((page.logs, page.cursor))
            }
        })
    }
}
