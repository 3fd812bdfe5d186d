//! What the API answers.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

use super::ClientError;

/// One accepted message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct PublishResponse {
    /// QStash's id for the message (`messageId`).
    #[serde(rename = "messageId")]
    pub message_id: String,
    /// The endpoint, for messages fanned out to a URL group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Whether QStash dropped it as a duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deduplicated: Option<bool>,
}

/// The account's signing keys (`GET /v2/keys`).
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct SigningKeys {
    /// The current signing key.
    pub current: String,
    /// The next signing key.
    pub next: String,
}

impl fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKeys { current: [REDACTED], next: [REDACTED] }")
    }
}

/// One response, an array of them, or arrays of arrays (a batch with URL groups), flattened.
pub(crate) fn flatten_responses(value: serde_json::Value) -> Result<Vec<PublishResponse>, ClientError> {
    let mut out = Vec::new();
    let mut stack = alloc::vec![value];
    while let Some(value) = stack.pop() {
        match value {
            serde_json::Value::Array(items) => stack.extend(items.into_iter().rev()),
            // The API reference's shape for a URL group: `{"messages": [...]}`.
            serde_json::Value::Object(mut object) if object.get("messages").is_some_and(|m| m.is_array()) => {
                stack.extend(object.remove("messages"));
            }
            other => out.push(serde_json::from_value(other).map_err(|e| ClientError::Decode(e.to_string()))?),
        }
    }
    Ok(out)
}
