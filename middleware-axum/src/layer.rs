//! [`QStashLayer`]: applies [`QStash`] to a service.

use tower_layer::Layer;

use crate::config::QStashConfig;
use crate::service::QStash;

/// Verifies QStash deliveries before the wrapped service sees them.
///
/// In axum, apply it with `route_layer` so unknown routes still answer 404:
///
/// ```
/// use axum::{Router, routing::post};
/// use qstash_axum::{QStashLayer, VerifiedMessage};
///
/// async fn hook(message: VerifiedMessage, body: String) -> String {
///     format!("{} delivered {} bytes", message.message_id.as_deref().unwrap_or_default(), body.len())
/// }
///
/// let app: Router = Router::new()
///     .route("/api/qstash", post(hook))
///     .route_layer(QStashLayer::new(qstash_core::Receiver::dev()));
/// ```
#[derive(Debug, Clone)]
pub struct QStashLayer {
    config: QStashConfig,
}

impl QStashLayer {
    /// A layer with the given keys (a [`qstash_core::Receiver`], a
    /// [`qstash_core::SharedReceiver`] for runtime key rotation, or a full [`QStashConfig`]).
    pub fn new(config: impl Into<QStashConfig>) -> Self {
        QStashLayer { config: config.into() }
    }

    /// The layer's configuration (to rotate keys at runtime).
    pub fn config(&self) -> &QStashConfig {
        &self.config
    }
}

impl<S> Layer<S> for QStashLayer {
    type Service = QStash<S>;

    fn layer(&self, inner: S) -> Self::Service {
        QStash::new(inner, self.config.clone())
    }
}
