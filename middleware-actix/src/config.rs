//! [`QStashConfig`]: keys, URL policy, body limit, logging and rejection responses, shared by
//! the middleware and the extractors.

use actix_web::{HttpRequest, HttpResponse, web};

/// Everything the middleware and the extractors need: the gate's configuration with the
/// response a refusal gets as an `HttpResponse` (see [`qstash_gate::framework::Config`] for
/// every option). Cheap to clone (one `Arc`); keys can be replaced at runtime through
/// `QStashConfig::receiver` without restarting the server.
///
/// The [`Verified`](crate::Verified) extractor finds it in the app data, registered either
/// as `App::app_data(config)` or as `App::app_data(web::Data::new(config))`.
///
/// ```
/// use qstash_actix::{QStashConfig, UrlPolicy};
/// use qstash_core::Receiver;
///
/// let config = QStashConfig::new(Receiver::dev())
///     .url_policy(UrlPolicy::PublicBase("https://api.example.com".into()))
///     .body_limit(1024 * 1024)
///     .rejection_log_level(tracing::Level::INFO);
/// # let _ = config;
/// ```
pub type QStashConfig = qstash_gate::framework::Config<HttpResponse>;

/// The configuration registered in the app data, plain or in `web::Data`.
pub(crate) fn registered(req: &HttpRequest) -> Option<QStashConfig> {
    req.app_data::<QStashConfig>()
        .cloned()
        .or_else(|| req.app_data::<web::Data<QStashConfig>>().map(|data| data.get_ref().clone()))
}
