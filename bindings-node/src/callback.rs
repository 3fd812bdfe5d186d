//! QStash's callbacks for `delivery.callback()`: read by the gate (`qstash_gate::callback`),
//! both bodies decoded.

use std::collections::HashMap;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use qstash_gate::callback::{Callback, Headers};

/// What QStash reports after a delivery, or after its last failed retry (`dlqId` set).
#[napi(object)]
pub struct CallbackView {
    /// The HTTP status the destination answered with (0 when it could not be reached).
    pub status: u32,
    /// The destination's response headers: each name with its values.
    pub header: HashMap<String, Vec<String>>,
    /// The destination's response body.
    pub body: Buffer,
    /// How many times the source message had been retried.
    pub retried: u32,
    /// How many retries it was allowed.
    pub max_retries: Option<u32>,
    /// The id of the message this callback reports on.
    pub source_message_id: String,
    /// Its destination URL.
    pub url: Option<String>,
    /// The method it was delivered with.
    pub method: Option<String>,
    /// The headers it was published with.
    pub source_header: HashMap<String, Vec<String>>,
    /// The body it was published with.
    pub source_body: Buffer,
    /// Its URL group, when it was published to one.
    pub topic_name: Option<String>,
    /// The endpoint of that URL group.
    pub endpoint_name: Option<String>,
    /// Its schedule, when a schedule published it.
    pub schedule_id: Option<String>,
    /// The dead-letter-queue entry: set on failure callbacks.
    pub dlq_id: Option<String>,
    /// The IP address that published the message.
    pub caller_ip: Option<String>,
    /// When it was first due (Unix milliseconds).
    pub not_before: Option<f64>,
    /// When it was published (Unix milliseconds).
    pub created_at: Option<f64>,
}

fn map(headers: Headers) -> HashMap<String, Vec<String>> {
    headers.into_iter().collect()
}

/// Reads a verified delivery's body as the callback QStash sent; throws when it is not one.
#[napi]
pub fn parse_callback(body: &[u8]) -> napi::Result<CallbackView> {
    let callback =
        Callback::from_json(body).map_err(|e| napi::Error::new(napi::Status::InvalidArg, e.to_string()))?;
    Ok(CallbackView {
        status: u32::from(callback.status),
        header: map(callback.header),
        body: callback.body.into(),
        retried: callback.retried,
        max_retries: callback.max_retries,
        source_message_id: callback.source_message_id,
        url: callback.url,
        method: callback.method,
        source_header: map(callback.source_header),
        source_body: callback.source_body.into(),
        topic_name: callback.topic_name,
        endpoint_name: callback.endpoint_name,
        schedule_id: callback.schedule_id,
        dlq_id: callback.dlq_id,
        caller_ip: callback.caller_ip,
        // Milliseconds since 1970 stay below 2^53 for the next 280 000 years.
        not_before: callback.not_before.map(|t| t as f64),
        created_at: callback.created_at.map(|t| t as f64),
    })
}
