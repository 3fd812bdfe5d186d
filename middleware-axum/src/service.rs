//! [`QStash`]: the middleware service.

use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use tower_service::Service;

use crate::config::QStashConfig;
use crate::future::ResponseFuture;

/// Middleware that verifies the `Upstash-Signature` of every request before calling `S`.
///
/// Order of work: the token (signature and claims, SPEC.md §3 steps 1–8) is checked from the
/// headers alone, so an unauthenticated request is refused without reading any of its body.
/// Then the body is read up to the limit while it is hashed, the hash is compared with the
/// token, and `S` gets the exact bytes (rebuilt as its own body type) with a
/// [`VerifiedMessage`](crate::VerifiedMessage) in the request extensions.
///
/// Rejections are responses (`Ok(Response)`), never service errors: 401, 413, 400 or 503, never
/// 500.
#[derive(Debug, Clone)]
pub struct QStash<S> {
    inner: S,
    config: QStashConfig,
}

impl<S> QStash<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, config: impl Into<QStashConfig>) -> Self {
        QStash { inner, config: config.into() }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The configuration (to rotate keys at runtime).
    pub fn config(&self) -> &QStashConfig {
        &self.config
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for QStash<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    ReqBody: Body + From<Bytes> + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Send,
    ResBody: From<Bytes>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S, ReqBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The service that was polled ready handles this request; its clone waits for the
        // next one (tower's usual pattern for calling from a future).
        let clone = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(request, ready, self.config.clone())
    }
}
