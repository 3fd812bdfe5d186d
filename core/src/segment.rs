//! The three segments of a compact JWS, split and decoded before anything is trusted.

use crate::base64url;
use crate::error::VerifyError;

/// Decoded payloads up to this size stay on the stack: every real QStash payload fits, so
/// verifying a real token allocates nothing here. Larger ones go to the heap with `alloc`
/// and are refused as `malformed` without it.
pub(crate) const STACK_PAYLOAD: usize = 1024;

/// Headers are tiny; anything larger than this is not a header QStash or the signer writes.
pub(crate) const STACK_HEADER: usize = 256;

/// A token split at its two dots; nothing has been decoded or authenticated yet.
pub(crate) struct Segments<'t> {
    pub(crate) header: &'t [u8],
    pub(crate) payload: &'t [u8],
    /// `header "." payload`: the exact bytes the MAC covers.
    pub(crate) signing_input: &'t [u8],
    pub(crate) signature: [u8; 32],
}

impl<'t> Segments<'t> {
    /// DESIGN.md §3 steps 1 and 2: presence, three segments, canonical base64url everywhere,
    /// a 32-byte signature. Segments are checked, not trimmed: QStash never sends whitespace.
    pub(crate) fn split(token: Option<&'t [u8]>) -> Result<Self, VerifyError> {
        let token = match token {
            None | Some([]) => return Err(VerifyError::Missing),
            Some(t) => t,
        };
        // Counting first means a token of a million dots costs one pass and no allocation.
        let dots = token.iter().filter(|&&b| b == b'.').count();
        if dots != 2 {
            return Err(VerifyError::malformed("token does not have exactly three segments"));
        }
        let mut parts = token.splitn(3, |&b| b == b'.');
        let (Some(header), Some(payload), Some(sig)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifyError::malformed("token does not have exactly three segments"));
        };
        if !is_canonical(header) || !is_canonical(payload) {
            return Err(VerifyError::malformed("segment is not canonical unpadded base64url"));
        }
        let mut signature = [0u8; 32];
        if base64url::decoded_len(sig.len()) != Some(32)
            || base64url::decode_exact(sig, &mut signature).is_err()
        {
            return Err(VerifyError::malformed("signature is not 32 bytes of canonical base64url"));
        }
        let signing_input = &token[..header.len() + 1 + payload.len()];
        Ok(Segments { header, payload, signing_input, signature })
    }
}

/// Whether `segment` is canonical unpadded base64url, checked without decoding it: the
/// payload is decoded only after the MAC has matched, and only once.
fn is_canonical(segment: &[u8]) -> bool {
    const fn value(b: u8) -> Option<u8> {
        match b {
            b'A'..=b'Z' => Some(b - b'A'),
            b'a'..=b'z' => Some(b - b'a' + 26),
            b'0'..=b'9' => Some(b - b'0' + 52),
            b'-' => Some(62),
            b'_' => Some(63),
            _ => None,
        }
    }
    let Some(last) = segment.last() else { return true };
    let unused_bits_mask = match segment.len() % 4 {
        0 => 0,
        2 => 0b1111,
        3 => 0b11,
        _ => return false,
    };
    segment.iter().all(|&b| value(b).is_some())
        && value(*last).is_some_and(|v| v & unused_bits_mask == 0)
}

/// A decoded segment, on the stack when it fits in `N` bytes.
pub(crate) enum Decoded<const N: usize> {
    Stack([u8; N], usize),
    #[cfg(feature = "alloc")]
    Heap(alloc::vec::Vec<u8>),
}

impl<const N: usize> Decoded<N> {
    /// Decodes a segment already known to be canonical.
    pub(crate) fn new(segment: &[u8]) -> Result<Self, VerifyError> {
        let len = base64url::decoded_len(segment.len())
            .ok_or(VerifyError::malformed("segment is not canonical unpadded base64url"))?;
        let bad = VerifyError::malformed("segment is not canonical unpadded base64url");
        if len <= N {
            let mut buf = [0u8; N];
            base64url::decode_exact(segment, &mut buf[..len]).map_err(|()| bad)?;
            return Ok(Decoded::Stack(buf, len));
        }
        #[cfg(feature = "alloc")]
        {
            let mut buf = alloc::vec![0u8; len];
            base64url::decode_exact(segment, &mut buf).map_err(|()| bad)?;
            Ok(Decoded::Heap(buf))
        }
        #[cfg(not(feature = "alloc"))]
        Err(VerifyError::malformed("segment is too large for a build without `alloc`"))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Decoded::Stack(buf, len) => buf.get(..*len).unwrap_or_default(),
            #[cfg(feature = "alloc")]
            Decoded::Heap(buf) => buf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_check_matches_the_strict_decoder() {
        for s in ["", "eyJhIjoxfQ", "eyJhIjoxfR", "eyJhIjoxfQ=", "ab+c", "ab/c", "a", "ab", "abc", "abd", "ab c", "AAAA", "AB", "AQ"] {
            let strict = base64url::decoded_len(s.len()).is_some_and(|n| {
                let mut buf = [0u8; 16];
                base64url::decode_exact(s.as_bytes(), &mut buf[..n]).is_ok()
            });
            assert_eq!(is_canonical(s.as_bytes()), strict, "{s:?}");
        }
    }

    #[test]
    fn large_segments_decode_beyond_the_stack_buffer() {
        let text = "QUFB".repeat(1000);
        let decoded = Decoded::<STACK_PAYLOAD>::new(text.as_bytes()).unwrap();
        assert_eq!(decoded.bytes().len(), 3000);
    }
}
