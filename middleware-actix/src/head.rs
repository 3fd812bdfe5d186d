//! [`Head`]: an actix-web request head as the core gate reads it.

use std::cell::OnceCell;
use std::sync::LazyLock;

use actix_web::HttpRequest;
use actix_web::http::header::HeaderName;
use qstash_gate::{HEADERS_READ, RequestHead, header_index, join_lines};

/// The gate's header names, parsed once: a `&str` lookup parses the name on every call.
static NAMES: LazyLock<[HeaderName; HEADERS_READ.len()]> =
    LazyLock::new(|| HEADERS_READ.map(HeaderName::from_static));

/// Borrowed view of an `HttpRequest` for [`qstash_gate::Gate`]. `HttpRequest::uri` is the
/// URI the request arrived with, scope prefixes included.
pub(crate) struct Head<'a> {
    request: &'a HttpRequest,
    /// The gate's headers with their lines joined, built only when one of them repeats.
    joined: OnceCell<Box<[Option<Vec<u8>>; HEADERS_READ.len()]>>,
}

impl<'a> Head<'a> {
    pub(crate) fn new(request: &'a HttpRequest) -> Self {
        Head { request, joined: OnceCell::new() }
    }
}

impl RequestHead for Head<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        let headers = self.request.headers();
        let Some(i) = header_index(name) else { return headers.get(name).map(|v| v.as_bytes()) };
        let mut lines = headers.get_all(&NAMES[i]);
        let first = lines.next()?;
        if lines.next().is_none() {
            return Some(first.as_bytes());
        }
        let joined = self.joined.get_or_init(|| {
            Box::new(NAMES.each_ref().map(|name| {
                let mut lines = headers.get_all(name).peekable();
                lines.peek().is_some().then(|| join_lines(lines.map(|v| v.as_bytes())))
            }))
        });
        joined[i].as_deref()
    }

    fn path_and_query(&self) -> &str {
        self.request.uri().path_and_query().map_or("", |pq| pq.as_str())
    }

    fn scheme(&self) -> Option<&str> {
        self.request.uri().scheme_str()
    }

    fn authority(&self) -> Option<&str> {
        self.request.uri().authority().map(|a| a.as_str())
    }
}
