//! [`Head`]: the `http` request head as the core gate reads it.

use http::request::Parts;
use std::sync::LazyLock;

use http::{HeaderName, Uri};
use qstash_gate::{HEADERS_READ, RequestHead, header_index};

/// The gate's header names, parsed once: a `&str` lookup parses the name on every call.
static NAMES: LazyLock<[HeaderName; HEADERS_READ.len()]> =
    LazyLock::new(|| HEADERS_READ.map(HeaderName::from_static));

/// Borrowed view of `http::request::Parts` for [`qstash_gate::Gate`].
pub(crate) struct Head<'a>(pub(crate) &'a Parts);

impl RequestHead for Head<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        let headers = &self.0.headers;
        match header_index(name) {
            Some(i) => headers.get(&NAMES[i]),
            None => headers.get(name),
        }
        .map(|v| v.as_bytes())
    }

    fn path_and_query(&self) -> &str {
        self.uri().path_and_query().map_or("", |pq| pq.as_str())
    }

    fn scheme(&self) -> Option<&str> {
        self.uri().scheme_str()
    }

    fn authority(&self) -> Option<&str> {
        self.uri().authority().map(|a| a.as_str())
    }
}

impl Head<'_> {
    /// The URI the request arrived with. QStash signs the URL it delivered to, but a router
    /// that nests this route (`Router::nest("/v1", …)`) strips its prefix from `Parts::uri`
    /// before the layer or extractor runs; axum keeps the original in `OriginalUri`.
    fn uri(&self) -> &Uri {
        #[cfg(feature = "axum")]
        if let Some(axum::extract::OriginalUri(original)) = self.0.extensions.get() {
            return original;
        }
        &self.0.uri
    }
}
