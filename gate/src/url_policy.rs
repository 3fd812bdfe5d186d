//! How the token's `sub` claim is matched against the request (SPEC.md §7).

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use core::num::NonZeroU8;

use crate::head::{RequestHead, visible_ascii};

/// Which URL the token's `sub` claim must name (SPEC.md §7.3).
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
    /// `sub` must equal `proto://host` + the request's path and query, with proto and host
    /// taken from the one header family your proxy sets ([`ProxyHeaders`]), from the element
    /// that proxy appended: `hops` places from the end (`1`, the last, for one proxy; `2`
    /// behind two that both append). Only that family is read, never the other one, which a
    /// client could send through the proxy; an element that is absent, holds bytes that are
    /// not visible ASCII, lacks `proto` or `host`, or names a host that is not a host refuses
    /// the delivery (`subject`). Use it only behind a proxy that always sets these headers.
    Forwarded {
        /// The header family the proxy sets.
        headers: ProxyHeaders,
        /// How many trusted proxies append to it (the element used is this many from the end).
        hops: NonZeroU8,
    },
    /// Do not check `sub` against the request (it must still be a string). Only for endpoints
    /// that check it themselves.
    Skip,
}

/// The proxy headers [`UrlPolicy::Forwarded`] rebuilds the public URL from: the one family
/// the proxy in front of the service sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyHeaders {
    /// `Forwarded: for=…;proto=https;host=api.example.com` (RFC 7239): `proto` and `host`
    /// from the same element.
    Forwarded,
    /// `X-Forwarded-Proto` and `X-Forwarded-Host` (nginx, Vercel, Traefik, Caddy): the
    /// element at the same position from the end of each.
    XForwarded,
}

impl ProxyHeaders {
    /// `"forwarded"` or `"x-forwarded"`, the names every front end's `forwarded` option takes.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "forwarded" => Some(ProxyHeaders::Forwarded),
            "x-forwarded" => Some(ProxyHeaders::XForwarded),
            _ => None,
        }
    }

    /// The option name of this family: `"forwarded"` or `"x-forwarded"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyHeaders::Forwarded => "forwarded",
            ProxyHeaders::XForwarded => "x-forwarded",
        }
    }
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
    /// [`UrlPolicy::Forwarded`] behind one proxy that sets `headers`.
    pub fn forwarded(headers: ProxyHeaders) -> Self {
        UrlPolicy::Forwarded { headers, hops: NonZeroU8::MIN }
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
            UrlPolicy::Forwarded { headers, hops } => {
                forwarded_subject(head, *headers, usize::from(hops.get()), &path_and_query)
            }
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

/// `proto://host` + path and query from the element `hops` places from the end of the proxy
/// headers of the family the user named; unmatchable when that element is absent or not a
/// scheme and a host.
fn forwarded_subject<'a>(
    head: &impl RequestHead,
    headers: ProxyHeaders,
    hops: usize,
    path_and_query: &str,
) -> ExpectedSubject<'a> {
    let origin = match headers {
        ProxyHeaders::Forwarded => rfc7239_origin(head, hops),
        ProxyHeaders::XForwarded => x_forwarded_origin(head, hops),
    };
    match origin {
        Some((proto, host)) if is_scheme(proto) && is_host(host) => {
            ExpectedSubject::Exact(Cow::Owned(format!("{proto}://{host}{path_and_query}")))
        }
        _ => ExpectedSubject::Unmatchable,
    }
}

/// A URL scheme (RFC 3986 §3.1): a letter, then letters, digits, `+`, `-` and `.`.
fn is_scheme(text: &str) -> bool {
    text.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// A host with an optional port, as a proxy forwards it: a name, an IPv4 address or a
/// bracketed IPv6 address. Nothing that would end the authority (`/`, `?`, `#`, `@`, `\`,
/// whitespace) or is not part of one.
fn is_host(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'[' | b']' | b'%')
        })
}

/// The element `hops` places from the end of a comma-separated list (`1` is the last), or
/// `None` when the list is shorter.
fn from_end(list: &str, hops: usize) -> Option<&str> {
    list.rsplit(',').nth(hops.checked_sub(1)?).map(str::trim)
}

/// A proxy header's value, present and visible ASCII; a value holding anything else was not
/// written by a proxy that follows the RFCs and is refused rather than skipped.
fn proxy_header<'h>(head: &'h impl RequestHead, name: &str) -> Option<&'h str> {
    head.header(name).and_then(visible_ascii)
}

