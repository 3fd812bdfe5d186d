//! For the fuzz targets (`fuzz/`) only, not part of the API: the client's handling of an
//! answer, reached without a server.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::api::dlq::{DlqMessage, DlqPage, DlqRetried};
use crate::api::flow_control::{FlowControlInfo, GlobalParallelism};
use crate::api::logs::LogPage;
use crate::api::messages::Message;
use crate::api::queues::Queue;
use crate::api::schedules::Schedule;
use crate::api::url_groups::UrlGroup;
use crate::types::{SigningKeys, flatten_responses};
use crate::{RetryPolicy, error};

fn decode<T: DeserializeOwned>(body: &[u8]) {
    let _ = serde_json::from_slice::<T>(body);
}

/// What the client does with an answer of `status`, `headers` (pairs that are not valid
/// header names or values are left out, as HTTP would) and `body`, at `now`: a 2xx body read
/// as every response type the client reads; any other answer turned into its error, printed,
/// and asked how long to wait before each retry. Returns the error's text, if any.
pub fn answer(status: u16, headers: &[(&[u8], &[u8])], body: &[u8], now: SystemTime) -> Option<String> {
    if (200..300).contains(&status) {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            let _ = flatten_responses(value);
        }
        decode::<LogPage>(body);
        decode::<DlqPage>(body);
        decode::<DlqMessage>(body);
        decode::<DlqRetried>(body);
        decode::<Message>(body);
        decode::<Vec<Queue>>(body);
        decode::<Vec<Schedule>>(body);
        decode::<Vec<UrlGroup>>(body);
        decode::<Vec<FlowControlInfo>>(body);
        decode::<GlobalParallelism>(body);
        decode::<SigningKeys>(body);
        return None;
    }
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            map.append(name, value);
        }
    }
    let error = error::error_of(status, &map, body, now);
    let policy = RetryPolicy::default();
    for attempt in 0..4 {
        if let Some(delay) = policy.delay(attempt, &error, now) {
            assert!(delay <= Duration::from_secs(24 * 60 * 60), "a wait of {delay:?}");
        }
    }
    Some(error.to_string())
}
