//! [`Head`]: the `http` request head as the core gate reads it.

use std::cell::OnceCell;

use http::request::Parts;
use http::{HeaderValue, Uri};
use qstash_gate::{HEADERS_READ, RequestHead, header_index, join_lines};

/// Borrowed view of `http::request::Parts` for [`qstash_gate::Gate`].
pub(crate) struct Head<'a> {
    parts: &'a Parts,
    /// The first line of each header the gate reads, found in one pass over the request's
    /// headers: the gate asks for eight of them, and a pass over a request's few headers costs
    /// less than eight hashed lookups of names outside the `http` crate's standard set.
    found: [Option<&'a HeaderValue>; HEADERS_READ.len()],
    /// Whether any of them was sent on several lines.
    repeated: bool,
    /// The gate's headers with their lines joined, built only when one of them repeats.
    joined: OnceCell<Box<[Option<Vec<u8>>; HEADERS_READ.len()]>>,
}

impl<'a> Head<'a> {
    pub(crate) fn new(parts: &'a Parts) -> Self {
        let mut found = [None; HEADERS_READ.len()];
        let mut repeated = false;
        for (name, value) in &parts.headers {
            if let Some(i) = header_index(name.as_str()) {
                repeated |= found[i].is_some();
                found[i].get_or_insert(value);
            }
        }
        Head { parts, found, repeated, joined: OnceCell::new() }
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
        let Some(i) = header_index(name) else { return self.parts.headers.get(name).map(|v| v.as_bytes()) };
        if !self.repeated {
            return self.found[i].map(HeaderValue::as_bytes);
        }
        let joined = self.joined.get_or_init(|| {
            let headers = &self.parts.headers;
            Box::new(HEADERS_READ.map(|name| {
                let lines = headers.get_all(name);
                lines.iter().next().map(|_| join_lines(lines.iter().map(HeaderValue::as_bytes)))
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
