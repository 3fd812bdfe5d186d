//! [`Verified<T>`]: verifies a delivery while a body extractor reads it.

use std::fmt;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_core::future::LocalBoxFuture;
use qstash_core::VerifyError;
use qstash_gate::Rejection;

use crate::config::registered;
use crate::error::QStashError;
use crate::message::VerifiedMessage;
use crate::payload::{checked_payload, verify};

/// Verifies the delivery, then runs the body extractor `T` (`web::Json<U>`, `web::Bytes`,
/// `String`, …) on the verified bytes and hands over its value and the [`VerifiedMessage`].
///
/// The token is checked from the headers before a byte of the body is read. The body is then
/// read up to the [`QStashConfig`](crate::QStashConfig)'s limit while it is hashed, and `T` runs only once the hash
/// matched: `T` never parses bytes that were not signed, and a tampered delivery is refused
/// with 401 `body`, never reported as a parse error. `qstash-axum`'s `Verified<T>` does the
/// same, so both answer a request alike.
///
/// Reads its [`QStashConfig`](crate::QStashConfig) from the app data (`App::app_data(config)` or
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

/// Why [`Verified<T>`] refused a request: the verification (401, 413, 400 or 503), or `T` itself
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
            let Some(config) = registered(&req) else {
                tracing::error!(path = req.path(), "Verified<T> used without a QStashConfig in the app data");
                let rejection = Rejection::Unauthorized(VerifyError::Missing);
                return Err(VerifiedError::Verification(QStashError::new(rejection, None)));
            };
            let (bytes, message) = verify(&config, &req, payload).await.map_err(|rejection| {
                VerifiedError::Verification(QStashError::new(rejection, Some(&config)))
            })?;
            req.extensions_mut().insert(message.clone());
            let value =
                T::from_request(&req, &mut checked_payload(bytes)).await.map_err(VerifiedError::Inner)?;
            Ok(Verified { message, value })
        })
    }
}
