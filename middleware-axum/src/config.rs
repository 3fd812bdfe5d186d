//! [`QStashConfig`]: keys, URL policy, body limit, logging and rejection responses, shared by
//! the layer and the extractors.

use bytes::Bytes;
use http::Response;

/// Everything the layer and the extractors need: the gate's configuration with the response
/// a refusal gets as an `http::Response` (see [`qstash_gate::framework::Config`] for every
/// option). Cheap to clone (one `Arc`); keys can be replaced at runtime through
/// `QStashConfig::receiver` without rebuilding the router.
///
/// ```
/// use qstash_axum::{QStashConfig, UrlPolicy};
/// use qstash_core::Receiver;
///
/// let config = QStashConfig::new(Receiver::dev())
///     .url_policy(UrlPolicy::PublicBase("https://api.example.com".into()))
///     .body_limit(1024 * 1024)
///     .rejection_log_level(tracing::Level::INFO);
/// # let _ = config;
/// ```
pub type QStashConfig = qstash_gate::framework::Config<Response<Bytes>>;
