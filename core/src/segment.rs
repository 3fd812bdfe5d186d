//! The three segments of a compact JWS, split and decoded before anything is trusted.

use crate::base64url;
use crate::error::VerifyError;
use crate::keys::Tag;

/// Decoded payloads up to this size (a URL of about 450 characters) go to a buffer on the caller's stack: every real QStash
/// payload fits, so verifying a real token allocates nothing here. Larger ones go to the heap
/// with `alloc` and are refused as `malformed` without it.
pub(crate) const STACK_PAYLOAD: usize = 768;

/// Headers are tiny; the standard one is not even decoded.
pub(crate) const STACK_HEADER: usize = 256;

/// `{"alg":"HS256","typ":"JWT"}` as QStash and the signer encode it. Almost every token
/// carries exactly these bytes, so they are recognised without decoding or parsing.
pub(crate) const QSTASH_HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

const NOT_BASE64URL: VerifyError =
    VerifyError::Malformed { what: "segment is not canonical unpadded base64url" };
const NOT_THREE: VerifyError = VerifyError::Malformed { what: "token does not have exactly three segments" };

/// Stack space for decoding; lives in the caller's frame so nothing large is moved around.
pub(crate) struct Scratch {
    /// Only initialised for a non-standard header, so the usual token skips zeroing it.
    header: Option<[u8; STACK_HEADER]>,
    payload: [u8; STACK_PAYLOAD],
}

impl Scratch {
    pub(crate) const fn new() -> Self {
        Scratch { header: None, payload: [0; STACK_PAYLOAD] }
    }
}

/// A token split at its two dots with its signature decoded; nothing is authenticated or
/// parsed yet, and header and payload are decoded by [`Segments::decode`].
pub(crate) struct Segments<'t> {
    header: &'t [u8],
    payload: &'t [u8],
    /// `header "." payload`: the exact bytes the MAC covers.
    pub(crate) signing_input: &'t [u8],
    pub(crate) signature: Tag,
}

/// Header and payload decoded: the header is `None` when it is the standard QStash header
/// (recognised by its bytes, so never decoded or parsed).
pub(crate) struct DecodedSegments<'s> {
    pub(crate) header: Option<Decoded<'s>>,
    pub(crate) payload: Decoded<'s>,
}

impl<'t> Segments<'t> {
    /// DESIGN.md §3 steps 1 and 2: presence, three segments, canonical base64url everywhere,
    /// a 32-byte signature. Segments are checked, not trimmed: QStash never sends whitespace.
    pub(crate) fn split(token: Option<&'t [u8]>) -> Result<Self, VerifyError> {
        let token = match token {
            None | Some([]) => return Err(VerifyError::Missing),
            Some(t) => t,
        };
        // The first and last dot, then no dot between them: three vectorised scans, no matter
        // how many dots an attacker sends.
        let (Some(first), Some(last)) = (memchr::memchr(b'.', token), memchr::memrchr(b'.', token)) else {
            return Err(NOT_THREE);
        };
        let payload = token.get(first + 1..last).unwrap_or_default();
        if first == last || memchr::memchr(b'.', payload).is_some() {
            return Err(NOT_THREE);
        }
        let header = token.get(..first).unwrap_or_default();
        let sig = token.get(last + 1..).unwrap_or_default();
        let mut signature = [0u8; 32];
        if base64url::decode_exact(sig, &mut signature).is_err() {
            return Err(VerifyError::malformed("signature is not 32 bytes of canonical base64url"));
        }
        let signing_input = token.get(..last).unwrap_or_default();
        Ok(Segments { header, payload, signing_input, signature: Tag::new(signature.into()) })
    }

    /// The rest of step 2: header and payload must be canonical base64url. The receiver calls
    /// this after starting the MAC, so the decoding overlaps the hash's latency; the order in
    /// which failures are reported is unchanged.
    pub(crate) fn decode<'s>(&self, scratch: &'s mut Scratch) -> Result<DecodedSegments<'s>, VerifyError> {
        let header = if self.header == QSTASH_HEADER_B64.as_bytes() {
            None
        } else {
            Some(Decoded::new(self.header, scratch.header.insert([0; STACK_HEADER]))?)
        };
        let payload = Decoded::new(self.payload, &mut scratch.payload)?;
        Ok(DecodedSegments { header, payload })
    }
}

/// A decoded segment: in the caller's scratch buffer when it fits, else on the heap.
pub(crate) enum Decoded<'s> {
    Scratch(&'s [u8]),
    #[cfg(feature = "alloc")]
    Heap(alloc::vec::Vec<u8>),
}

impl<'s> Decoded<'s> {
    fn new(segment: &[u8], scratch: &'s mut [u8]) -> Result<Self, VerifyError> {
        let len = base64url::decoded_len(segment.len()).ok_or(NOT_BASE64URL)?;
        if let Some(buf) = scratch.get_mut(..len) {
            base64url::decode_exact(segment, buf).map_err(|()| NOT_BASE64URL)?;
            return Ok(Decoded::Scratch(buf));
        }
        #[cfg(feature = "alloc")]
        {
            let mut buf = alloc::vec![0u8; len];
            base64url::decode_exact(segment, &mut buf).map_err(|()| NOT_BASE64URL)?;
            Ok(Decoded::Heap(buf))
        }
        #[cfg(not(feature = "alloc"))]
        Err(VerifyError::malformed("segment is too large for a build without `alloc`"))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Decoded::Scratch(buf) => buf,
            #[cfg(feature = "alloc")]
            Decoded::Heap(buf) => buf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "alloc")]
    fn large_segments_decode_beyond_the_stack_buffer() {
        let text = "QUFB".repeat(1000);
        let mut scratch = [0u8; 16];
        let decoded = Decoded::new(text.as_bytes(), &mut scratch).unwrap();
        assert_eq!(decoded.bytes().len(), 3000);
    }

    #[test]
    #[cfg(not(feature = "alloc"))]
    fn large_segments_are_malformed_without_alloc() {
        let text = "QUFB".repeat(1000);
        let mut scratch = [0u8; 16];
        assert!(matches!(Decoded::new(text.as_bytes(), &mut scratch), Err(VerifyError::Malformed { .. })));
    }
}
