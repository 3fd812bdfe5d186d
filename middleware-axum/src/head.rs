//! [`Head`]: the `http` request head as the core gate reads it.

use std::cell::OnceCell;
use std::sync::LazyLock;

use http::request::Parts;
use http::{HeaderName, Uri};
use qstash_gate::{HEADERS_READ, RequestHead, header_index, join_lines};

/// The gate's header names, parsed once: a `&str` lookup parses the name on every call.
static NAMES: LazyLock<[HeaderName; HEADERS_READ.len()]> =
    LazyLock::new(|| HEADERS_READ.map(HeaderName::from_static));

/// Borrowed view of `http::request::Parts` for [`qstash_gate::Gate`].
pub(crate) struct Head<'a> {
    parts: &'a Parts,
    /// The gate's headers with their lines joined, built only when one of them repeats.
    joined: OnceCell<Box<[Option<Vec<u8>>; HEADERS_READ.len()]>>,
}

impl<'a> Head<'a> {
    pub(crate) fn new(parts: &'a Parts) -> Self {
        Head { parts, joined: OnceCell::new() }
    }

    /// The URI the request arrived with. QStash signs the URL it delivered to, but a router
    /// that nests this route (`Router::nest("/v1", …)`) strips its prefix from `Parts::uri`
    /// before the layer or extractor runs; axum keeps the original in `OriginalUri`.
    fn uri(&self) -> &Uri {
        #[cfg(feature = "axum")]
        if let Some(axum::extract::OriginalUri(original)) = self.parts.extensions.get() {
            return original;
        }
        &self.parts.uri
    }
}

impl RequestHead for Head<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        let headers = &self.parts.headers;
        let Some(i) = header_index(name) else { return headers.get(name).map(|v| v.as_bytes()) };
        let mut lines = headers.get_all(&NAMES[i]).iter();
        let first = lines.next()?;
        if lines.next().is_none() {
            return Some(first.as_bytes());
        }
        let joined = self.joined.get_or_init(|| {
            Box::new(NAMES.each_ref().map(|name| {
                let lines = headers.get_all(name);
                lines.iter().next().map(|_| join_lines(lines.iter().map(|v| v.as_bytes())))
            }))
        });
        joined[i].as_deref()
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
