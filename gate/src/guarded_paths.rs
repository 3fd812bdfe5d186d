//! [`GuardedPaths`]: which requests a guard that is given a list of paths (the Python ASGI and
//! WSGI middlewares) must verify, decided the way a framework could route them.
//!
//! A middleware in front of a whole application sees every request and must pick those that
//! reach a guarded route. Comparing the raw target exactly lets `/api/%71stash` through, although
//! every framework routes it on its decoded path, `/api/qstash`; and servers, proxies and
//! routers differ on what an encoded slash (`%2F`), a dot segment (`/x/../`), a backslash, a
//! doubled slash, a trailing slash or an absolute-form target (`http://host/path`) mean. So a
//! request is guarded when **any** of those readings could make it one of the paths: each
//! spelling is reduced to one canonical form (percent-escapes decoded until none is left, `\`
//! read as `/`, dot segments resolved, empty segments and a trailing slash dropped, the query
//! and the scheme and authority of an absolute form removed) and compared with the paths
//! reduced the same way. A guarded request still has to verify, and under the default URL
//! policy its `sub` must name the exact target the client sent, so a spelling QStash was not
//! given is refused (`missing` unsigned, `subject` signed for another spelling) and never
//! reaches the application. Reading more requests as guarded than the framework routes there
//! costs an unsigned request to an unrelated odd spelling a 401; reading fewer would let an
//! unsigned request through.

use alloc::borrow::Cow;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use crate::bindings::OptionError;
use crate::path_and_query_of;

/// The most paths one guard holds: a middleware guards a handful of webhook routes.
pub const MAX_GUARDED_PATHS: usize = 1024;

/// The longest path a guard is given, in bytes.
const MAX_PATH_LEN: usize = 8 * 1024;

/// The paths a middleware guards, kept in their canonical form (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardedPaths {
    canonical: BTreeSet<Vec<u8>>,
}

impl GuardedPaths {
    /// The guard of `paths`: each an absolute path (`/api/qstash`, a mount prefix included),
    /// without a query. An empty list, a path that does not start with `/`, one with a `?` or
    /// `#`, a control character, or over 8 KiB is a configuration error: it could never match
    /// the requests the user meant.
    pub fn new<I, S>(paths: I) -> Result<Self, OptionError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut canonical = BTreeSet::new();
        for path in paths {
            let path = path.as_ref();
            if !path.starts_with('/') || path.len() > MAX_PATH_LEN {
                return Err(OptionError::new(alloc::format!(
                    "a guarded path is the path a request is sent to, starting with \"/\" (at most \
                     {MAX_PATH_LEN} bytes), got {path:?}"
                )));
            }
            if path.contains(['?', '#']) || path.chars().any(char::is_control) {
                return Err(OptionError::new(alloc::format!(
                    "a guarded path has no query, fragment or control character: give the path alone, got {path:?}"
                )));
            }
            canonical.insert(canonical_path(path.as_bytes()));
            if canonical.len() > MAX_GUARDED_PATHS {
                return Err(OptionError::new(alloc::format!(
                    "a middleware guards at most {MAX_GUARDED_PATHS} paths"
                )));
            }
        }
        if canonical.is_empty() {
            return Err(OptionError::new(
                "give the paths the middleware guards, e.g. [\"/api/qstash\"]".into(),
            ));
        }
        Ok(GuardedPaths { canonical })
    }

    /// Whether a request must be verified: its raw `target` (the request line's, origin or
    /// absolute form, query included) or the `routed` path its server hands the framework
    /// (ASGI `path`, WSGI `SCRIPT_NAME` + `PATH_INFO`, already decoded) could be one of the
    /// paths under any reading of the module docs.
    pub fn guards(&self, target: &str, routed: Option<&str>) -> bool {
        core::iter::once(target).chain(routed).any(|spelling| {
            let path = path_of_target(spelling);
            self.canonical.contains(&canonical_path(path.as_bytes()))
        })
    }
}

/// The path of a request target: an absolute form's path (the scheme and authority removed),
/// without the query or fragment.
fn path_of_target(target: &str) -> Cow<'_, str> {
    let path = if target.starts_with('/') {
        Cow::Borrowed(target)
    } else {
        path_and_query_of(target).unwrap_or(Cow::Borrowed(target))
    };
    match path.find(['?', '#']) {
        Some(end) => Cow::Owned(String::from(&path[..end])),
        None => path,
    }
}

