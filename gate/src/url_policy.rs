//! How the token's `sub` claim is matched against the request (SPEC.md §7).

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;

use super::RequestHead;

/// Which URL the token's `sub` claim must name.
///
/// QStash signs the destination URL it was given. Behind a proxy, your service sees another
/// scheme, host or port, so the default compares only what proxies keep: path and query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UrlPolicy {
    /// Path and query of `sub` must equal the request's (default). Robust behind load
    /// balancers and TLS terminators that change scheme or host; a token for another endpoint
    /// of the same service is still refused. But any token of the account whose path and
    /// query match is accepted, whatever host it was minted for (a delivery to another of your
    /// services with the same path): behind a known hostname, prefer [`UrlPolicy::PublicBase`].
    #[default]
    PathAndQuery,
    /// `sub` must equal this public base URL plus the request's path and query
    /// (`PublicBase("https://api.example.com".into())`); for services that know the exact
    /// public origin QStash is configured with.
    PublicBase(String),
    /// `sub` must equal this URL exactly, whatever the request path (one route per layer).
    Exact(String),
    /// Rebuild the public URL from `Forwarded` (RFC 7239) or `X-Forwarded-Proto` /
    /// `X-Forwarded-Host`, falling back to `Host`, with one trusted proxy in front: the
    /// element that proxy appended (the last one) counts, never one the client wrote before
    /// it. Use only when a proxy you trust sets these headers: otherwise any client can choose
    /// them. A host holding `/`, `?`, `#`, `@` or whitespace is refused (`subject`).
    Forwarded,
    /// [`UrlPolicy::Forwarded`] behind a chain of this many trusted proxies: the element this
    /// many places from the end counts (`1` is the last, as `Forwarded`).
    ForwardedHops(usize),
    /// Do not check `sub` against the request (it must still be a string). Only for endpoints
    /// that check it themselves.
    Skip,
}

/// What a [`UrlPolicy`] makes of a request: the `sub` it must carry.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpectedSubject<'a> {
    /// Exact string equality, done by the verifier.
    Exact(Cow<'a, str>),
    /// Path and query equality, done by the gate after the verifier accepted the token.
    PathAndQuery(Cow<'a, str>),
    /// No comparison.
    Skip,
    /// The request cannot name any URL (a forwarded host that is not a host): nothing matches.
    Unmatchable,
}

impl UrlPolicy {
    /// The policy named by the options every front end takes (SPEC.md §7.3): an exact `url`, a
    /// `public_base`, `forwarded` (the number of trusted proxies), or no check
    /// (`check_url == false`); path and query when none is given. At most one may be given,
    /// and `forwarded` counts at least one proxy; the error says what is wrong.
    pub fn from_options(
        url: Option<String>,
        public_base: Option<String>,
        forwarded: Option<usize>,
        check_url: bool,
    ) -> Result<UrlPolicy, &'static str> {
        let chosen = [url.is_some(), public_base.is_some(), forwarded.is_some(), !check_url];
        if chosen.iter().filter(|&&c| c).count() > 1 {
            return Err("choose one URL policy: url, public base, forwarded or no URL check");
        }
        Ok(match (url, public_base, forwarded) {
            (Some(url), _, _) => UrlPolicy::Exact(url),
            (_, Some(base), _) => UrlPolicy::PublicBase(base),
            (_, _, Some(0)) => return Err("forwarded counts trusted proxies: at least 1"),
            (_, _, Some(hops)) => UrlPolicy::ForwardedHops(hops),
            _ if !check_url => UrlPolicy::Skip,
            _ => UrlPolicy::PathAndQuery,
        })
    }

    /// The `sub` this request must carry under this policy.
    pub fn expected_subject<'a>(&'a self, head: &'a impl RequestHead) -> ExpectedSubject<'a> {
        // A request target with an empty path means `/` (as for `sub` below).
        let path_and_query = match head.path_and_query() {
            "" => Cow::Borrowed("/"),
            pq if pq.starts_with('/') => Cow::Borrowed(pq),
            pq => Cow::Owned(format!("/{pq}")),
        };
        match self {
            UrlPolicy::PathAndQuery => ExpectedSubject::PathAndQuery(path_and_query),
            UrlPolicy::PublicBase(base) => {
                ExpectedSubject::Exact(Cow::Owned(format!("{}{path_and_query}", base.trim_end_matches('/'))))
            }
            UrlPolicy::Exact(url) => ExpectedSubject::Exact(Cow::Borrowed(url)),
            UrlPolicy::Forwarded => forwarded_subject(head, 1, &path_and_query),
            UrlPolicy::ForwardedHops(hops) => forwarded_subject(head, *hops, &path_and_query),
            UrlPolicy::Skip => ExpectedSubject::Skip,
        }
    }
}

