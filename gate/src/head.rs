//! [`RequestHead`]: what the gate reads of a request before its body, and [`IndexedHead`], the
//! one implementation every front end fills from its framework's headers.

use alloc::borrow::Cow;
use alloc::vec::Vec;

/// Every header name the gate reads, in lower case. Hosts that copy a request's head across
/// a language boundary copy these and nothing else.
pub const HEADERS_READ: [&str; 10] = [
    "upstash-signature",
    "upstash-region",
    "content-length",
    "upstash-message-id",
    "upstash-retried",
    "upstash-schedule-id",
    "upstash-topic-name",
    "forwarded",
    "x-forwarded-proto",
    "x-forwarded-host",
];

/// The position of `name` in [`HEADERS_READ`]: a `match`, which compiles to a switch on the
/// length and one comparison, where searching the list compares up to ten strings.
fn header_index(name: &str) -> Option<usize> {
    Some(match name {
        "upstash-signature" => 0,
        "upstash-region" => 1,
        "content-length" => 2,
        "upstash-message-id" => 3,
        "upstash-retried" => 4,
        "upstash-schedule-id" => 5,
        "upstash-topic-name" => 6,
        "forwarded" => 7,
        "x-forwarded-proto" => 8,
        "x-forwarded-host" => 9,
        _ => return None,
    })
}

/// A read-only view of a request's head, as the gate reads it.
pub trait RequestHead {
    /// The raw value of the header `name` (one of [`HEADERS_READ`]), if present; a header
    /// sent on several lines is one value, its lines joined with `", "` (SPEC.md §7.4).
    fn header(&self, name: &str) -> Option<&[u8]>;

    /// The request's original target, path and query as received (`/hook?x=1`), before any
    /// router stripped a prefix; may be empty.
    fn path_and_query(&self) -> &str;

    /// A header as text; values that are not visible ASCII count as absent (SPEC.md §7.4).
    fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(visible_ascii)
    }
}

/// `value` as text when it is visible ASCII (tabs and spaces allowed), else `None`.
pub(crate) fn visible_ascii(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
        .then(|| core::str::from_utf8(value).ok())
        .flatten()
}

/// A request head indexed once: the value of each header the gate reads and the original
/// request target. Every front end builds one from its framework's request, borrowing the
/// values where it can (axum, actix-web) and owning them where they crossed a language
/// boundary (`IndexedHead<'static>`: Python, Node, WebAssembly).
///
/// One pass over the request's headers fills it; a header sent on several lines is joined
/// with `", "` as it is found, so the gate judges the same bytes whatever the framework.
///
/// ```
/// use qstash_gate::{IndexedHead, RequestHead};
///
/// let head = IndexedHead::from_headers(
///     "/api/qstash?x=1",
///     [("upstash-signature", &b"t"[..]), ("x-custom", b"ignored"), ("forwarded", b"a"), ("forwarded", b"b")],
/// );
/// assert_eq!(head.header("upstash-signature"), Some(&b"t"[..]));
/// assert_eq!(head.header("forwarded"), Some(&b"a, b"[..]));
/// assert_eq!(head.path_and_query(), "/api/qstash?x=1");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexedHead<'a> {
    values: [Option<Cow<'a, [u8]>>; HEADERS_READ.len()],
    target: Cow<'a, str>,
}

impl<'a> IndexedHead<'a> {
    /// A head with the given original target and no headers yet.
    pub fn new(target: impl Into<Cow<'a, str>>) -> Self {
        IndexedHead { values: Default::default(), target: target.into() }
    }

    /// A head from the request's headers in the order received (names in lower case, as the
    /// `http` crate and actix-web give them); headers the gate does not read are skipped.
    pub fn from_headers(
        target: impl Into<Cow<'a, str>>,
        headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Self {
        let mut head = IndexedHead::new(target);
        for (name, value) in headers {
            head.push(name, Cow::Borrowed(value));
        }
        head
    }

    /// A head whose header values are looked up by name: `lines(name)` gives every line of
    /// that header in the order received (none when absent). For hosts whose header maps are
    /// keyed by name (Python's `getlist`, a JavaScript object).
    pub fn from_lookup<E>(
        target: impl Into<Cow<'a, str>>,
        mut lines: impl FnMut(&'static str) -> Result<Vec<Vec<u8>>, E>,
    ) -> Result<Self, E> {
        let mut head = IndexedHead::new(target);
        for name in HEADERS_READ {
            for line in lines(name)? {
                head.push(name, Cow::Owned(line));
            }
        }
        Ok(head)
    }

    /// Adds one header line (`name` in lower case); a second line of the same header is
    /// joined to the first with `", "`. Headers the gate does not read are ignored.
    pub fn push(&mut self, name: &str, value: Cow<'a, [u8]>) {
        let Some(slot) = header_index(name).and_then(|i| self.values.get_mut(i)) else { return };
        match slot {
            None => *slot = Some(value),
            Some(joined) => {
                let joined = joined.to_mut();
                joined.extend_from_slice(b", ");
                joined.extend_from_slice(&value);
            }
        }
    }

    /// The head owning everything it holds, to keep past the request (a pending delivery
    /// that crosses into another language).
    pub fn into_owned(self) -> IndexedHead<'static> {
        IndexedHead {
            values: self.values.map(|value| value.map(|v| Cow::Owned(v.into_owned()))),
            target: Cow::Owned(self.target.into_owned()),
        }
    }
}

impl RequestHead for IndexedHead<'_> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.values.get(header_index(name)?)?.as_deref()
    }

    fn path_and_query(&self) -> &str {
        &self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_index_is_the_position_in_headers_read() {
        for (i, name) in HEADERS_READ.iter().enumerate() {
            assert_eq!(header_index(name), Some(i), "{name}");
        }
        assert_eq!(header_index("upstash-signaturex"), None);
        assert_eq!(header_index("Upstash-Signature"), None);
    }

    #[test]
    fn repeated_lines_are_joined_in_order_and_other_headers_skipped() {
        let lines: [(&str, &[u8]); 5] = [
            ("upstash-signature", b"a"),
            ("cookie", b"secret"),
            ("upstash-signature", b"b"),
            ("forwarded", b"h"),
            ("upstash-signature", b"c"),
        ];
        let head = IndexedHead::from_headers("/h", lines);
        assert_eq!(head.header("upstash-signature"), Some(&b"a, b, c"[..]));
        assert_eq!(head.header("forwarded"), Some(&b"h"[..]));
        assert_eq!(head.header("cookie"), None);
        let looked_up = IndexedHead::from_lookup("/h", |name| -> Result<_, ()> {
            Ok(lines.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.to_vec()).collect())
        });
        assert_eq!(looked_up.map(IndexedHead::into_owned), Ok(head.into_owned()));
    }

    #[test]
    fn text_headers_are_visible_ascii_only() {
        let head = IndexedHead::from_headers(
            "/",
            [("upstash-region", &b"eu\xff"[..]), ("upstash-message-id", b"m\x01"), ("forwarded", b"a b\t")],
        );
        assert_eq!(head.header_str("upstash-region"), None);
        assert_eq!(head.header_str("upstash-message-id"), None);
        assert_eq!(head.header_str("forwarded"), Some("a b\t"));
    }
}
