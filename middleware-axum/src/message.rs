//! [`VerifiedMessage`]: what a handler learns about a verified delivery.

use std::ops::Deref;
use std::sync::Arc;

use qstash_gate::Delivery;

/// A verified QStash delivery: the signed claims plus the (unsigned) delivery headers QStash
/// sets (fields of [`Delivery`], reached through `Deref`: `message.claims`,
/// `message.message_id`, `message.retried`, …). The layer puts it in the request extensions;
/// handlers read it with the `VerifiedMessage` extractor or
/// `request.extensions().get::<VerifiedMessage>()`.
///
/// Only `claims` are covered by the signature; the header values are informational (QStash
/// sets them, but anyone able to replay the token can change them).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedMessage(pub Arc<Delivery>);

impl VerifiedMessage {
    /// The delivery, owned (shared with other copies of the message until then; handlers
    /// get clones, so it is behind an `Arc`).
    pub fn into_inner(self) -> Delivery {
        Arc::unwrap_or_clone(self.0)
    }
}

impl Deref for VerifiedMessage {
    type Target = Delivery;

    fn deref(&self) -> &Delivery {
        &self.0
    }
}

impl From<VerifiedMessage> for Delivery {
    fn from(message: VerifiedMessage) -> Self {
        message.into_inner()
    }
}

impl From<Delivery> for VerifiedMessage {
    fn from(delivery: Delivery) -> Self {
        VerifiedMessage(Arc::new(delivery))
    }
}