/// `proto` and `host` of one `Forwarded` element (RFC 7239 §4): `;`-separated `name=value`
/// pairs, values tokens or quoted strings. A pair that is not one, a parameter given twice,
/// or an element missing either refuses.
fn rfc7239_origin(head: &impl RequestHead, hops: usize) -> Option<(&str, &str)> {
    let element = from_end(proxy_header(head, "forwarded")?, hops)?;
    let (mut proto, mut host) = (None, None);
    for pair in element.split(';') {
        let (name, value) = pair.trim().split_once('=')?;
        let value = unquote(value.trim())?;
        let slot = match name.trim() {
            n if n.eq_ignore_ascii_case("proto") => &mut proto,
            n if n.eq_ignore_ascii_case("host") => &mut host,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return None;
        }
    }
    Some((proto?, host?))
}

/// A token, or a quoted string without escapes (no scheme or host needs one).
fn unquote(value: &str) -> Option<&str> {
    match value.strip_prefix('"') {
        Some(quoted) => quoted.strip_suffix('"').filter(|inner| !inner.contains(['"', '\\'])),
        None => Some(value),
    }
}

/// `X-Forwarded-Proto` and `X-Forwarded-Host`, the element `hops` from the end of each.
fn x_forwarded_origin(head: &impl RequestHead, hops: usize) -> Option<(&str, &str)> {
    let proto = from_end(proxy_header(head, "x-forwarded-proto")?, hops)?;
    let host = from_end(proxy_header(head, "x-forwarded-host")?, hops)?;
    Some((proto, host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IndexedHead;

    fn head(target: &'static str, headers: &'static [(&'static str, &'static str)]) -> IndexedHead<'static> {
        IndexedHead::from_headers(target, headers.iter().map(|(n, v)| (*n, v.as_bytes())))
    }

    const X_FORWARDED: UrlPolicy =
        UrlPolicy::Forwarded { headers: ProxyHeaders::XForwarded, hops: NonZeroU8::MIN };
    const RFC7239: UrlPolicy =
        UrlPolicy::Forwarded { headers: ProxyHeaders::Forwarded, hops: NonZeroU8::MIN };

    fn exact(url: &str) -> ExpectedSubject<'static> {
        ExpectedSubject::Exact(Cow::Owned(url.into()))
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
            UrlPolicy::PathAndQuery.expected_subject(&head("", &[])),
            ExpectedSubject::PathAndQuery("/".into())
        );
        assert_eq!(
            UrlPolicy::PathAndQuery.expected_subject(&head("?a", &[])),
            ExpectedSubject::PathAndQuery("/?a".into())
        );
    }

    #[test]
    fn public_base_joins_the_request_path_without_doubling_slashes() {
        let policy = UrlPolicy::PublicBase("https://api.example.com/".into());
        assert_eq!(
            policy.expected_subject(&head("/hook?a=1", &[])),
            exact("https://api.example.com/hook?a=1")
        );
    }

    #[test]
    fn forwarded_reads_proto_and_host_from_the_element_the_trusted_proxy_appended() {
        let appended = head(
            "/h",
            &[("forwarded", "proto=http;host=client.example, for=1.2.3.4;Proto=https;host=\"pub.example\"")],
        );
        assert_eq!(RFC7239.expected_subject(&appended), exact("https://pub.example/h"));
        let appended = head(
            "/h",
            &[("x-forwarded-proto", "http, https"), ("x-forwarded-host", "evil.example, pub.example")],
        );
        assert_eq!(X_FORWARDED.expected_subject(&appended), exact("https://pub.example/h"));
        // Two trusted proxies: the outer one's element is second from the end.
        let two =
            UrlPolicy::Forwarded { headers: ProxyHeaders::XForwarded, hops: NonZeroU8::new(2).unwrap() };
        let chain = head(
            "/h",
            &[
                ("x-forwarded-proto", "http, https, http"),
                ("x-forwarded-host", "evil.example, pub.example, inner"),
            ],
        );
        assert_eq!(two.expected_subject(&chain), exact("https://pub.example/h"));
        assert_eq!(
            X_FORWARDED.expected_subject(&head(
                "/h",
                &[("x-forwarded-proto", "https"), ("x-forwarded-host", "[::1]:8443")]
            )),
            exact("https://[::1]:8443/h")
        );
    }

    #[test]
    fn forwarded_reads_only_the_family_the_user_named() {
        // The proxy sets X-Forwarded-*; the client's own Forwarded passes through untouched.
        let client_forwarded = head(
            "/h",
            &[
                ("forwarded", "host=other-service.example;proto=https"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "pub.example"),
            ],
        );
        assert_eq!(X_FORWARDED.expected_subject(&client_forwarded), exact("https://pub.example/h"));
        // And the other way round.
        let client_x_forwarded = head(
            "/h",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "other.example"),
                ("forwarded", "proto=https;host=pub.example"),
            ],
        );
        assert_eq!(RFC7239.expected_subject(&client_x_forwarded), exact("https://pub.example/h"));
    }

    #[test]
    fn forwarded_refuses_instead_of_falling_back() {
        let refused: [(&UrlPolicy, &'static [(&str, &str)]); 14] = [
            // Absent: the request did not come through the proxy.
            (&RFC7239, &[("x-forwarded-proto", "https"), ("x-forwarded-host", "pub.example")]),
            (&X_FORWARDED, &[("forwarded", "proto=https;host=pub.example")]),
            (&X_FORWARDED, &[("x-forwarded-proto", "https")]),
            // An element without host (or proto) never borrows it from another header.
            (&RFC7239, &[("forwarded", "for=1.2.3.4;proto=https"), ("x-forwarded-host", "pub.example")]),
            (&RFC7239, &[("forwarded", "for=1.2.3.4;host=pub.example")]),
            // Malformed elements.
            (&RFC7239, &[("forwarded", "host=a.example;proto=https;junk")]),
            (&RFC7239, &[("forwarded", "host=a.example;host=b.example;proto=https")]),
            (&RFC7239, &[("forwarded", "host=\"a.example;proto=https")]),
            (&RFC7239, &[("forwarded", "proto=https;host=pub.example, ")]),
            // Hosts that would change the path or the authority.
            (&RFC7239, &[("forwarded", "host=\"api.example.com/internal\";proto=https")]),
            (&RFC7239, &[("forwarded", "host=user@a.example;proto=https")]),
            (&RFC7239, &[("forwarded", "host=\"a .example\";proto=https")]),
            (&RFC7239, &[("forwarded", "host=\"\";proto=https")]),
            (&X_FORWARDED, &[("x-forwarded-proto", "javascript:alert"), ("x-forwarded-host", "a.example")]),
        ];
        for (policy, headers) in refused {
            assert_eq!(
                policy.expected_subject(&head("/h", headers)),
                ExpectedSubject::Unmatchable,
                "{headers:?}"
            );
        }
        // Fewer elements than trusted proxies: nothing trusted is there.
        let two =
            UrlPolicy::Forwarded { headers: ProxyHeaders::XForwarded, hops: NonZeroU8::new(2).unwrap() };
        let short = head("/h", &[("x-forwarded-proto", "https"), ("x-forwarded-host", "pub.example")]);
        assert_eq!(two.expected_subject(&short), ExpectedSubject::Unmatchable);
    }

    #[test]
    fn a_proxy_value_that_is_not_ascii_refuses_instead_of_counting_as_absent() {
        let bytes = IndexedHead::from_headers(
            "/h",
            [
                ("x-forwarded-proto", &b"https"[..]),
                ("x-forwarded-host", b"pub.example, caf\xc3\xa9.example"),
                ("forwarded", b"proto=https;host=other.example"),
            ],
        );
        assert_eq!(X_FORWARDED.expected_subject(&bytes), ExpectedSubject::Unmatchable);
        let bytes = IndexedHead::from_headers(
            "/h",
            [("forwarded", &b"proto=https;host=\xffx"[..]), ("x-forwarded-host", b"pub.example")],
        );
        assert_eq!(RFC7239.expected_subject(&bytes), ExpectedSubject::Unmatchable);
    }

    #[test]
    fn proxy_header_families_have_one_name_each() {
        for family in [ProxyHeaders::Forwarded, ProxyHeaders::XForwarded] {
            assert_eq!(ProxyHeaders::parse(family.as_str()), Some(family));
        }
        assert_eq!(ProxyHeaders::parse("X-Forwarded"), None);
        assert_eq!(UrlPolicy::forwarded(ProxyHeaders::Forwarded), RFC7239);
    }
}
