//! [`QStashError`]: a rejection as an actix-web error, and its default response.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use qstash_gate::Rejection;
use qstash_gate::framework::Responder;

use crate::config::QStashConfig;

/// A refused delivery as an actix-web error: returned by the extractors and passed to
/// `ServiceRequest::error_response` by the middleware, so outer middleware (logging, CORS)
/// still sees the response. Its status is the rejection's: 401, 413, 400 or 503.
#[derive(Clone)]
pub struct QStashError {
    rejection: Rejection,
    respond: Option<Responder<HttpResponse>>,
}

impl QStashError {
    /// A rejection (logged already) answered as `config` says, or with [`default_response`].
    pub(crate) fn new(rejection: Rejection, config: Option<&QStashConfig>) -> Self {
        QStashError { rejection, respond: config.and_then(QStashConfig::responder) }
    }

    /// Why the delivery was refused.
    pub fn rejection(&self) -> &Rejection {
        &self.rejection
    }
}

/// The default response for a rejection, as every qstash-kit front end answers it (SPEC.md
/// §7.2): its status (401, 413, 400 or 503), its headers and its JSON body
/// `{"error":…,"reason":…}`. Call it from your own
/// [`QStashConfig::on_rejection`](crate::QStashConfig::on_rejection) to change only part of it.
pub fn default_response(rejection: &Rejection) -> HttpResponse {
    // The gate's statuses are fixed valid values; the fallback cannot run.
    let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = HttpResponse::build(status);
    for &header in rejection.headers() {
        response.insert_header(header);
    }
    response.body(rejection.json_body())
}

impl fmt::Debug for QStashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("QStashError").field(&self.rejection).finish()
    }
}

impl fmt::Display for QStashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.rejection, f)
    }
}

impl std::error::Error for QStashError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.rejection)
    }
}

impl ResponseError for QStashError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.rejection.status()).unwrap_or(StatusCode::BAD_REQUEST)
    }

    fn error_response(&self) -> HttpResponse {
        match &self.respond {
            Some(respond) => respond(&self.rejection),
            None => default_response(&self.rejection),
        }
    }
}
