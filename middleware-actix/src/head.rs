//! [`Head`]: an actix-web request head as the core gate reads it.

use std::cell::OnceCell;

use actix_web::HttpRequest;
use actix_web::http::header::HeaderValue;
use qstash_gate::{HEADERS_READ, RequestHead, header_index, join_lines};

/// Borrowed view of an `HttpRequest` for [`qstash_gate::Gate`]. `HttpRequest::uri` is the
/// URI the request arrived with, scope prefixes included.
pub(crate) struct Head<'a> {
    request: &'a HttpRequest,
    /// The first line of each header the gate reads, found in one pass over the request's
    /// headers: the gate asks for eight of them, and a pass over a request's few headers costs
    /// less than eight hashed lookups.
    found: [Option<&'a HeaderValue>; HEADERS_READ.len()],
    /// Whether any of them was sent on several lines.
    repeated: bool,
    /// The gate's headers with their lines joined, built only when one of them repeats.
    joined: OnceCell<Box<[Option<Vec<u8>>; HEADERS_READ.len()]>>,
}

impl<'a> Head<'a> {
    pub(crate) fn new(request: &'a HttpRequest) -> Self {
        let mut found = [None; HEADERS_READ.len()];
        let mut repeated = false;
        for (name, value) in request.headers() {
            if let Some(i) = header_index(name.as_str()) {
                repeated |= found[i].is_some();
                found[i].get_or_insert(value);
            }
        }
        Head { request, found, repeated, joined: OnceCell::new() }
    }
}

impl RequestHead for Head<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        let Some(i) = header_index(name) else {
            return self.request.headers().get(name).map(|v| v.as_bytes());
        };
        if !self.repeated {
            return self.found[i].map(HeaderValue::as_bytes);
        }
        let joined = self.joined.get_or_init(|| {
            let headers = self.request.headers();
            Box::new(HEADERS_READ.map(|name| {
                let mut lines = headers.get_all(name).peekable();
                lines.peek().is_some().then(|| join_lines(lines.map(HeaderValue::as_bytes)))
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
