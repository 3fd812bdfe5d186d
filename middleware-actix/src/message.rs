//! [`VerifiedMessage`]: what a handler learns about a verified delivery.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use qstash_core::VerifyError;
use qstash_gate::Rejection;

use crate::config::registered;
use crate::error::QStashError;
use crate::head::head;

qstash_gate::verified_message! {
    /// A verified QStash delivery: the signed claims plus the (unsigned) delivery headers QStash
    /// sets (fields of [`Delivery`](qstash_gate::Delivery), reached through `Deref`:
    /// `message.claims`, `message.message_id`, `message.retried`, …).
    ///
    /// The [`QStash`](crate::QStash) middleware and the [`Verified`](crate::Verified) extractor
    /// put it in the request extensions; handlers take it as an extractor. On a route without
    /// either there is nothing to read and the request is refused with 401 (`missing`): a route
    /// that forgot the middleware fails closed.
    ///
    /// Only `claims` are covered by the signature; the header values are informational.
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
            match registered(req) {
                Some(config) => QStashError::new(config.gate().reject(rejection, &head(req)), Some(&config)),
                None => QStashError::new(rejection, None),
            }
        }))
    }
}
