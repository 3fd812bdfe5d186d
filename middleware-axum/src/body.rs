//! Reads a request body up to a limit, hashing it as it streams.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes, BytesMut};
use http_body::Body;
use pin_project_lite::pin_project;
use qstash_core::BodyHasher;

use qstash_core::middleware::Rejection;

pin_project! {
    /// Collects the body into one `Bytes` (no copy when it arrives in one chunk), feeding every
    /// chunk to the SHA-256 as it arrives and stopping at the limit.
    pub(crate) struct Collect<B> {
        #[pin]
        body: B,
        hasher: Option<BodyHasher>,
        first: Option<Bytes>,
        rest: BytesMut,
        len: usize,
        limit: usize,
    }
}

impl<B> Collect<B> {
    pub(crate) fn new(body: B, hasher: BodyHasher, limit: usize) -> Self {
        Collect { body, hasher: Some(hasher), first: None, rest: BytesMut::new(), len: 0, limit }
    }
}

impl<B: Body> Future for Collect<B> {
    type Output = Result<(Bytes, BodyHasher), Rejection>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let frame = match ready!(this.body.as_mut().poll_frame(cx)) {
                None => break,
                Some(Err(_)) => return Poll::Ready(Err(Rejection::BadBody)),
                Some(Ok(frame)) => frame,
            };
            // Trailers carry nothing QStash signs; only data counts.
            let Ok(mut data) = frame.into_data() else { continue };
            let chunk = data.copy_to_bytes(data.remaining());
            *this.len = this.len.saturating_add(chunk.len());
            if *this.len > *this.limit {
                return Poll::Ready(Err(Rejection::PayloadTooLarge { limit: *this.limit }));
            }
            if let Some(hasher) = this.hasher.as_mut() {
                hasher.update(&chunk);
            }
            match this.first.take() {
                None if this.rest.is_empty() => *this.first = Some(chunk),
                first => {
                    if let Some(first) = first {
                        this.rest.extend_from_slice(&first);
                    }
                    this.rest.extend_from_slice(&chunk);
                }
            }
        }
        let bytes = match this.first.take() {
            Some(first) => first,
            None => std::mem::take(this.rest).freeze(),
        };
        match this.hasher.take() {
            Some(hasher) => Poll::Ready(Ok((bytes, hasher))),
            // Polled again after completion: report it as a body error rather than panic.
            None => Poll::Ready(Err(Rejection::BadBody)),
        }
    }
}
