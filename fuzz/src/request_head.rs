//! Every parser the gate runs on request data (URL policies, forwarded headers, `sub` URLs,
//! delivery headers, region names) must return without panicking and keep its invariants.

use std::num::NonZeroU8;

use http::{HeaderValue, Request};
use qstash_core::Region;
use qstash_gate::{ExpectedSubject, IndexedHead, ProxyHeaders, RequestHead, UrlPolicy, path_and_query_of};

/// Fields separated by `0xFF`: request target, `Forwarded`, `X-Forwarded-Proto`,
/// `X-Forwarded-Host`, `Host`, `Upstash-Retried`, `Upstash-Region`, a `sub` claim. The request
/// goes through the `http` crate first, as the axum layer receives it.
pub fn request_head(data: &[u8]) {
    let mut fields = data.split(|&b| b == 0xFF);
    let mut next = || fields.next().unwrap_or_default();
    let target = next();
    let mut builder = Request::post(std::str::from_utf8(target).unwrap_or("/"));
    for name in
        ["forwarded", "x-forwarded-proto", "x-forwarded-host", "host", "upstash-retried", "upstash-region"]
    {
        if let Ok(value) = HeaderValue::from_bytes(next()) {
            builder = builder.header(name, value);
        }
    }
    let sub = String::from_utf8_lossy(next()).into_owned();
    let Ok(request) = builder.body(()) else { return };
    let (parts, ()) = request.into_parts();
    let target = parts.uri.path_and_query().map_or("", |pq| pq.as_str());
    let head = IndexedHead::from_headers(target, parts.headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())));

    for policy in [
        UrlPolicy::PathAndQuery,
        UrlPolicy::PublicBase("https://api.example.com/".into()),
        UrlPolicy::Exact("https://api.example.com/hook".into()),
        UrlPolicy::forwarded(ProxyHeaders::Forwarded),
        UrlPolicy::forwarded(ProxyHeaders::XForwarded),
        UrlPolicy::Forwarded { headers: ProxyHeaders::XForwarded, hops: NonZeroU8::MIN.saturating_add(1) },
        UrlPolicy::Skip,
    ] {
        match policy.expected_subject(&head) {
            ExpectedSubject::PathAndQuery(pq) => {
                assert!(pq.starts_with('/'), "path and query {pq:?}");
            }
            ExpectedSubject::Exact(url) => assert!(!url.is_empty()),
            _ => {}
        }
    }
    let ours = path_and_query_of(&sub);
    if let Some(pq) = &ours {
        assert!(pq.starts_with('/'), "{sub:?} gave {pq:?}");
    }
    // Wherever the `http` crate reads `sub` as an absolute URI with an RFC 3986 scheme (it
    // also takes empty schemes and characters such as `~`, which are refused here), the
    // slicing must agree with it.
    if let Ok(uri) = sub.parse::<http::Uri>() {
        let scheme_ok = uri.scheme_str().is_some_and(|s| {
            s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        });
        if scheme_ok && uri.authority().is_some_and(|a| !a.as_str().is_empty()) {
            let pq = uri.path_and_query().map_or("", |pq| pq.as_str());
            let expected = if pq.starts_with('/') { pq.to_owned() } else { format!("/{pq}") };
            assert_eq!(ours.as_deref(), Some(expected.as_str()), "{sub:?}");
        }
    }
    let _ = head.header_str("upstash-retried").map(|v| v.trim().parse::<u32>());
    if let Some(region) = head.header_str("upstash-region").and_then(Region::parse) {
        let name = region.as_str();
        assert!(name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'), "{name}");
        assert_eq!(Region::parse(name), Some(region), "normalising twice changes {name}");
    }
}
