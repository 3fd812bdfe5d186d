//! [`Delivery`]: what a handler learns about a verified delivery.

use alloc::string::String;

use super::RequestHead;
use qstash_core::{Claims, KeyUsed, Region, Verified};

/// A verified QStash delivery: the signed claims plus the (unsigned) delivery headers QStash
/// sets. The framework adapters hand it to handlers as their `VerifiedMessage`.
///
/// Only `claims` are covered by the signature; the header values are informational (QStash
/// sets them, but anyone able to replay the token can change them).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Delivery {
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

impl Delivery {
    /// The verified claims plus the delivery headers of `head`; header values that are not
    /// visible ASCII, and an `Upstash-Retried` that is not a number, count as absent.
    pub fn new(verified: Verified, head: &impl RequestHead) -> Self {
        let text = |name| head.header_str(name).map(String::from);
        Delivery {
            claims: verified.claims,
            key: verified.key,
            region: verified.region,
            message_id: text("upstash-message-id"),
            retried: head.header("upstash-retried").and_then(parse_retried),
            region_header: text("upstash-region"),
            schedule_id: text("upstash-schedule-id"),
            topic_name: text("upstash-topic-name"),
        }
    }
}

/// `Upstash-Retried` as a count: ASCII digits (spaces around them aside) that fit in a `u32`,
/// else `None`. The length is capped before anything is converted, so no value, however long
/// or whatever its characters, costs more than a few comparisons or fails the delivery.
pub fn parse_retried(value: &[u8]) -> Option<u32> {
    let digits = value.trim_ascii();
    if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &d| n.checked_mul(10)?.checked_add(u32::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IndexedHead;
    use qstash_core::{Receiver, Request, Signer};

    #[test]
    fn delivery_headers_are_read_and_bad_values_ignored() {
        let token = Signer::dev().token("https://a.example/", b"").sign();
        let verified = Receiver::dev().verify(&Request::new(&token, b"")).unwrap();
        let lines: [(&str, &[u8]); 4] = [
            ("upstash-message-id", b"msg_1"),
            ("upstash-retried", b" 2 "),
            ("upstash-topic-name", b"\xff"),
            ("upstash-schedule-id", b"scd\x01"),
        ];
        let head = IndexedHead::from_headers("/", lines);
        let d = Delivery::new(verified, &head);
        assert_eq!(d.message_id.as_deref(), Some("msg_1"));
        assert_eq!(d.retried, Some(2));
        assert_eq!((d.topic_name, d.schedule_id, d.region_header), (None, None, None));
    }

    #[test]
    fn retried_is_a_plain_decimal_count_or_absent() {
        assert_eq!(parse_retried(b"0"), Some(0));
        assert_eq!(parse_retried(b" 12 "), Some(12));
        assert_eq!(parse_retried(b"4294967295"), Some(u32::MAX));
        for bad in
            [&b""[..], b" ", b"4294967296", b"+1", b"-1", b"1e3", b"0x1", "\u{b9}\u{b2}".as_bytes(), b"\xff"]
        {
            assert_eq!(parse_retried(bad), None, "{bad:?}");
        }
        assert_eq!(parse_retried("1".repeat(4301).as_bytes()), None);
    }
}
