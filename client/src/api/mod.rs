//! The QStash REST API by area, each reached from a [`Client`](crate::Client) method
//! (`client.messages()`, `client.schedules()`, …).

pub(crate) mod bulk_actions;
pub(crate) mod dlq;
pub(crate) mod flow_control;
pub(crate) mod logs;
pub(crate) mod messages;
pub(crate) mod queues;
pub(crate) mod schedules;
pub(crate) mod url_groups;

use alloc::string::String;
use alloc::vec::Vec;
use core::future::Future;
use std::time::SystemTime;

use futures_core::Stream;
use futures_util::{TryStreamExt, stream};

use crate::transport::Call;
use crate::{ClientError, MessageState};

/// A time as the API's filters take it: Unix milliseconds.
pub(crate) fn millis(time: SystemTime) -> u128 {
    time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// Every item of a cursor-paged list: `fetch(cursor)` gets one page and the cursor of the
/// next (none or empty on the last page); the pages are fetched as the stream is read.
pub(crate) fn follow<'a, T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, ClientError>> + 'a
where
    T: 'a,
    F: FnMut(Option<String>) -> Fut + 'a,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ClientError>> + 'a,
{
    stream::try_unfold((fetch, Some(None::<String>)), |(mut fetch, next)| async move {
        let Some(cursor) = next else { return Ok(None) };
        let (items, following) = fetch(cursor.clone()).await?;
        // A cursor that does not move would page forever.
        let next = following.filter(|c| !c.is_empty() && Some(c) != cursor.as_ref()).map(Some);
        Ok(Some((stream::iter(items.into_iter().map(Ok::<T, ClientError>)), (fetch, next))))
    })
    .try_flatten()
}

/// A page cursor, which the API writes as a string or a number; empty means no next page.
pub(crate) fn cursor<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    use alloc::string::ToString;
    use serde::Deserialize;
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// Which messages a listing, a bulk cancel, a DLQ delete or a DLQ retry takes; every field
/// left empty matches all. Several values of one filter match any of them; several filters
/// must all match.
///
/// Each endpoint takes the filters its API reference documents, and a filter it does not
/// take is a [`ClientError::Config`] rather than left out: a cancel or a delete that silently
/// dropped a filter would act on more messages than asked.
///
/// | filter | logs | DLQ list | DLQ delete, retry | cancel |
/// |---|---|---|---|---|
/// | `message_id`, `from_date`, `to_date` | one | one | one | dates only |
/// | `url`, `url_group`, `schedule_id`, `queue_name` | one | many | many | many |
/// | `label` | many | many | many | many |
/// | `caller_ip` | — | many | many | many |
/// | `flow_control_key` | — | — | many | many |
/// | `response_status` | — | many | many | — |
/// | `state` | one | — | — | — |
/// | `host`, `path` | — | — | — | many |
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// This message id.
    pub message_id: Option<String>,
    /// These destination URLs.
    pub url: Vec<String>,
    /// These URL groups (`topicName`).
    pub url_group: Vec<String>,
    /// From these schedules.
    pub schedule_id: Vec<String>,
    /// On these queues.
    pub queue_name: Vec<String>,
    /// With one of these labels.
    pub label: Vec<String>,
    /// At or after this time.
    pub from_date: Option<SystemTime>,
    /// At or before this time.
    pub to_date: Option<SystemTime>,
    /// Published from these IP addresses.
    pub caller_ip: Vec<String>,
    /// With these flow-control keys.
    pub flow_control_key: Vec<String>,
    /// In this state (logs).
    pub state: Option<MessageState>,
    /// The destination's last status was one of these (DLQ).
    pub response_status: Vec<u16>,
    /// To these destination hosts (cancel).
    pub host: Vec<String>,
    /// To these destination paths (cancel).
    pub path: Vec<String>,
}

/// The endpoints that take a [`MessageFilter`], each with the filters its reference lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filtered {
    /// `GET /v2/logs`.
    Logs,
    /// `GET /v2/dlq`.
    DlqList,
    /// `DELETE /v2/dlq` and `POST /v2/dlq/retry`.
    DlqBulk,
    /// `DELETE /v2/messages`.
    Cancel,
}

/// How an endpoint takes one filter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    No,
    One,
    Many,
}

impl Filtered {
    fn name(self) -> &'static str {
        match self {
            Filtered::Logs => "GET /v2/logs",
            Filtered::DlqList => "GET /v2/dlq",
            Filtered::DlqBulk => "DELETE /v2/dlq (and POST /v2/dlq/retry)",
            Filtered::Cancel => "DELETE /v2/messages",
        }
    }

    /// The reference's parameters, one row per endpoint: see [`MessageFilter`]'s table.
    fn takes(self, parameter: &str) -> Takes {
        use Filtered::*;
        use Takes::*;
        match (parameter, self) {
            ("messageId", Cancel) => No,
            ("messageId" | "fromDate" | "toDate", _) => One,
            ("url" | "topicName" | "scheduleId" | "queueName", Logs) => One,
            ("url" | "topicName" | "scheduleId" | "queueName" | "label", _) => Many,
            ("callerIp", Logs) => No,
            ("callerIp", _) => Many,
            ("flowControlKey", DlqBulk | Cancel) => Many,
            ("responseStatus", DlqList | DlqBulk) => Many,
            ("state", Logs) => One,
            ("host" | "path", Cancel) => Many,
            _ => No,
        }
    }
}

impl MessageFilter {
    /// Whether it matches everything.
    pub fn is_empty(&self) -> bool {
        self == &MessageFilter::default()
    }

    /// The filter as the query parameters of `endpoint`, or why it cannot take it.
    pub(crate) fn apply(&self, call: Call, endpoint: Filtered) -> Result<Call, ClientError> {
        let one = |value: Option<String>| value.into_iter().collect::<Vec<_>>();
        let parameters: [(&'static str, Vec<String>); 14] = [
            ("state", one(self.state.map(|s| s.as_str().into()))),
            ("messageId", one(self.message_id.clone())),
            ("url", self.url.clone()),
            ("topicName", self.url_group.clone()),
            ("scheduleId", self.schedule_id.clone()),
            ("queueName", self.queue_name.clone()),
            ("responseStatus", self.response_status.iter().map(u16::to_string).collect()),
            ("label", self.label.clone()),
            ("fromDate", one(self.from_date.map(|t| millis(t).to_string()))),
            ("toDate", one(self.to_date.map(|t| millis(t).to_string()))),
            ("callerIp", self.caller_ip.clone()),
            ("flowControlKey", self.flow_control_key.clone()),
            ("host", self.host.clone()),
            ("path", self.path.clone()),
        ];
        let mut call = call;
        for (parameter, values) in parameters {
            let allowed = match (endpoint.takes(parameter), values.len()) {
                (_, 0) | (Takes::One, 1) | (Takes::Many, _) => true,
                (Takes::One | Takes::No, _) => false,
            };
            if !allowed {
                let how = if endpoint.takes(parameter) == Takes::One { "only one value of" } else { "no" };
                return Err(ClientError::Config(format!(
                    "{} takes {how} `{parameter}` filter (QStash's API reference)",
                    endpoint.name()
                )));
            }
            call = call.query_all(parameter, values);
        }
        Ok(call)
    }
}
