//! axum extractors: [`VerifiedMessage`] (after the layer) and [`Verified<T>`] (on its own).

use std::fmt;

use axum::body::Body;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use qstash_gate::framework::verify_delivery;

use crate::config::QStashConfig;
use crate::head::head;
use crate::message::VerifiedMessage;
use crate::rejection::{Rejection, default_response};

/// The delivery the [`QStashLayer`](crate::QStashLayer) verified. Without the layer on the
/// route there is nothing to read and the request is refused with 401 (`missing`): a route
/// that forgot the layer fails closed.
impl<S: Send + Sync> FromRequestParts<S> for VerifiedMessage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<VerifiedMessage>() {
            Some(message) => Ok(message.clone()),
            None => {
                tracing::error!(
                    path = parts.uri.path(),
                    "VerifiedMessage extracted on a route without QStashLayer"
                );
                Err(default_response(&Rejection::Unauthorized(qstash_core::VerifyError::Missing))
                    .map(Body::from))
            }
        }
    }
}

/// Verifies the delivery, then runs the body extractor `T` (`Json<U>`, `Bytes`, `String`, …)
/// on the exact bytes that were verified.
///
/// The body is read up to the limit while it is hashed; `T` runs only once the hash matched,
/// so it never parses an unsigned body and a tampered delivery is 401 `body`, never `T`'s
/// parse error (the same as `qstash-actix`'s `Verified<T>`).
///
/// Reads its [`QStashConfig`] from the router state (`QStashConfig: FromRef<S>`). When the
/// [`QStashLayer`](crate::QStashLayer) already verified the request, it only runs `T`.
///
/// ```
/// use axum::{Json, Router, routing::post};
/// use qstash_axum::{QStashConfig, Verified};
///
/// #[derive(serde::Deserialize)]
/// struct Order { id: u64 }
///
/// async fn hook(Verified { message, value: Json(order) }: Verified<Json<Order>>) -> String {
///     format!("order {} (retried {:?})", order.id, message.retried)
/// }
///
/// let app: Router = Router::new()
///     .route("/api/orders", post(hook))
///     .with_state(QStashConfig::new(qstash_core::Receiver::dev()));
/// ```
#[derive(Debug, Clone)]
pub struct Verified<T> {
    /// The verified delivery.
    pub message: VerifiedMessage,
    /// What `T` extracted from the verified body.
    pub value: T,
}

/// Why [`Verified<T>`] refused a request: the verification, or `T` itself (kept distinct so
/// a malformed JSON body is not reported as a bad signature).
#[non_exhaustive]
pub enum VerifiedRejection<R> {
    /// Signature, claims, size, body reading or the replay store failed (401, 413, 400 or 503).
    Verification {
        /// What failed.
        rejection: Rejection,
        /// The response the configuration built for it.
        response: Response,
    },
    /// The inner extractor refused the verified body.
    Inner(R),
}

impl<R: fmt::Debug> fmt::Debug for VerifiedRejection<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifiedRejection::Verification { rejection, .. } => {
                f.debug_tuple("Verification").field(rejection).finish()
            }
            VerifiedRejection::Inner(inner) => f.debug_tuple("Inner").field(inner).finish(),
        }
    }
}

impl<R: IntoResponse> IntoResponse for VerifiedRejection<R> {
    fn into_response(self) -> Response {
        match self {
            VerifiedRejection::Verification { response, .. } => response,
            VerifiedRejection::Inner(inner) => inner.into_response(),
        }
    }
}

impl<S, T> FromRequest<S> for Verified<T>
where
    S: Send + Sync,
    T: FromRequest<S>,
    QStashConfig: FromRef<S>,
{
    type Rejection = VerifiedRejection<T::Rejection>;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(message) = request.extensions().get::<VerifiedMessage>().cloned() {
            let value = T::from_request(request, state).await.map_err(VerifiedRejection::Inner)?;
            return Ok(Verified { message, value });
        }
        let config = QStashConfig::from_ref(state);
        let (parts, body) = request.into_parts();
        let verdict = {
            // The head is indexed once, for every step and the log line.
            let head = head(&parts);
            verify_delivery(config.gate(), &head, body.into_data_stream(), |_| Rejection::BadBody).await
        };
        let (bytes, message) = match verdict {
            Ok((bytes, delivery)) => (bytes, VerifiedMessage::from(delivery)),
            Err(rejection) => {
                let response = config.respond(&rejection, default_response).map(Body::from);
                return Err(VerifiedRejection::Verification { rejection, response });
            }
        };
        let mut request = Request::from_parts(parts, Body::from(bytes));
        request.extensions_mut().insert(message.clone());
        let value = T::from_request(request, state).await.map_err(VerifiedRejection::Inner)?;
        Ok(Verified { message, value })
    }
}
