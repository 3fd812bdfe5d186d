//! QStash's callbacks as typed values (feature `callback`).
//!
//! After a delivery (`Upstash-Callback`) or after its last failed retry
//! (`Upstash-Failure-Callback`), QStash calls the callback URL with a signed JSON message: the
//! destination's answer (`status`, `header`, the base64 `body`) and the source message
//! (`sourceMessageId`, `url`, `method`, `sourceHeader`, the base64 `sourceBody`, …). A callback
//! is verified like any delivery; [`Callback`] then reads its JSON, decoding both bodies, so no
//! handler decodes base64 by hand.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use serde::{Deserialize, Deserializer};

/// A header map as callbacks carry it: each name with its values, in the order received.
pub type Headers = Vec<(String, Vec<String>)>;

/// A callback or failure callback QStash sent, with both bodies decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Callback {
    /// The HTTP status the destination answered with (0 when it could not be reached).
    pub status: u16,
    /// The destination's response headers.
    pub header: Headers,
    /// The destination's response body.
    pub body: Vec<u8>,
    /// How many times the source message had been retried.
    pub retried: u32,
    /// How many retries it was allowed.
    pub max_retries: Option<u32>,
    /// The id of the message this callback reports on.
    pub source_message_id: String,
    /// The destination URL of that message.
    pub url: Option<String>,
    /// The method it was delivered with.
    pub method: Option<String>,
    /// The headers it was published with.
    pub source_header: Headers,
    /// The body it was published with.
    pub source_body: Vec<u8>,
    /// Its URL group, when it was published to one.
    pub topic_name: Option<String>,
    /// The endpoint of that URL group.
    pub endpoint_name: Option<String>,
    /// Its schedule, when a schedule published it.
    pub schedule_id: Option<String>,
    /// The dead-letter-queue entry: present on failure callbacks.
    pub dlq_id: Option<String>,
    /// The IP address that published the message.
    pub caller_ip: Option<String>,
    /// When it was first due (Unix milliseconds).
    pub not_before: Option<u64>,
    /// When it was published (Unix milliseconds).
    pub created_at: Option<u64>,
}

impl Callback {
    /// Reads a verified callback's body; an error when it is not a QStash callback.
    pub fn from_json(body: &[u8]) -> Result<Callback, CallbackError> {
        serde_json::from_slice(body).map_err(|e| CallbackError(e.to_string()))
    }

    /// Whether this is a failure callback (the message went to the dead-letter queue).
    pub fn is_failure(&self) -> bool {
        self.dlq_id.is_some()
    }
}

/// A body that is not a QStash callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackError(String);

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a QStash callback: {}", self.0)
    }
}

impl core::error::Error for CallbackError {}

/// A header value: callbacks carry lists (`{"k": ["v"]}`), some documents show single strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Values {
    Many(Vec<String>),
    One(String),
}

/// A time: a number in the messages QStash sends, a numeric string in its documentation.
#[derive(Deserialize)]
#[serde(untagged)]
enum Millis {
    Number(u64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    status: u16,
    #[serde(default)]
    header: Option<OrderedHeaders>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    retried: u32,
    max_retries: Option<u32>,
    source_message_id: String,
    url: Option<String>,
    method: Option<String>,
    #[serde(default)]
    source_header: Option<OrderedHeaders>,
    #[serde(default)]
    source_body: Option<String>,
    topic_name: Option<String>,
    endpoint_name: Option<String>,
    schedule_id: Option<String>,
    dlq_id: Option<String>,
    #[serde(rename = "callerIP")]
    caller_ip: Option<String>,
    not_before: Option<Millis>,
    created_at: Option<Millis>,
}

/// Header members in the order they came.
struct OrderedHeaders(Headers);

impl<'de> Deserialize<'de> for OrderedHeaders {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;

        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = OrderedHeaders;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of header names to values")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut headers = Vec::new();
                while let Some((name, values)) = map.next_entry::<String, Values>()? {
                    let values = match values {
                        Values::Many(values) => values,
                        Values::One(value) => alloc::vec![value],
                    };
                    headers.push((name, values));
                }
                Ok(OrderedHeaders(headers))
            }
        }

        deserializer.deserialize_map(Members)
    }
}

