//! Verify Upstash QStash deliveries in axum, hyper or any tower stack, before your handler runs.
//!
//! [`QStashLayer`] checks the `Upstash-Signature` token (signature, issuer, expiry, URL) from
//! the headers alone and refuses unauthenticated requests without reading their body; then it
//! reads the body up to a limit while hashing it, checks the hash, and hands the exact bytes
//! to the handler with a [`VerifiedMessage`] in the request extensions.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use qstash_axum::{QStashConfig, QStashLayer, VerifiedMessage};
//!
//! async fn hook(message: VerifiedMessage, body: axum::body::Bytes) -> &'static str {
//!     tracing::info!(id = ?message.message_id, bytes = body.len(), "delivery");
//!     "ok"
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = QStashConfig::from_env()?; // QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY
//! let app = Router::new()
//!     .route("/api/qstash", post(hook))
//!     .route_layer(QStashLayer::new(config));
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! Responses: 401 `{"error":"invalid_signature","reason":"<code>"}` for a missing or invalid
//! signature, 413 over the body limit, 400 for an unreadable body, 503 when the replay store
//! cannot answer; never 500.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
#[cfg(feature = "axum")]
mod extract;
mod future;
mod head;
mod layer;
mod message;
mod rejection;
mod service;
#[cfg(feature = "test-util")]
pub mod test_util;

pub use config::QStashConfig;
#[cfg(feature = "axum")]
pub use extract::{Verified, VerifiedRejection};
pub use future::ResponseFuture;
pub use layer::QStashLayer;
pub use message::VerifiedMessage;
// The verifier's types a configuration is built from: with them the first example needs no
// second dependency on `qstash-core`.
pub use qstash_core::{Claims, ConfigError, KeyPair, KeyUsed, Receiver, SharedReceiver, Signer};
pub use qstash_gate::callback::Callback;
pub use qstash_gate::{DEFAULT_BODY_LIMIT, Delivery, Gate, ProxyHeaders, UrlPolicy};

/// A verified callback or failure callback of QStash, both bodies decoded:
/// `async fn on_callback(VerifiedCallback { value: Json(callback), .. }: VerifiedCallback)`.
#[cfg(feature = "axum")]
pub type VerifiedCallback = Verified<axum::Json<Callback>>;
pub use rejection::{Rejection, default_response};
pub use service::QStash;

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
