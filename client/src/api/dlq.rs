//! The dead-letter queue: messages whose every retry failed (`/v2/dlq`).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use futures_core::Stream;
use serde::{Deserialize, Serialize};

use super::messages::non_empty;
use super::{Filtered, MessageFilter, follow};
use crate::PublishOptions;
use crate::transport::{Call, segment};
use crate::{Client, ClientError, Message};

/// A message in the DLQ: the message, and the last response its destination gave.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DlqMessage {
    /// Its id in the DLQ (not the message id).
    pub dlq_id: String,
    /// The message.
    #[serde(flatten)]
    pub message: Message,
    /// The destination's last status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<u16>,
    /// The destination's last response headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub response_header: BTreeMap<String, Vec<String>>,
    /// The destination's last response body, when it is text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// The destination's last response body in base64, when it is not text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body_base64: Option<String>,
}

/// One page of the DLQ (`GET /v2/dlq`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DlqPage {
    /// The messages of this page.
    #[serde(default)]
    pub messages: Vec<DlqMessage>,
    /// The cursor of the next page; `None` on the last.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::cursor")]
    pub cursor: Option<String>,
}

/// A message republished from the DLQ.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DlqRetried {
    /// The id of the new message (the old one when QStash deduplicated it).
    pub message_id: String,
    /// Whether QStash dropped it as a duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deduplicated: Option<bool>,
}

/// `DELETE /v2/dlq`'s answer: how many were deleted, and where a filtered delete goes on.
#[derive(Deserialize)]
struct Deleted {
    deleted: u64,
    #[serde(default, deserialize_with = "super::cursor")]
    cursor: Option<String>,
}

/// The messages a bulk retry published (`POST /v2/dlq/retry`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DlqRetriedPage {
    /// One new message per DLQ message retried.
    #[serde(default)]
    pub responses: Vec<DlqRetried>,
    /// Set when more DLQ messages matched than one call retries: call again with the same
    /// filter (the retried ones have left the DLQ).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::cursor")]
    pub cursor: Option<String>,
}

/// The DLQ API; from [`Client::dlq`].
#[derive(Debug, Clone, Copy)]
pub struct Dlq<'a> {
    client: &'a Client,
}

impl Client {
    /// The dead-letter queue: list, get, delete, retry.
    pub fn dlq(&self) -> Dlq<'_> {
        Dlq { client: self }
    }
}

impl<'a> Dlq<'a> {
    /// One page of DLQ messages matching `filter`, from `cursor` (`GET /v2/dlq`); `count`
    /// caps the page size.
    pub async fn list(
        &self,
        filter: &MessageFilter,
        cursor: Option<&str>,
        count: Option<u32>,
    ) -> Result<DlqPage, ClientError> {
        let call = filter
            .apply(Call::get("/v2/dlq"), Filtered::DlqList)?
            .query_opt("cursor", cursor)
            .query_opt("count", count);
        self.client.fetch(call).await
    }

