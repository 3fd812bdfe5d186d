//! The QStash REST API by area, each reached from a [`Client`](crate::Client) method
//! (`client.messages()`, `client.schedules()`, …).

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

/// Which messages a DLQ or log listing returns; every field left `None` matches all. Filters
/// that only one listing knows are marked; the other listing ignores them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// This message id.
    pub message_id: Option<String>,
    /// This destination URL.
    pub url: Option<String>,
    /// This URL group (`topicName`).
    pub url_group: Option<String>,
    /// From this schedule.
    pub schedule_id: Option<String>,
    /// On this queue.
    pub queue_name: Option<String>,
    /// With this label.
    pub label: Option<String>,
    /// At or after this time.
    pub from_date: Option<SystemTime>,
    /// At or before this time.
    pub to_date: Option<SystemTime>,
    /// Published from this IP address.
    pub caller_ip: Option<String>,
    /// With this flow-control key.
    pub flow_control_key: Option<String>,
    /// Logs only: in this state.
    pub state: Option<MessageState>,
    /// DLQ only: the destination's last status was this.
    pub response_status: Option<u16>,
}

impl MessageFilter {
    /// The filter as the query parameters both listings take.
    pub(crate) fn apply(&self, call: Call) -> Call {
        call.query_opt("state", self.state.map(|s| s.as_str()))
            .query_opt("messageId", self.message_id.as_ref())
            .query_opt("url", self.url.as_ref())
            .query_opt("topicName", self.url_group.as_ref())
            .query_opt("scheduleId", self.schedule_id.as_ref())
            .query_opt("queueName", self.queue_name.as_ref())
            .query_opt("responseStatus", self.response_status)
            .query_opt("label", self.label.as_ref())
            .query_opt("fromDate", self.from_date.map(millis))
            .query_opt("toDate", self.to_date.map(millis))
            .query_opt("callerIp", self.caller_ip.as_ref())
            .query_opt("flowControlKey", self.flow_control_key.as_ref())
    }
}