fn decoded(field: &str, text: Option<String>) -> Result<Vec<u8>, String> {
    match text {
        None => Ok(Vec::new()),
        Some(text) => base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| alloc::format!("{field} is not base64: {e}")),
    }
}

/// The latest time a callback may carry, in milliseconds: 2⁵³ − 1 (the year 287 396), the
/// largest integer every language holds exactly. A later one is refused in every language
/// rather than rounded in one (a JavaScript number) and kept in the others.
pub const MAX_MILLIS: u64 = (1 << 53) - 1;

fn millis(field: &str, value: Option<Millis>) -> Result<Option<u64>, String> {
    let millis = match value {
        None => return Ok(None),
        Some(Millis::Number(n)) => n,
        Some(Millis::Text(text)) => {
            text.parse().map_err(|_| alloc::format!("{field} is not a time in milliseconds: {text:?}"))?
        }
    };
    if millis > MAX_MILLIS {
        return Err(alloc::format!("{field} is out of range: {millis} is after {MAX_MILLIS} milliseconds"));
    }
    Ok(Some(millis))
}

impl TryFrom<Raw> for Callback {
    type Error = String;

    fn try_from(raw: Raw) -> Result<Self, Self::Error> {
        Ok(Callback {
            status: raw.status,
            header: raw.header.map(|h| h.0).unwrap_or_default(),
            body: decoded("body", raw.body)?,
            retried: raw.retried,
            max_retries: raw.max_retries,
            source_message_id: raw.source_message_id,
            url: raw.url,
            method: raw.method,
            source_header: raw.source_header.map(|h| h.0).unwrap_or_default(),
            source_body: decoded("sourceBody", raw.source_body)?,
            topic_name: raw.topic_name,
            endpoint_name: raw.endpoint_name,
            schedule_id: raw.schedule_id,
            dlq_id: raw.dlq_id,
            caller_ip: raw.caller_ip,
            not_before: millis("notBefore", raw.not_before)?,
            created_at: millis("createdAt", raw.created_at)?,
        })
    }
}

/// Read from a verified body, as `Json<Callback>` (axum) or `web::Json<Callback>` (actix-web)
/// do: the JSON QStash sends, both bodies decoded from base64.
impl<'de> Deserialize<'de> for Callback {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Raw::deserialize(deserializer)?.try_into().map_err(serde::de::Error::custom)
    }
}

