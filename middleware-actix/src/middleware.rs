//! [`QStash`]: the actix-web middleware (`App::wrap`, `Scope::wrap`, `Resource::wrap`).

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage};
use futures_core::future::LocalBoxFuture;

use crate::config::QStashConfig;
use crate::error::QStashError;
use crate::payload::{checked_payload, verify};

/// Middleware that verifies the `Upstash-Signature` of every request before the handler runs.
///
/// Order of work: the token (signature and claims, SPEC.md §3 steps 1–8, the URL policy and
/// a declared `Content-Length`) is checked from the headers alone, so an unauthenticated
/// request is refused without reading any of its payload. Then the payload is read up to the
/// limit while it is hashed, the hash is compared with the token, and the handler gets the
/// exact bytes as its payload (`web::Json`, `web::Bytes`, `String` all work) with a
/// [`VerifiedMessage`](crate::VerifiedMessage) in the request extensions.
///
/// Rejections are built with `ServiceRequest::error_response`, so outer middleware (logging,
/// CORS) still runs: 401, 413, 400 or 503, never 500.
///
/// ```
/// use actix_web::{App, web};
/// use qstash_actix::{QStash, VerifiedMessage};
///
/// async fn hook(message: VerifiedMessage, body: web::Bytes) -> String {
///     format!("{} delivered {} bytes", message.message_id.as_deref().unwrap_or_default(), body.len())
/// }
///
/// let app = App::new().service(
///     web::resource("/api/qstash").wrap(QStash::new(qstash_core::Receiver::dev())).route(web::post().to(hook)),
/// );
/// # let _ = app;
/// ```
#[derive(Debug, Clone)]
pub struct QStash {
    config: QStashConfig,
}

impl QStash {
    /// The middleware with the given keys (a [`qstash_core::Receiver`], a
    /// [`qstash_core::SharedReceiver`] for runtime key rotation, or a full [`QStashConfig`]).
    pub fn new(config: impl Into<QStashConfig>) -> Self {
        QStash { config: config.into() }
    }

    /// The configuration (to rotate keys at runtime).
    pub fn config(&self) -> &QStashConfig {
        &self.config
    }
}

impl<S, B> Transform<S, ServiceRequest> for QStash
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = QStashMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(QStashMiddleware { service: Rc::new(service), config: self.config.clone() }))
    }
}

/// The service [`QStash`] wraps around a route or scope.
pub struct QStashMiddleware<S> {
    service: Rc<S>,
    config: QStashConfig,
}

impl<S, B> Service<ServiceRequest> for QStashMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let config = self.config.clone();
        Box::pin(async move {
            let payload = req.take_payload();
            let (bytes, message) = match verify(&config, req.request(), payload).await {
                Ok(verified) => verified,
                Err(rejection) => {
                    let error = QStashError::new(rejection, Some(&config));
                    return Ok(req.error_response(error).map_into_right_body());
                }
            };
            req.extensions_mut().insert(message);
            req.set_payload(checked_payload(bytes));
            service.call(req).await.map(ServiceResponse::map_into_left_body)
        })
    }
}