/// The path and query of an absolute URL (`scheme://authority/path?query#fragment`), or
/// `None` when `sub` is not one. An empty path is `/` (RFC 9110 §4.2.3), as a client sends
/// it: `https://h?q` is `/?q`; the fragment never reaches a server, so it is dropped. Sliced
/// out of `sub` without parsing it into a URI (this runs on every request); the
/// `request_head` fuzz target checks it against `http::Uri`.
pub fn path_and_query_of(sub: &str) -> Option<Cow<'_, str>> {
    // Byte searches: every delimiter is ASCII, so each index is a char boundary, and a byte
    // scan costs a fraction of a `char` or substring search on every request. The scheme
    // cannot contain `:`, so it ends at the first one.
    let colon = sub.bytes().position(|b| b == b':')?;
    let (scheme, rest) = (sub.get(..colon)?, sub.get(colon + 1..)?.strip_prefix("//")?);
    let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let authority_len = rest.bytes().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    if !scheme_ok || authority_len == 0 {
        return None;
    }
    let tail = rest.get(authority_len..)?;
    let tail = tail.get(..tail.bytes().position(|b| b == b'#').unwrap_or(tail.len()))?;
    Some(if tail.starts_with('/') { Cow::Borrowed(tail) } else { Cow::Owned(format!("/{tail}")) })
}

/// The path-and-query policy's check: whether `sub` names the same path and query as the
/// request target `target` (an empty target is `/`). Used by the gate and by the Python and
/// Node helpers, so every stack compares alike.
pub fn subject_matches_target(sub: &str, target: &str) -> bool {
    let target = if target.is_empty() { "/" } else { target };
    path_and_query_of(sub).as_deref() == Some(target)
}

/// `proto://host` + path and query from the proxy headers, `hops` elements from the end.
fn forwarded_subject<'a>(head: &impl RequestHead, hops: usize, path_and_query: &str) -> ExpectedSubject<'a> {
    let (proto, host) = forwarded_origin(head, hops.max(1));
    let proto_ok = proto.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && proto.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    let host_ok = !host.is_empty()
        && !host.bytes().any(|b| matches!(b, b'/' | b'?' | b'#' | b'@' | b'\\') || b.is_ascii_whitespace());
    if proto_ok && host_ok {
        ExpectedSubject::Exact(Cow::Owned(format!("{proto}://{host}{path_and_query}")))
    } else {
        ExpectedSubject::Unmatchable
    }
}

/// The element `hops` places from the end of a comma-separated list (`1` is the last).
fn from_end(list: &str, hops: usize) -> Option<&str> {
    list.rsplit(',').nth(hops - 1).map(str::trim)
}