/// The bodies as bytes (a `Uint8Array` through `serde-wasm-bindgen`), the rest as its fields
/// (camelCase, as QStash names them).
impl serde::Serialize for Callback {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        struct Bytes<'a>(&'a [u8]);
        impl serde::Serialize for Bytes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(self.0)
            }
        }
        struct HeaderMap<'a>(&'a Headers);
        impl serde::Serialize for HeaderMap<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_map(self.0.iter().map(|(name, values)| (name, values)))
            }
        }

        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("header", &HeaderMap(&self.header))?;
        map.serialize_entry("body", &Bytes(&self.body))?;
        map.serialize_entry("retried", &self.retried)?;
        map.serialize_entry("maxRetries", &self.max_retries)?;
        map.serialize_entry("sourceMessageId", &self.source_message_id)?;
        map.serialize_entry("url", &self.url)?;
        map.serialize_entry("method", &self.method)?;
        map.serialize_entry("sourceHeader", &HeaderMap(&self.source_header))?;
        map.serialize_entry("sourceBody", &Bytes(&self.source_body))?;
        map.serialize_entry("topicName", &self.topic_name)?;
        map.serialize_entry("endpointName", &self.endpoint_name)?;
        map.serialize_entry("scheduleId", &self.schedule_id)?;
        map.serialize_entry("dlqId", &self.dlq_id)?;
        map.serialize_entry("callerIp", &self.caller_ip)?;
        map.serialize_entry("notBefore", &self.not_before)?;
        map.serialize_entry("createdAt", &self.created_at)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The callback of QStash's documentation ("Callbacks"), its fields as documented; its
    /// `sourceBody` (`YmFzZTY0kZWQgcm9keQ==`, not base64) replaced by one that is.
    const DOCUMENTED: &str = r#"{
        "status": 200,
        "header": { "key": ["value"] },
        "body": "YmFzZTY0IGVuY29kZWQgYm9keQ==",
        "retried": 2,
        "maxRetries": 3,
        "sourceMessageId": "msg_xxx",
        "topicName": "myTopic",
        "endpointName": "myEndpoint",
        "url": "http://myurl.com",
        "method": "GET",
        "sourceHeader": { "key": "value" },
        "sourceBody": "c291cmNlIGJvZHk=",
        "notBefore": "1701198458025",
        "createdAt": "1701198447054",
        "scheduleId": "scd_xxx",
        "callerIP": "178.247.74.179"
    }"#;

    #[test]
    fn the_documented_callback_reads_with_its_bodies_decoded() {
        let callback = Callback::from_json(DOCUMENTED.as_bytes()).unwrap();
        assert_eq!((callback.status, callback.retried, callback.max_retries), (200, 2, Some(3)));
        assert_eq!(
            (callback.body.as_slice(), callback.source_body.as_slice()),
            (&b"base64 encoded body"[..], &b"source body"[..])
        );
        assert_eq!(callback.header, [("key".to_owned(), alloc::vec!["value".to_owned()])]);
        assert_eq!(callback.source_header, [("key".to_owned(), alloc::vec!["value".to_owned()])]);
        assert_eq!(
            (callback.not_before, callback.created_at),
            (Some(1_701_198_458_025), Some(1_701_198_447_054))
        );
        assert_eq!(callback.caller_ip.as_deref(), Some("178.247.74.179"));
        assert!(!callback.is_failure());
    }

    #[test]
    fn a_failure_callback_has_its_dlq_id_and_times_may_be_numbers() {
        let json = r#"{"status":500,"body":"","sourceMessageId":"msg_1","dlqId":"dlq_1","createdAt":1701198447054,"retried":3}"#;
        let callback = Callback::from_json(json.as_bytes()).unwrap();
        assert!(callback.is_failure());
        assert_eq!((callback.created_at, callback.body.as_slice()), (Some(1_701_198_447_054), &b""[..]));
    }

    #[test]
    fn times_past_what_every_language_holds_exactly_are_refused() {
        let at = |value: &str| {
            let body = alloc::format!(
                r#"{{"status":200,"retried":0,"sourceMessageId":"msg_1","createdAt":{value}}}"#
            );
            Callback::from_json(body.as_bytes()).map(|c| c.created_at)
        };
        assert_eq!(at("9007199254740991"), Ok(Some(MAX_MILLIS)));
        assert_eq!(at("\"9007199254740991\""), Ok(Some(MAX_MILLIS)));
        for over in ["9007199254740992", "9007199254740993", "\"9007199254740993\"", "18446744073709551615"] {
            let error = at(over).unwrap_err().to_string();
            assert!(error.contains("createdAt is out of range"), "{over}: {error}");
        }
    }

    #[test]
    fn bodies_that_are_not_callbacks_are_errors() {
        for json in [
            "{}",
            "[]",
            "not json",
            r#"{"status":200,"sourceMessageId":"m","body":"%%"}"#,
            r#"{"status":70000,"sourceMessageId":"m"}"#,
            r#"{"status":200,"sourceMessageId":"m","createdAt":"soon"}"#,
            r#"{"status":200,"sourceMessageId":"m","retried":-1}"#,
        ] {
            let error = Callback::from_json(json.as_bytes()).unwrap_err();
            assert!(error.to_string().starts_with("not a QStash callback"), "{json}: {error}");
        }
    }
}