    /// Every DLQ message matching `filter`, following the cursor page by page as the stream
    /// is read.
    pub fn list_all(
        &self,
        filter: MessageFilter,
    ) -> impl Stream<Item = Result<DlqMessage, ClientError>> + 'a {
        let dlq = *self;
        follow(move |cursor| {
            let filter = filter.clone();
            async move {
                let page = dlq.list(&filter, cursor.as_deref(), None).await?;
                Ok((page.messages, page.cursor))
            }
        })
    }

    /// One DLQ message (`GET /v2/dlq/{dlqId}`).
    pub async fn get(&self, dlq_id: &str) -> Result<DlqMessage, ClientError> {
        non_empty(dlq_id, "DLQ id")?;
        self.client.fetch(Call::get(format!("/v2/dlq/{}", segment(dlq_id)))).await
    }

    /// Deletes one DLQ message (`DELETE /v2/dlq/{dlqId}`).
    pub async fn delete(&self, dlq_id: &str) -> Result<(), ClientError> {
        non_empty(dlq_id, "DLQ id")?;
        self.client.run(Call::delete(format!("/v2/dlq/{}", segment(dlq_id)))).await
    }

    /// Deletes these DLQ messages (`DELETE /v2/dlq?dlqIds=…`); returns how many were
    /// deleted. An empty list deletes nothing and sends nothing.
    pub async fn delete_many(&self, dlq_ids: &[&str]) -> Result<u64, ClientError> {
        if dlq_ids.is_empty() {
            return Ok(0);
        }
        let call = Call::delete("/v2/dlq").query_all("dlqIds", dlq_ids);
        Ok(self.client.fetch::<Deleted>(call).await?.deleted)
    }

    /// Deletes the DLQ messages matching `filter` (`DELETE /v2/dlq?…`, following the cursor
    /// until none is left); returns how many were deleted. An empty filter is refused, as it
    /// would empty the DLQ.
    pub async fn delete_matching(&self, filter: &MessageFilter) -> Result<u64, ClientError> {
        if filter.is_empty() {
            return Err(ClientError::Config("an empty filter would delete the whole DLQ".into()));
        }
        let mut deleted = 0u64;
        let mut cursor: Option<String> = None;
        loop {
            let call = filter
                .apply(Call::delete("/v2/dlq"), Filtered::DlqBulk)?
                .query_opt("cursor", cursor.as_ref());
            let page = self.client.fetch::<Deleted>(call).await?;
            deleted = deleted.saturating_add(page.deleted);
            // A cursor that does not move would loop forever.
            match page.cursor {
                Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
                _ => return Ok(deleted),
            }
        }
    }

    /// Publishes these DLQ messages again (`POST /v2/dlq/retry?dlqIds=…`); returns the new
    /// messages. Not repeated once QStash may have acted on it (each repeat would publish
    /// the messages again).
    pub async fn retry(&self, dlq_ids: &[&str]) -> Result<Vec<DlqRetried>, ClientError> {
        if dlq_ids.is_empty() {
            return Ok(Vec::new());
        }
        let call = Call::post("/v2/dlq/retry").query_all("dlqIds", dlq_ids).once();
        Ok(self.client.fetch::<DlqRetriedPage>(call).await?.responses)
    }

    /// Publishes the DLQ messages matching `filter` again (`POST /v2/dlq/retry?…`), the
    /// configuration set in `options` overriding the originals'; one call, not repeated once
    /// QStash may have acted on it. An empty filter is refused.
    pub async fn retry_matching(
        &self,
        filter: &MessageFilter,
        options: &PublishOptions,
    ) -> Result<DlqRetriedPage, ClientError> {
        if filter.is_empty() {
            return Err(ClientError::Config("an empty filter would retry the whole DLQ".into()));
        }
        let call = filter.apply(Call::post("/v2/dlq/retry"), Filtered::DlqBulk)?;
        self.client.fetch(call.headers(Self::overrides(options)?).once()).await
    }

    /// Publishes one DLQ message again (`POST /v2/dlq/retry/{dlqId}`), the configuration set
    /// in `options` (retries, delay, callbacks, …) overriding the original message's and the
    /// rest kept; returns the new message. Not repeated once QStash may have acted on it.
    pub async fn retry_one(&self, dlq_id: &str, options: &PublishOptions) -> Result<DlqRetried, ClientError> {
        non_empty(dlq_id, "DLQ id")?;
        let call =
            Call::post(format!("/v2/dlq/retry/{}", segment(dlq_id))).headers(Self::overrides(options)?);
        self.client.fetch(call.once()).await
    }

    /// The headers of a retry: the options set, nothing for those left unset (which keep
    /// the original message's).
    fn overrides(options: &PublishOptions) -> Result<reqwest::header::HeaderMap, ClientError> {
        let mut headers = options.headers(None, &[])?;
        if options.method.is_none() {
            // `headers` names the default method; here, unset means the original message's.
            headers.remove("upstash-method");
        }
        Ok(headers)
    }
}