/// Scheme and host from `Forwarded`, then `X-Forwarded-*`, then `Host` / the request target.
/// Each proxy appends its element to the end of these lists, so the trusted one is counted
/// from the end; anything before it was written by whoever sent the request to that proxy.
fn forwarded_origin(head: &impl RequestHead, hops: usize) -> (String, String) {
    let (mut proto, mut host) = (None, None);
    if let Some(element) = head.header_str("forwarded").and_then(|v| from_end(v, hops)) {
        for pair in element.split(';') {
            let Some((key, value)) = pair.trim().split_once('=') else { continue };
            let value = String::from(value.trim().trim_matches('"'));
            match key.trim() {
                k if k.eq_ignore_ascii_case("proto") => proto = Some(value),
                k if k.eq_ignore_ascii_case("host") => host = Some(value),
                _ => {}
            }
        }
    }
    let proto = proto
        .or_else(|| head.header_str("x-forwarded-proto").and_then(|v| from_end(v, hops)).map(String::from))
        .or_else(|| head.scheme().map(String::from))
        .unwrap_or_else(|| String::from("http"));
    let host = host
        .or_else(|| head.header_str("x-forwarded-host").and_then(|v| from_end(v, hops)).map(String::from))
        .or_else(|| head.header_str("host").map(String::from))
        .or_else(|| head.authority().map(String::from))
        .unwrap_or_default();
    (proto, host)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Head(&'static str, &'static [(&'static str, &'static str)]);

    impl RequestHead for Head {
        fn header(&self, name: &str) -> Option<&[u8]> {
            self.1.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_bytes())
        }
        fn path_and_query(&self) -> &str {
            self.0
        }
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
    fn an_empty_request_target_means_slash() {
        assert_eq!(
            UrlPolicy::PathAndQuery.expected_subject(&Head("", &[])),
            ExpectedSubject::PathAndQuery("/".into())
        );
        assert_eq!(
            UrlPolicy::PathAndQuery.expected_subject(&Head("?a", &[])),
            ExpectedSubject::PathAndQuery("/?a".into())
        );
    }

    #[test]
    fn public_base_joins_the_request_path_without_doubling_slashes() {
        let policy = UrlPolicy::PublicBase("https://api.example.com/".into());
        let head = Head("/hook?a=1", &[]);
        assert_eq!(
            policy.expected_subject(&head),
            ExpectedSubject::Exact("https://api.example.com/hook?a=1".into())
        );
    }

    #[test]
    fn forwarded_prefers_rfc7239_then_x_forwarded_then_host() {
        let head = Head(
            "/h",
            &[
                ("forwarded", "proto=http;host=client.example, for=1.2.3.4;Proto=https;host=\"pub.example\""),
                ("host", "internal:8080"),
            ],
        );
        assert_eq!(
            UrlPolicy::Forwarded.expected_subject(&head),
            ExpectedSubject::Exact("https://pub.example/h".into())
        );
        let head = Head(
            "/h",
            &[
                ("x-forwarded-proto", "http, https"),
                ("x-forwarded-host", "pub.example"),
                ("host", "internal"),
            ],
        );
        assert_eq!(
            UrlPolicy::Forwarded.expected_subject(&head),
            ExpectedSubject::Exact("https://pub.example/h".into())
        );
        let head = Head("/h", &[("host", "internal:8080")]);
        assert_eq!(
            UrlPolicy::Forwarded.expected_subject(&head),
            ExpectedSubject::Exact("http://internal:8080/h".into())
        );
    }

    #[test]
    fn forwarded_uses_the_element_the_trusted_proxy_appended() {
        // The client wrote the first element; the proxy appended the last one.
        let head = Head(
            "/h",
            &[
                ("forwarded", "host=evil.example;proto=https, host=pub.example;proto=https"),
                ("x-forwarded-host", "evil.example, pub.example"),
            ],
        );
        assert_eq!(
            UrlPolicy::Forwarded.expected_subject(&head),
            ExpectedSubject::Exact("https://pub.example/h".into())
        );
        let head = Head(
            "/h",
            &[("x-forwarded-proto", "https, http"), ("x-forwarded-host", "evil.example, pub.example")],
        );
        assert_eq!(
            UrlPolicy::Forwarded.expected_subject(&head),
            ExpectedSubject::Exact("http://pub.example/h".into())
        );
        // Two trusted proxies: the outer one's element is second from the end.
        let head = Head("/h", &[("x-forwarded-host", "evil.example, pub.example, inner.internal")]);
        assert_eq!(
            UrlPolicy::ForwardedHops(2).expected_subject(&head),
            ExpectedSubject::Exact("http://pub.example/h".into())
        );
        // Fewer elements than hops: nothing trusted is there, so the `Host` header counts.
        let head = Head("/h", &[("x-forwarded-host", "pub.example"), ("host", "internal:8080")]);
        assert_eq!(
            UrlPolicy::ForwardedHops(2).expected_subject(&head),
            ExpectedSubject::Exact("http://internal:8080/h".into())
        );
    }

    #[test]
    fn forwarded_refuses_a_host_that_would_change_the_path() {
        let refused: [&'static [(&str, &str)]; 6] = [
            &[("forwarded", "host=\"api.example.com/internal\";proto=https")],
            &[("forwarded", "host=a.example?x")],
            &[("forwarded", "host=a.example#f")],
            &[("forwarded", "host=user@a.example")],
            &[("forwarded", "host=\"a .example\"")],
            &[("forwarded", "host=\"\""), ("host", "a.example")],
        ];
        for headers in refused {
            let head = Head("/h", headers);
            assert_eq!(
                UrlPolicy::Forwarded.expected_subject(&head),
                ExpectedSubject::Unmatchable,
                "{headers:?}"
            );
        }
        let head = Head("/h", &[("x-forwarded-proto", "javascript:alert"), ("host", "a.example")]);
        assert_eq!(UrlPolicy::Forwarded.expected_subject(&head), ExpectedSubject::Unmatchable);
    }

    #[test]
    fn the_front_ends_options_name_one_policy_at_most() {
        let none = UrlPolicy::from_options(None, None, None, true);
        assert_eq!(none, Ok(UrlPolicy::PathAndQuery));
        let base = UrlPolicy::from_options(None, Some("https://a.example".into()), None, true);
        assert_eq!(base, Ok(UrlPolicy::PublicBase("https://a.example".into())));
        assert_eq!(UrlPolicy::from_options(None, None, Some(2), true), Ok(UrlPolicy::ForwardedHops(2)));
        assert_eq!(UrlPolicy::from_options(None, None, None, false), Ok(UrlPolicy::Skip));
        assert!(UrlPolicy::from_options(Some("u".into()), None, None, false).is_err());
        assert!(UrlPolicy::from_options(Some("u".into()), Some("b".into()), None, true).is_err());
        assert!(UrlPolicy::from_options(None, None, Some(0), true).is_err());
    }
}
