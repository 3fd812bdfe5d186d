//! Reads a request body up to a limit, hashing it as it streams.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes, BytesMut};
use http_body::Body;
use pin_project_lite::pin_project;
use qstash_gate::{Pending, Rejection};

pin_project! {
    /// Collects the body into one `Bytes` (no copy when it arrives in one chunk), feeding every
    /// chunk to the gate's [`Pending`] as it arrives, which stops it at the limit.
    pub(crate) struct Collect<B> {
        #[pin]
        body: B,
        pending: Option<Pending>,
        first: Option<Bytes>,
        rest: BytesMut,
    }
}

impl<B> Collect<B> {
    pub(crate) fn new(body: B, pending: Pending) -> Self {
        Collect { body, pending: Some(pending), first: None, rest: BytesMut::new() }
    }
}

impl<B: Body> Future for Collect<B> {
    type Output = Result<(Bytes, Pending), Rejection>;

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
            if let Some(pending) = this.pending.as_mut() {
                pending.update(&chunk)?;
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
        match this.pending.take() {
            Some(pending) => Poll::Ready(Ok((bytes, pending))),
            // Polled again after completion: report it as a body error rather than panic.
            None => Poll::Ready(Err(Rejection::BadBody)),
        }
    }
}
