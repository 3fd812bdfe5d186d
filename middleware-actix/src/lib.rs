//! Verify Upstash QStash deliveries in actix-web, before your handler runs.
//!
//! The [`QStash`] middleware checks the `Upstash-Signature` token (signature, issuer, expiry,
//! URL) from the headers alone and refuses unauthenticated requests without reading their
//! payload; then it reads the payload up to a limit while hashing it, checks the hash, and
//! hands the exact bytes to the handler with a [`VerifiedMessage`] in the request extensions.
//! The [`Verified<T>`] extractor does the same for one handler, streaming the body through
//! SHA-256 while `T` reads it.
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use qstash_actix::{QStash, QStashConfig, VerifiedMessage};
//!
//! async fn hook(message: VerifiedMessage, body: web::Bytes) -> &'static str {
//!     tracing::info!(id = ?message.message_id, bytes = body.len(), "delivery");
//!     "ok"
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let config = QStashConfig::from_env()?; // QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY
//!     HttpServer::new(move || {
//!         App::new().service(web::scope("/api/qstash").wrap(QStash::new(config.clone())).route("", web::post().to(hook)))
//!     })
//!     .bind("0.0.0.0:3000")?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! Responses: 401 `{"error":"invalid_signature","reason":"<code>"}` for a missing or invalid
//! signature, 413 over the body limit, 400 for an unreadable body, 503 when the replay store
//! cannot answer; never 500.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod error;
mod extract;
mod head;
mod message;
mod middleware;
mod payload;
#[cfg(feature = "test-util")]
pub mod test_util;

pub use config::QStashConfig;
pub use error::{QStashError, default_response};
pub use extract::{Verified, VerifiedError};
pub use message::VerifiedMessage;
pub use middleware::{QStash, QStashMiddleware};
// The verifier's types a configuration is built from: with them the first example needs no
// second dependency on `qstash-core`.
pub use qstash_core::{Claims, ConfigError, KeyPair, KeyUsed, Receiver, SharedReceiver, Signer};
pub use qstash_gate::callback::Callback;
pub use qstash_gate::{DEFAULT_BODY_LIMIT, Delivery, Gate, ProxyHeaders, Rejection, UrlPolicy};

/// A verified callback or failure callback of QStash, both bodies decoded:
/// `async fn on_callback(VerifiedCallback { value: web::Json(callback), .. }: VerifiedCallback)`.
pub type VerifiedCallback = Verified<actix_web::web::Json<Callback>>;

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
