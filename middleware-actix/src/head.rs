//! [`Head`]: an actix-web request head as the core gate reads it.

use actix_web::HttpRequest;
use qstash_core::middleware::RequestHead;

/// Borrowed view of an `HttpRequest` for [`qstash_core::middleware::Gate`].
pub(crate) struct Head<'a>(pub(crate) &'a HttpRequest);

impl RequestHead for Head<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.0.headers().get(name).map(|v| v.as_bytes())
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
