//! [`Head`]: an actix-web request head as the core gate reads it.

use actix_web::HttpRequest;
use std::sync::LazyLock;

use actix_web::http::header::HeaderName;
use qstash_gate::{HEADERS_READ, RequestHead, header_index};

/// The gate's header names, parsed once: a `&str` lookup parses the name on every call.
static NAMES: LazyLock<[HeaderName; HEADERS_READ.len()]> =
    LazyLock::new(|| HEADERS_READ.map(HeaderName::from_static));

/// Borrowed view of an `HttpRequest` for [`qstash_gate::Gate`].
pub(crate) struct Head<'a>(pub(crate) &'a HttpRequest);

impl RequestHead for Head<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        let headers = self.0.headers();
        match header_index(name) {
            Some(i) => headers.get(&NAMES[i]),
            None => headers.get(name),
        }
        .map(|v| v.as_bytes())
    }

    fn path_and_query(&self) -> &str {
        self.0.uri().path_and_query().map_or("", |pq| pq.as_str())
    }

    fn scheme(&self) -> Option<&str> {
        self.0.uri().scheme_str()
    }

    fn authority(&self) -> Option<&str> {
        self.0.uri().authority().map(|a| a.as_str())
    }
}
