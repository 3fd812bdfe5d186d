//! The body of a delivery: read up to the limit while it is hashed, then checked.

use std::future::{poll_fn, ready};
use std::pin::Pin;

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::stream;
use qstash_gate::{Pending, Rejection};

use crate::config::QStashConfig;
use crate::head::head;
use crate::message::VerifiedMessage;

/// The next chunk of a payload.
async fn next_chunk(payload: &mut Payload) -> Option<Result<Bytes, PayloadError>> {
    poll_fn(|cx| Pin::new(&mut *payload).poll_next(cx)).await
}

/// Reads the whole payload into one `Bytes` (no copy when it arrives in one chunk), feeding
/// every chunk to `pending`, which stops it at the limit.
async fn read_through(payload: &mut Payload, pending: &mut Pending) -> Result<Bytes, Rejection> {
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    while let Some(chunk) = next_chunk(payload).await {
        let chunk = chunk.map_err(|e| rejection_of(e, pending.limit()))?;
        pending.update(&chunk)?;
        match first.take() {
            None if rest.is_empty() => first = Some(chunk),
            first => {
                if let Some(first) = first {
                    rest.extend_from_slice(&first);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| rest.freeze()))
}

/// The checked bytes as the payload the handler reads: one boxed one-shot stream, where
/// `Payload::from(Bytes)` would set up a whole HTTP/1 payload channel for a single chunk.
pub(crate) fn checked_payload(bytes: Bytes) -> Payload {
    Payload::Stream { payload: Box::pin(stream::once(ready(Ok(bytes)))) }
}

/// A payload error as the rejection it stands for: actix reports an oversized body as
/// `Overflow` (413); anything else means the body could not be read (400).
fn rejection_of(error: PayloadError, limit: usize) -> Rejection {
    match error {
        PayloadError::Overflow => Rejection::PayloadTooLarge { limit },
        _ => Rejection::BadBody,
    }
}

/// The gate's whole sequence for one request, shared by the middleware and `Verified<T>`: the
/// token from the head, the body read and hashed under the limit, the hash, the delivery
/// headers and the replay check. Gives the exact bytes and the verified message.
pub(crate) async fn verify_delivery(
    config: &QStashConfig,
    req: &HttpRequest,
    payload: &mut Payload,
) -> Result<(Bytes, VerifiedMessage), Rejection> {
    let gate = config.gate();
    let head = head(req);
    let mut pending = gate.verify_head(&head)?;
    let bytes = read_through(payload, &mut pending).await?;
    let message = VerifiedMessage::from(gate.finish(pending, &head)?);
    if let Some(check) = gate.replay_check(&message) {
        check.await?;
    }
    Ok((bytes, message))
}
