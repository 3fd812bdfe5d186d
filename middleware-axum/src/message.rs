//! [`VerifiedMessage`]: what a handler learns about a verified delivery.

use http::HeaderMap;
use qstash_core::{Claims, KeyUsed, Region, Verified};

/// A verified QStash delivery: the signed claims plus the (unsigned) delivery headers QStash
/// sets. The middleware puts it in the request extensions; handlers read it with the
/// `VerifiedMessage` extractor or `request.extensions().get::<VerifiedMessage>()`.
///
/// Only `claims` are covered by the signature; the header values are informational (QStash
/// sets them, but anyone able to replay the token can change them).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedMessage {
    /// The verified token claims (`sub`, `jti`, times).
    pub claims: Claims,
    /// Which signing key matched.
    pub key: KeyUsed,
    /// The region whose keys verified the token, if a region pair was used.
    pub region: Option<Region>,
    /// `Upstash-Message-Id`.
    pub message_id: Option<String>,
    /// `Upstash-Retried`: how many times QStash retried this message (0 on first delivery).
    pub retried: Option<u32>,
    /// `Upstash-Region` as sent.
    pub region_header: Option<String>,
    /// `Upstash-Schedule-Id`, for scheduled messages.
    pub schedule_id: Option<String>,
    /// `Upstash-Topic-Name` (URL group), for messages published to one.
    pub topic_name: Option<String>,
}

impl VerifiedMessage {
    pub(crate) fn new(verified: Verified, headers: &HeaderMap) -> Self {
        VerifiedMessage {
            claims: verified.claims,
            key: verified.key,
            region: verified.region,
            message_id: text(headers, "upstash-message-id"),
            retried: text(headers, "upstash-retried").and_then(|v| v.trim().parse().ok()),
            region_header: text(headers, "upstash-region"),
            schedule_id: text(headers, "upstash-schedule-id"),
            topic_name: text(headers, "upstash-topic-name"),
        }
    }
}

/// A header value as text; values that are not visible ASCII are treated as absent.
pub(crate) fn text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_headers_are_read_and_bad_values_ignored() {
        let mut h = HeaderMap::new();
        h.insert("upstash-message-id", "msg_1".parse().unwrap());
        h.insert("upstash-retried", "2".parse().unwrap());
        h.insert("upstash-topic-name", http::HeaderValue::from_bytes(b"\xff").unwrap());
        assert_eq!(text(&h, "upstash-message-id").as_deref(), Some("msg_1"));
        assert_eq!(text(&h, "upstash-retried").and_then(|v| v.parse::<u32>().ok()), Some(2));
        assert_eq!(text(&h, "upstash-topic-name"), None);
    }
}
