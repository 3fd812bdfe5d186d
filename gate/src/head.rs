//! [`RequestHead`]: what the middleware reads of a request before its body.

/// Every header name the gate asks a [`RequestHead`] for. Adapters whose header maps are
/// faster with pre-parsed names (the `http` crate's `HeaderName`) build them once from this
/// list instead of parsing a `&str` on every lookup.
pub const HEADERS_READ: [&str; 11] = [
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
    "host",
];

/// The position of `name` in [`HEADERS_READ`]: a `match`, which compiles to a switch on the
/// length and one comparison, where searching the list compares up to eleven strings on
/// each of the gate's lookups.
pub fn header_index(name: &str) -> Option<usize> {
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
        "host" => 10,
        _ => return None,
    })
}

/// One value for a header sent on several lines: the values joined with `", "`, as RFC 9110
/// §5.3 allows and as Node's `http` module, WSGI servers and the fetch API present it to their
/// users. Adapters whose framework keeps the lines apart join them with this, so every front
/// end judges the same bytes (two `Upstash-Signature` lines make no token: `malformed`).
pub fn join_lines<'a>(lines: impl IntoIterator<Item = &'a [u8]>) -> alloc::vec::Vec<u8> {
    let mut joined = alloc::vec::Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            joined.extend_from_slice(b", ");
        }
        joined.extend_from_slice(line);
    }
    joined
}

/// A request head copied out of a host language's request (the Python and Node packages): the
/// value of each header of [`HEADERS_READ`], in that order, and the request target. Only the
/// headers the gate reads are copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadValues {
    /// The raw value of each header of [`HEADERS_READ`], at the same index.
    pub values: [Option<alloc::vec::Vec<u8>>; HEADERS_READ.len()],
    /// The request target's path and query as received (`/hook?x=1`).
    pub target: alloc::string::String,
}

impl RequestHead for HeadValues {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.values.get(header_index(name)?)?.as_deref()
    }

    fn path_and_query(&self) -> &str {
        &self.target
    }
}

/// A read-only view of a request's head, implemented by each framework adapter over its own
/// request type.
pub trait RequestHead {
    /// The raw value of the header `name` (given in lower case), if present; a header sent on
    /// several lines is one value, its lines joined with [`join_lines`].
    fn header(&self, name: &str) -> Option<&[u8]>;

    /// The request target's path and query as received (`/hook?x=1`); may be empty.
    fn path_and_query(&self) -> &str;

    /// The scheme of an absolute-form request target (`http`, `https`), when there is one.
    fn scheme(&self) -> Option<&str> {
        None
    }

    /// The authority of an absolute-form request target, when there is one.
    fn authority(&self) -> Option<&str> {
        None
    }

    /// A header as text; values that are not visible ASCII count as absent.
    fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name)
            .filter(|v| v.iter().all(|&b| b == b'\t' || (b' '..=b'~').contains(&b)))
            .and_then(|v| core::str::from_utf8(v).ok())
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
}
