//! The payload of a delivery: verified by the gate while it is read, then handed on.

use std::future::ready;

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use bytes::Bytes;
use futures_util::stream;
use qstash_gate::Rejection;
use qstash_gate::framework::verify_delivery;

use crate::config::QStashConfig;
use crate::head::head;
use crate::message::VerifiedMessage;

/// The checked bytes as the payload the handler reads: one boxed one-shot stream, where
/// `Payload::from(Bytes)` would set up a whole HTTP/1 payload channel for a single chunk.
pub(crate) fn checked_payload(bytes: Bytes) -> Payload {
    Payload::Stream { payload: Box::pin(stream::once(ready(Ok(bytes)))) }
}

/// The gate's whole sequence for one request, shared by the middleware and `Verified<T>`,
/// with the head indexed once. A refusal is logged already.
pub(crate) async fn verify(
    config: &QStashConfig,
    req: &HttpRequest,
    payload: Payload,
) -> Result<(Bytes, VerifiedMessage), Rejection> {
    let limit = config.limit();
    // actix reports a payload over its own limit as `Overflow` (413); any other error means
    // the body could not be read (400).
    let body_error = |error| match error {
        PayloadError::Overflow => Rejection::PayloadTooLarge { limit },
        _ => Rejection::BadBody,
    };
    let (bytes, delivery) = verify_delivery(config.gate(), &head(req), payload, body_error).await?;
    Ok((bytes, VerifiedMessage::from(delivery)))
}
