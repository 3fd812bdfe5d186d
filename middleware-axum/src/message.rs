//! [`VerifiedMessage`]: what a handler learns about a verified delivery.

qstash_gate::verified_message! {
    /// A verified QStash delivery: the signed claims plus the (unsigned) delivery headers QStash
    /// sets (fields of [`Delivery`](qstash_gate::Delivery), reached through `Deref`:
    /// `message.claims`, `message.message_id`, `message.retried`, …). The layer puts it in the
    /// request extensions; handlers read it with the `VerifiedMessage` extractor or
    /// `request.extensions().get::<VerifiedMessage>()`.
    ///
    /// Only `claims` are covered by the signature; the header values are informational (QStash
    /// sets them, but anyone able to replay the token can change them).
}
