//! How the token's `sub` claim is matched against the request (DESIGN.md §7).

use std::borrow::Cow;

use http::request::Parts;
use http::{HeaderMap, Uri};

/// Which URL the token's `sub` claim must name.
///
/// QStash signs the destination URL it was given. Behind a proxy, your service sees another
/// scheme, host or port, so the default compares only what proxies keep: path and query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UrlPolicy {
    /// Path and query of `sub` must equal the request's (default). Robust behind load
    /// balancers and TLS terminators that change scheme or host; a token for another endpoint
    /// of the same service is still refused.
    #[default]
    PathAndQuery,
    /// `sub` must equal this public base URL plus the request's path and query
    /// (`PublicBase("https://api.example.com".into())`); for services that know the exact
    /// public origin QStash is configured with.
    PublicBase(String),
    /// `sub` must equal this URL exactly, whatever the request path (one route per layer).
    Exact(String),
    /// Rebuild the public URL from `Forwarded` (RFC 7239) or `X-Forwarded-Proto` /
    /// `X-Forwarded-Host`, falling back to `Host`. Use only when a proxy you trust sets these
    /// headers: otherwise any client can choose them.
    Forwarded,
    /// Do not check `sub` against the request (it must still be a string). Only for endpoints
    /// that check it themselves.
    Skip,
}

/// What the core verifier or the middleware must compare `sub` with.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SubjectCheck<'a> {
    /// Exact string equality, done by the core verifier.
    Exact(String),
    /// Path and query equality, done by the middleware after the core verified the token.
    PathAndQuery(Cow<'a, str>),
    /// No comparison.
    Skip,
}

impl UrlPolicy {
    pub(crate) fn check_for<'a>(&self, parts: &'a Parts) -> SubjectCheck<'a> {
        // A request target with an empty path means `/` (as for `sub` below).
        let path_and_query = match parts.uri.path_and_query().map_or("/", |pq| pq.as_str()) {
            pq if pq.starts_with('/') => Cow::Borrowed(pq),
            pq => Cow::Owned(format!("/{pq}")),
        };
        match self {
            UrlPolicy::PathAndQuery => SubjectCheck::PathAndQuery(path_and_query),
            UrlPolicy::PublicBase(base) => {
                SubjectCheck::Exact(format!("{}{path_and_query}", base.trim_end_matches('/')))
            }
            UrlPolicy::Exact(url) => SubjectCheck::Exact(url.clone()),
            UrlPolicy::Forwarded => {
                let (proto, host) = forwarded_origin(&parts.headers, &parts.uri);
                SubjectCheck::Exact(format!("{proto}://{host}{path_and_query}"))
            }
            UrlPolicy::Skip => SubjectCheck::Skip,
        }
    }
}

/// The path and query of an absolute URL (`scheme://authority/path?query#fragment`), or
/// `None` when `sub` is not one. An empty path is `/` (RFC 9110 §4.2.3), as a client sends
/// it: `https://h?q` is `/?q`; the fragment never reaches a server, so it is dropped. Sliced
/// out of `sub` without parsing it into a `Uri` (this runs on every request); the
/// `request_head` fuzz target checks it against `http::Uri`.
pub(crate) fn path_and_query_of(sub: &str) -> Option<Cow<'_, str>> {
    let (scheme, rest) = sub.split_once("://")?;
    let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if !scheme_ok || authority_len == 0 {
        return None;
    }
    let tail = rest.get(authority_len..)?;
    let tail = tail.split_once('#').map_or(tail, |(before, _)| before);
    Some(if tail.starts_with('/') { Cow::Borrowed(tail) } else { Cow::Owned(format!("/{tail}")) })
}

/// Scheme and host from `Forwarded`, then `X-Forwarded-*`, then `Host` / the request URI.
fn forwarded_origin(headers: &HeaderMap, uri: &Uri) -> (String, String) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (mut proto, mut host) = (None, None);
    // The first element of `Forwarded` is the one the outermost proxy added.
    if let Some(first) = header("forwarded").and_then(|v| v.split(',').next()) {
        for pair in first.split(';') {
            let Some((key, value)) = pair.trim().split_once('=') else { continue };
            let value = value.trim().trim_matches('"').to_owned();
            match key.trim().to_ascii_lowercase().as_str() {
                "proto" => proto = Some(value),
                "host" => host = Some(value),
                _ => {}
            }
        }
    }
    let first_of = |v: &str| v.split(',').next().unwrap_or_default().trim().to_owned();
    let proto = proto
        .or_else(|| header("x-forwarded-proto").map(first_of))
        .or_else(|| uri.scheme_str().map(str::to_owned))
        .unwrap_or_else(|| "http".to_owned());
    let host = host
        .or_else(|| header("x-forwarded-host").map(first_of))
        .or_else(|| header("host").map(str::to_owned))
        .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_default();
    (proto, host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().uri(uri);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn path_and_query_is_taken_from_absolute_urls_only() {
        assert_eq!(path_and_query_of("https://a.example/x/y?z=1").as_deref(), Some("/x/y?z=1"));
        assert_eq!(path_and_query_of("https://a.example").as_deref(), Some("/"));
        // Found by the request_head fuzz target: an empty path with a query is "/?query".
        assert_eq!(path_and_query_of("https://a.example?x=1").as_deref(), Some("/?x=1"));
        assert_eq!(path_and_query_of("https://a.example/p?q#frag").as_deref(), Some("/p?q"));
        assert_eq!(path_and_query_of("/x/y"), None);
        assert_eq!(path_and_query_of("not a url"), None);
        assert_eq!(path_and_query_of("https:///x"), None);
        assert_eq!(path_and_query_of("1http://a/x"), None);
    }

    #[test]
    fn public_base_joins_the_request_path_without_doubling_slashes() {
        let p = parts("/hook?a=1", &[]);
        let check = UrlPolicy::PublicBase("https://api.example.com/".into()).check_for(&p);
        assert_eq!(check, SubjectCheck::Exact("https://api.example.com/hook?a=1".into()));
    }

    #[test]
    fn forwarded_prefers_rfc7239_then_x_forwarded_then_host() {
        let p = parts(
            "/h",
            &[
                ("forwarded", "for=1.2.3.4;proto=https;host=\"pub.example\", proto=http"),
                ("host", "internal:8080"),
            ],
        );
        assert_eq!(UrlPolicy::Forwarded.check_for(&p), SubjectCheck::Exact("https://pub.example/h".into()));
        let p = parts(
            "/h",
            &[
                ("x-forwarded-proto", "https, http"),
                ("x-forwarded-host", "pub.example"),
                ("host", "internal"),
            ],
        );
        assert_eq!(UrlPolicy::Forwarded.check_for(&p), SubjectCheck::Exact("https://pub.example/h".into()));
        let p = parts("/h", &[("host", "internal:8080")]);
        assert_eq!(UrlPolicy::Forwarded.check_for(&p), SubjectCheck::Exact("http://internal:8080/h".into()));
    }
}
