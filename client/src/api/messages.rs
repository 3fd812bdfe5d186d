//! Messages waiting for delivery: get and cancel (`/v2/messages`).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{Filtered, MessageFilter};
use crate::transport::{Call, segment};
use crate::{Client, ClientError};

/// A message QStash has not finished delivering (`GET /v2/messages/{messageId}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Message {
    /// Its id.
    pub message_id: String,
    /// The destination URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The URL group it was published to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "topicName")]
    pub url_group: Option<String>,
    /// The URL group endpoint's name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_name: Option<String>,
    /// The method QStash calls the destination with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The headers forwarded to the destination.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub header: BTreeMap<String, Vec<String>>,
    /// The body, when it is text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body in base64, when it is not text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// Delivery retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// The retry delay expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_delay_expression: Option<String>,
    /// Not delivered before this Unix time (milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<u64>,
    /// When it was created (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// Its callback URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
    /// Its failure callback URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_callback: Option<String>,
    /// The queue it was enqueued on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<String>,
    /// The schedule that created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<String>,
    /// The IP address that published it.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "callerIP", alias = "callerIp")]
    pub caller_ip: Option<String>,
    /// Its flow-control key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_control_key: Option<String>,
    /// Its first label (the API's older, single-label field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Flow control: deliveries per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<u32>,
    /// Flow control: the rate's period (seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u64>,
    /// Flow control: deliveries in flight at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u32>,
}

/// What a cancel by filter did (`DELETE /v2/messages?…`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Cancelled {
    /// Messages cancelled; for a cancel by filter, the in-progress messages that matched
    /// when QStash accepted it.
    pub cancelled: u64,
    /// The bulk action cancelling them in the background, when the call did not wait for it
    /// (see [`Client::bulk_actions`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_id: Option<String>,
}

/// The messages API; from [`Client::messages`].
#[derive(Debug, Clone, Copy)]
pub struct Messages<'a> {
    client: &'a Client,
}

impl Client {
    /// Messages waiting for delivery: get and cancel.
    pub fn messages(&self) -> Messages<'_> {
        Messages { client: self }
    }
}

impl Messages<'_> {
    /// One message (`GET /v2/messages/{messageId}`).
    pub async fn get(&self, message_id: &str) -> Result<Message, ClientError> {
        non_empty(message_id, "message id")?;
        self.client.fetch(Call::get(format!("/v2/messages/{}", segment(message_id)))).await
    }

    /// Cancels one message (`DELETE /v2/messages/{messageId}`).
    pub async fn cancel(&self, message_id: &str) -> Result<(), ClientError> {
        non_empty(message_id, "message id")?;
        self.client.run(Call::delete(format!("/v2/messages/{}", segment(message_id)))).await
    }

    /// Cancels these messages (`DELETE /v2/messages?messageIds=…`); returns how many were
    /// cancelled. An empty list cancels nothing (and sends nothing): it never means "all".
    pub async fn cancel_many(&self, message_ids: &[&str]) -> Result<u64, ClientError> {
        if message_ids.is_empty() {
            return Ok(0);
        }
        let call = Call::delete("/v2/messages").query_all("messageIds", message_ids);
        Ok(self.client.fetch::<Cancelled>(call).await?.cancelled)
    }

    /// Cancels the messages matching `filter` (`DELETE /v2/messages?queueName=…&label=…`).
    /// QStash runs it as a bulk action: with `wait`, the call returns when it is done (or
    /// fails with a 429 after a minute, the action going on); without, at once, with the
    /// action's id. An empty filter is refused: [`Messages::cancel_all`] says "all" by name.
    pub async fn cancel_matching(
        &self,
        filter: &MessageFilter,
        wait: bool,
    ) -> Result<Cancelled, ClientError> {
        if filter.is_empty() {
            return Err(ClientError::Config(
                "an empty filter would cancel every message: call cancel_all for that".into(),
            ));
        }
        let call = filter.apply(Call::delete("/v2/messages"), Filtered::Cancel)?;
        self.client.fetch(call.query_opt("async", (!wait).then_some(true))).await
    }

    /// Cancels every pending message in one request (`DELETE /v2/messages`), waiting for
    /// QStash's bulk action to finish; returns how many messages were in progress then.
    pub async fn cancel_all(&self) -> Result<u64, ClientError> {
        Ok(self.client.fetch::<Cancelled>(Call::delete("/v2/messages")).await?.cancelled)
    }
}

/// Refuses an empty id, which would turn a call on one item into a call on the collection.
pub(crate) fn non_empty(value: &str, what: &str) -> Result<(), ClientError> {
    if value.is_empty() {
        return Err(ClientError::Config(format!("the {what} cannot be empty")));
    }
    Ok(())
}
