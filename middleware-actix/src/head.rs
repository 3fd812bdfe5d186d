//! The actix-web request head as the gate reads it.

use actix_web::HttpRequest;
use qstash_gate::IndexedHead;

/// The gate's view of `request`: its headers and the target it arrived with. actix-web's
/// scopes route on the path without changing the request's URI, so the URI is the original.
pub(crate) fn head(request: &HttpRequest) -> IndexedHead<'_> {
    let target = request.uri().path_and_query().map_or("", |pq| pq.as_str());
    IndexedHead::from_headers(
        target,
        request.headers().iter().map(|(name, value)| (name.as_str(), value.as_bytes())),
    )
}