/// The one form every reading of `path` comes to: percent-escapes decoded until none is left
/// (a proxy and then a framework may each decode once), `\` as `/`, `.` and `..` segments
/// resolved, empty segments (doubled and trailing slashes) dropped. Compared as bytes: a
/// decoded escape need not be UTF-8.
fn canonical_path(path: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = path.to_vec();
    loop {
        let decoded: Vec<u8> = percent_encoding::percent_decode(&bytes).collect();
        if decoded == bytes {
            break;
        }
        // Each round that changes anything makes the path shorter, so this ends.
        bytes = decoded;
    }
    let mut segments: Vec<&[u8]> = Vec::new();
    for segment in bytes.split(|&b| b == b'/' || b == b'\\') {
        match segment {
            b"" | b"." => {}
            b".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut canonical = Vec::with_capacity(bytes.len() + 1);
    for segment in segments {
        canonical.push(b'/');
        canonical.extend_from_slice(segment);
    }
    if canonical.is_empty() {
        canonical.push(b'/');
    }
    canonical
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> GuardedPaths {
        GuardedPaths::new(["/api/qstash"]).unwrap()
    }

    #[test]
    fn the_exact_path_is_guarded_and_others_are_not() {
        assert!(guard().guards("/api/qstash", None));
        assert!(guard().guards("/api/qstash?x=1", None));
        assert!(!guard().guards("/api/other", None));
        assert!(!guard().guards("/api/qstash2", None));
        assert!(!guard().guards("/api", None));
        assert!(!guard().guards("/", None));
        assert!(!guard().guards("", None));
    }

    #[test]
    fn percent_encoded_spellings_of_a_guarded_path_are_guarded() {
        // The bypasses of the security review: every framework routes these to /api/qstash.
        for target in
            ["/api/%71stash", "/api/qstas%68", "/%61pi/qstash", "/api/%71%73tash?x=1", "/API/%71stash"]
        {
            assert_eq!(guard().guards(target, None), !target.starts_with("/API"), "{target}");
        }
        // Encoded twice: a proxy decodes once, the framework again.
        assert!(guard().guards("/api/%2571stash", None));
    }

    #[test]
    fn spellings_that_could_route_there_are_guarded() {
        for target in [
            "/api%2Fqstash",
            "/api%2fqstash",
            "/api/x/../qstash",
            "/api/./qstash",
            "/api/%2e%2e/api/qstash",
            "/x/..%2Fapi/qstash",
            "/api\\qstash",
            "/api%5Cqstash",
            "//api//qstash",
            "/api/qstash/",
            "http://hooks.example.com/api/qstash",
            "https://hooks.example.com/api/%71stash?x=1",
        ] {
            assert!(guard().guards(target, None), "{target}");
        }
    }

    #[test]
    fn the_routed_path_of_the_server_is_read_too() {
        // A server that hands the framework a path the raw target does not show.
        assert!(guard().guards("/something/else", Some("/api/qstash")));
        assert!(!guard().guards("/something/else", Some("/other")));
    }

    #[test]
    fn bytes_that_are_not_utf8_never_panic_and_compare_as_bytes() {
        let guard = GuardedPaths::new(["/caf\u{e9}"]).unwrap();
        assert!(guard.guards("/caf%C3%A9", None));
        assert!(!guard.guards("/caf%E9", None));
        assert!(!GuardedPaths::new(["/a"]).unwrap().guards("/%ff%fe", None));
    }

    #[test]
    fn a_path_list_that_cannot_match_is_refused() {
        for bad in [&[][..], &["api/qstash"][..], &["/api/qstash?x=1"][..], &["/a#b"][..], &["/a\nb"][..]] {
            assert!(GuardedPaths::new(bad.iter().copied()).is_err(), "{bad:?}");
        }
        let many: Vec<String> = (0..=MAX_GUARDED_PATHS).map(|i| alloc::format!("/p{i}")).collect();
        assert!(GuardedPaths::new(&many).is_err());
        assert!(GuardedPaths::new(&many[..MAX_GUARDED_PATHS]).is_ok());
    }

    #[test]
    fn a_guarded_root_guards_every_spelling_of_the_root() {
        let root = GuardedPaths::new(["/"]).unwrap();
        for target in ["/", "", "//", "/.", "/a/..", "/%2e"] {
            assert!(root.guards(target, None), "{target:?}");
        }
        assert!(!root.guards("/a", None));
    }
}
