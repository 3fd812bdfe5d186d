//! Reading and hashing the payload as it streams, up to the body limit.

use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use qstash_core::BodyHasher;
use qstash_core::middleware::Rejection;

/// The next chunk of a payload.
async fn next_chunk(payload: &mut Payload) -> Option<Result<Bytes, PayloadError>> {
    poll_fn(|cx| Pin::new(&mut *payload).poll_next(cx)).await
}

/// Reads the whole payload into one `Bytes` (no copy when it arrives in one chunk), feeding
/// every chunk to `hasher` as it arrives and stopping at `limit`.
pub(crate) async fn read_hashed(
    payload: &mut Payload,
    hasher: &mut BodyHasher,
    limit: usize,
) -> Result<Bytes, Rejection> {
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut len = 0usize;
    while let Some(chunk) = next_chunk(payload).await {
        let chunk = chunk.map_err(|e| rejection_of(e, limit))?;
        len = len.saturating_add(chunk.len());
        if len > limit {
            return Err(Rejection::PayloadTooLarge { limit });
        }
        hasher.update(&chunk);
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

/// A payload error as the rejection it stands for: actix reports an oversized body as
/// `Overflow` (413); anything else means the body could not be read (400).
fn rejection_of(error: PayloadError, limit: usize) -> Rejection {
    match error {
        PayloadError::Overflow => Rejection::PayloadTooLarge { limit },
        _ => Rejection::BadBody,
    }
}

/// Reads what is left of `payload` and drops it, stopping at the first error.
pub(crate) async fn drain(payload: &mut Payload) {
    while let Some(Ok(_)) = next_chunk(payload).await {}
}

/// What the hashing stream learned, shared with the extractor that reads the verdict.
pub(crate) struct Tally {
    hasher: BodyHasher,
    len: usize,
    limit: usize,
    outcome: Option<Rejection>,
}

impl Tally {
    pub(crate) fn into_parts(self) -> (BodyHasher, Option<Rejection>) {
        (self.hasher, self.outcome)
    }
}

/// A payload that hashes every chunk on its way to the inner extractor and ends with an
/// `Overflow` error at the limit, so the inner extractor never holds a second copy.
pub(crate) struct Hashing {
    inner: Payload,
    tally: Rc<RefCell<Tally>>,
}

impl Hashing {
    pub(crate) fn new(inner: Payload, hasher: BodyHasher, limit: usize) -> (Self, Rc<RefCell<Tally>>) {
        let tally = Rc::new(RefCell::new(Tally { hasher, len: 0, limit, outcome: None }));
        (Hashing { inner, tally: tally.clone() }, tally)
    }
}

impl Stream for Hashing {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let mut tally = this.tally.borrow_mut();
        if tally.outcome.is_some() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                tally.len = tally.len.saturating_add(chunk.len());
                if tally.len > tally.limit {
                    tally.outcome = Some(Rejection::PayloadTooLarge { limit: tally.limit });
                    return Poll::Ready(Some(Err(PayloadError::Overflow)));
                }
                tally.hasher.update(&chunk);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(error))) => {
                tally.outcome = Some(rejection_of(error, tally.limit));
                Poll::Ready(Some(Err(PayloadError::Incomplete(None))))
            }
            other => other,
        }
    }
}
