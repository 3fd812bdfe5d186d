//! [`Verified<T>`]: verifies a delivery while a body extractor reads it.

use std::fmt;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_core::future::LocalBoxFuture;
use qstash_core::VerifyError;
use qstash_core::middleware::Rejection;

use crate::config::QStashConfig;
use crate::error::QStashError;
use crate::head::Head;
use crate::message::VerifiedMessage;
use crate::payload::{Hashing, drain};

/// Verifies the delivery while the body extractor `T` (`web::Json<U>`, `web::Bytes`,
/// `String`, …) reads it, then hands over `T`'s value and the [`VerifiedMessage`].
///
/// The token is checked from the headers before `T` sees a byte. Then every chunk `T` reads
/// goes through SHA-256 on its way (no second buffer); the body limit of the
/// [`QStashConfig`] applies on top of `T`'s own. A body whose hash does not match is refused
/// with 401 even when `T` could not parse it, so a tampered delivery is never reported as a
/// parse error.
///
/// Reads its [`QStashConfig`] from the app data (`App::app_data(config)` or
/// `App::app_data(web::Data::new(config))`); without one every request is refused with 401
/// (`missing`). Behind the [`QStash`](crate::QStash) middleware it only runs `T`.
///
/// It carries the [`VerifiedMessage`] itself: actix-web starts all of a handler's extractors
/// before any finishes, so a separate `VerifiedMessage` argument next to `Verified<T>` (without
/// the middleware) would find nothing yet and refuse the request.
///
/// ```
/// use actix_web::{App, web};
/// use qstash_actix::{QStashConfig, Verified};
///
/// #[derive(serde::Deserialize)]
/// struct Order { id: u64 }
///
/// async fn hook(Verified { message, value: web::Json(order) }: Verified<web::Json<Order>>) -> String {
///     format!("order {} (retried {:?})", order.id, message.retried)
/// }
///
/// let app = App::new()
///     .app_data(QStashConfig::new(qstash_core::Receiver::dev()))
///     .route("/api/orders", web::post().to(hook));
/// # let _ = app;
/// ```
#[derive(Debug, Clone)]
pub struct Verified<T> {
    /// The verified delivery.
    pub message: VerifiedMessage,
    /// What `T` extracted from the verified body.
    pub value: T,
}

/// Why [`Verified<T>`] refused a request: the verification (401, 413, 400), or `T` itself
/// (kept distinct, so a malformed JSON body of an authentic delivery is not reported as a
/// bad signature).
#[non_exhaustive]
pub enum VerifiedError<E> {
    /// Signature, claims, size or body reading failed.
    Verification(QStashError),
    /// The inner extractor refused the verified body.
    Inner(E),
}

impl<E: fmt::Debug> fmt::Debug for VerifiedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifiedError::Verification(error) => f.debug_tuple("Verification").field(error).finish(),
            VerifiedError::Inner(inner) => f.debug_tuple("Inner").field(inner).finish(),
        }
    }
}

impl<E: fmt::Display> fmt::Display for VerifiedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifiedError::Verification(error) => fmt::Display::fmt(error, f),
            VerifiedError::Inner(inner) => fmt::Display::fmt(inner, f),
        }
    }
}

impl<E: Into<actix_web::Error>> From<VerifiedError<E>> for actix_web::Error {
    fn from(error: VerifiedError<E>) -> Self {
        match error {
            VerifiedError::Verification(error) => error.into(),
            VerifiedError::Inner(inner) => inner.into(),
        }
    }
}

impl<T> FromRequest for Verified<T>
where
    T: FromRequest + 'static,
{
    type Error = VerifiedError<T::Error>;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            // Cloned out first: the extensions stay borrowed for as long as the guard lives,
            // and the inner extractor may need them.
            let already = req.extensions().get::<VerifiedMessage>().cloned();
            if let Some(message) = already {
                let value = T::from_request(&req, &mut payload).await.map_err(VerifiedError::Inner)?;
                return Ok(Verified { message, value });
            }
            let Some(config) = QStashConfig::of(&req) else {
                tracing::error!(path = req.path(), "Verified<T> used without a QStashConfig in the app data");
                let rejection = Rejection::Unauthorized(VerifyError::Missing);
                return Err(VerifiedError::Verification(QStashError::new(rejection, None)));
            };
            let fail = |rejection| VerifiedError::Verification(config.reject(rejection, &req));
            let gate = config.gate();
            let token = gate.verify_head(&Head(&req)).map_err(fail)?;

            let (hashing, tally) = Hashing::new(payload, token.body_hasher(), gate.body_limit());
            let mut lent: Payload = Payload::Stream { payload: Box::pin(hashing) };
            let value = T::from_request(&req, &mut lent).await;
            // Whatever `T` left unread still counts for the hash (and the limit).
            drain(&mut lent).await;
            drop(lent);
            let Ok(tally) = Rc::try_unwrap(tally) else {
                // `T` kept the stream for later (`web::Payload`): the body cannot be verified
                // before the handler runs, so the request is refused.
                tracing::error!(path = req.path(), "Verified<T> needs an extractor that reads the body");
                return Err(fail(Rejection::BadBody));
            };
            let (hasher, outcome) = tally.into_inner().into_parts();
            if let Some(rejection) = outcome {
                return Err(fail(rejection));
            }
            let verified = hasher.verify(token).map_err(|e| fail(e.into()))?;
            if let Some(check) = gate.replay_check(&verified) {
                check.await.map_err(fail)?;
            }
            let value = value.map_err(VerifiedError::Inner)?;
            let message = VerifiedMessage::from(gate.delivery(verified, &Head(&req)));
            req.extensions_mut().insert(message.clone());
            Ok(Verified { message, value })
        })
    }
}
