//! [`VerifiedMessage`]: what a handler learns about a verified delivery.

use std::future::{Ready, ready};
use std::ops::Deref;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use qstash_core::VerifyError;
use qstash_gate::{Delivery, Rejection};

use crate::config::QStashConfig;
use crate::error::QStashError;

/// A verified QStash delivery: the signed claims plus the (unsigned) delivery headers QStash
/// sets (fields of [`Delivery`], reached through `Deref`: `message.claims`,
/// `message.message_id`, `message.retried`, …).
///
/// The [`QStash`](crate::QStash) middleware and the [`Verified`](crate::Verified) extractor
/// put it in the request extensions; handlers take it as an extractor. On a route without
/// either there is nothing to read and the request is refused with 401 (`missing`): a route
/// that forgot the middleware fails closed.
///
/// Only `claims` are covered by the signature; the header values are informational.
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

impl FromRequest for VerifiedMessage {
    type Error = QStashError;
    type Future = Ready<Result<Self, QStashError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.extensions().get::<VerifiedMessage>().cloned().ok_or_else(|| {
            tracing::error!(
                path = req.path(),
                "VerifiedMessage extracted on a route without the QStash middleware"
            );
            let rejection = Rejection::Unauthorized(VerifyError::Missing);
            match QStashConfig::of(req) {
                Some(config) => config.reject(rejection, req),
                None => QStashError::new(rejection, None),
            }
        }))
    }
}
