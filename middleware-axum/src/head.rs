//! The `http` request head as the gate reads it.

use http::Uri;
use http::request::Parts;
use qstash_gate::IndexedHead;

/// The gate's view of `parts`: its headers and the original request target.
pub(crate) fn head(parts: &Parts) -> IndexedHead<'_> {
    let target = original_uri(parts).path_and_query().map_or("", |pq| pq.as_str());
    IndexedHead::from_headers(
        target,
        parts.headers.iter().map(|(name, value)| (name.as_str(), value.as_bytes())),
    )
}

/// The URI the request arrived with. QStash signs the URL it delivered to, but a router that
/// nests this route (`Router::nest("/v1", …)`) strips its prefix from `Parts::uri` before the
/// layer or extractor runs; axum keeps the original in `OriginalUri`.
fn original_uri(parts: &Parts) -> &Uri {
    #[cfg(feature = "axum")]
    if let Some(axum::extract::OriginalUri(original)) = parts.extensions.get() {
        return original;
    }
    &parts.uri
}
