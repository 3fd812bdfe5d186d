//! The three segments of a compact JWS, split and decoded before anything is trusted.

use core::mem::MaybeUninit;

use crate::base64url;
use crate::error::VerifyError;
use crate::keys::Tag;

/// Decoded payloads up to this size (a URL of about 450 characters) go to a buffer on the
/// caller's stack: every real QStash payload fits, so verifying a real token allocates nothing
/// here. Larger ones go to the heap with `alloc` and are refused as `malformed` without it.
pub(crate) const STACK_PAYLOAD: usize = 768;

/// Headers are tiny; the standard one is not even decoded.
pub(crate) const STACK_HEADER: usize = 256;

/// `{"alg":"HS256","typ":"JWT"}` as QStash and the signer encode it. Almost every token
/// carries exactly these bytes, so they are recognised without decoding or parsing.
pub(crate) const QSTASH_HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

const NOT_BASE64URL: VerifyError =
    VerifyError::Malformed { what: "segment is not canonical unpadded base64url" };
const NOT_THREE: VerifyError = VerifyError::Malformed { what: "token does not have exactly three segments" };

/// Space for decoding; lives in the caller's frame so nothing large is moved around, and
/// what is decoded into it can be borrowed until the caller has built its result. The stack
/// buffers are left uninitialised (the decoder writes before anything reads): zeroing them
/// on every verify cost more than decoding into them.
pub(crate) struct Scratch {
    header: [MaybeUninit<u8>; STACK_HEADER],
    payload: [MaybeUninit<u8>; STACK_PAYLOAD],
    /// Header and payload too large for the stack buffers (empty, so free, until needed).
    heap: [Heap; 2],
}

impl Scratch {
    pub(crate) const fn new() -> Self {
        Scratch {
            header: [const { MaybeUninit::uninit() }; STACK_HEADER],
            payload: [const { MaybeUninit::uninit() }; STACK_PAYLOAD],
            heap: [Heap::new(), Heap::new()],
        }
    }
}

/// A token split at its first and last dot; nothing is authenticated or parsed yet. The
/// signature is decoded by [`Segments::split`], header and payload by [`Segments::decode`].
pub(crate) struct Segments<'t> {
    /// The header is exactly [`QSTASH_HEADER_B64`] (found while looking for the first dot).
    standard_header: bool,
    header: &'t [u8],
    payload: &'t [u8],
    /// `header "." payload`: the exact bytes the MAC covers.
    pub(crate) signing_input: &'t [u8],
}

/// Header and payload decoded: the header is `None` when it is the standard QStash header
/// (recognised by its bytes, so never decoded or parsed).
pub(crate) struct DecodedSegments<'s> {
    pub(crate) header: Option<&'s [u8]>,
    pub(crate) payload: &'s [u8],
}

impl<'t> Segments<'t> {
    /// SPEC.md §3 steps 1 and 2: presence, three segments, canonical base64url everywhere,
    /// a 32-byte signature, which is decoded into `signature` (the caller's, so that the tag
    /// is written once where it is compared instead of being moved). Segments are checked,
    /// not trimmed: QStash never sends whitespace.
    pub(crate) fn split(token: Option<&'t [u8]>, signature: &mut Tag) -> Result<Self, VerifyError> {
        let token = match token {
            None | Some([]) => return Err(VerifyError::Missing),
            Some(t) => t,
        };
        // The first and last dot: vectorised scans, no matter how many dots an attacker sends;
        // the usual header and the usual signature are recognised without searching. A dot
        // between them is not looked for here: base64url has no dot, so such a payload fails
        // to decode, and every failure of steps 1–2 then names the extra dot first
        // ([`Segments::refine`]).
        let standard = QSTASH_HEADER_B64.len();
        let standard_header =
            token.get(standard) == Some(&b'.') && token.starts_with(QSTASH_HEADER_B64.as_bytes());
        let first = if standard_header { Some(standard) } else { memchr::memchr(b'.', token) };
        // A 32-byte signature is 43 characters, so the last dot is usually 44 from the end;
        // once the 43 characters after it decode they hold no dot, and that is the last one.
        let mut signature_decoded = false;
        let last = match token.len().checked_sub(44) {
            Some(at)
                if token.get(at) == Some(&b'.')
                    && base64url::decode_exact(token.get(at + 1..).unwrap_or_default(), &mut signature.0)
                        .is_ok() =>
            {
                signature_decoded = true;
                Some(at)
            }
            _ => memchr::memrchr(b'.', token),
        };
        let (Some(first), Some(last)) = (first, last) else {
            return Err(NOT_THREE);
        };
        if first == last {
            return Err(NOT_THREE);
        }
        let segments = Segments {
            standard_header,
            header: token.get(..first).unwrap_or_default(),
            payload: token.get(first + 1..last).unwrap_or_default(),
            signing_input: token.get(..last).unwrap_or_default(),
        };
        let sig = token.get(last + 1..).unwrap_or_default();
        if !signature_decoded && base64url::decode_exact(sig, &mut signature.0).is_err() {
            return Err(
                segments.refine(VerifyError::malformed("signature is not 32 bytes of canonical base64url"))
            );
        }
        Ok(segments)
    }

    /// The rest of step 2: header and payload must be canonical base64url. The receiver calls
    /// this after starting the MAC, so the decoding overlaps the hash's latency; the order in
    /// which failures are reported is unchanged.
    pub(crate) fn decode<'s>(&self, scratch: &'s mut Scratch) -> Result<DecodedSegments<'s>, VerifyError> {
        let [header_heap, payload_heap] = &mut scratch.heap;
        let header = if self.standard_header {
            None
        } else {
            Some(decode(self.header, &mut scratch.header, header_heap).map_err(|e| self.refine(e))?)
        };
        let payload = decode(self.payload, &mut scratch.payload, payload_heap).map_err(|e| self.refine(e))?;
        Ok(DecodedSegments { header, payload })
    }

    /// A failure of steps 1–2 as reported: a token with more than two dots is refused as such,
    /// before anything about its segments.
    #[cold]
    fn refine(&self, error: VerifyError) -> VerifyError {
        if memchr::memchr(b'.', self.payload).is_some() { NOT_THREE } else { error }
    }
}

#[cfg(feature = "alloc")]
type Heap = alloc::vec::Vec<u8>;
/// Without an allocator there is no heap to fall back on.
#[cfg(not(feature = "alloc"))]
struct Heap;

#[cfg(not(feature = "alloc"))]
impl Heap {
    const fn new() -> Self {
        Heap
    }
}

/// Decodes `segment` into `stack` when it fits, else into `heap` (with `alloc`).
fn decode<'s>(
    segment: &[u8],
    stack: &'s mut [MaybeUninit<u8>],
    heap: &'s mut Heap,
) -> Result<&'s [u8], VerifyError> {
    let len = base64url::decoded_len(segment.len()).ok_or(NOT_BASE64URL)?;
    if let Some(buf) = stack.get_mut(..len) {
        return base64url::decode_exact_uninit(segment, buf).map(|b| &*b).map_err(|()| NOT_BASE64URL);
    }
    #[cfg(feature = "alloc")]
    {
        heap.resize(len, 0);
        base64url::decode_exact(segment, heap).map_err(|()| NOT_BASE64URL)?;
        Ok(heap)
    }
    #[cfg(not(feature = "alloc"))]
    {
        let _ = heap;
        Err(VerifyError::malformed("segment is too large for a build without `alloc`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_and_decode(token: &str) -> Result<(), VerifyError> {
        let mut signature = Tag([0; 32]);
        let segments = Segments::split(Some(token.as_bytes()), &mut signature)?;
        segments.decode(&mut Scratch::new()).map(|_| ())
    }

    #[test]
    fn an_extra_dot_is_reported_before_anything_else_wrong_with_the_segments() {
        let (header, signature) = (QSTASH_HEADER_B64, "A".repeat(43));
        assert_eq!(split_and_decode(&std::format!("{header}.eyJh.{signature}")), Ok(()));
        for token in [
            std::format!("{header}.eyJh.Ym.{signature}"),
            std::format!("{header}.eyJh.Ym.not-a-signature"),
            std::format!("eyJh=.eyJh.Ym.{signature}"),
            std::format!("eyJh.e=yJh.Ym.{signature}"),
            // A dot 44 from the end that is not the last one.
            std::format!("{header}.eyJh.{}.AB", "A".repeat(40)),
        ] {
            assert_eq!(split_and_decode(&token), Err(NOT_THREE), "{token}");
        }
        assert_ne!(split_and_decode(&std::format!("{header}.eyJh.not-a-signature")), Err(NOT_THREE));
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn large_segments_decode_beyond_the_stack_buffer() {
        let text = "QUFB".repeat(1000);
        let (mut stack, mut heap) = ([MaybeUninit::uninit(); 16], Heap::new());
        assert_eq!(decode(text.as_bytes(), &mut stack, &mut heap).unwrap().len(), 3000);
    }

    #[test]
    #[cfg(not(feature = "alloc"))]
    fn large_segments_are_malformed_without_alloc() {
        let text = "QUFB".repeat(1000);
        let mut stack = [MaybeUninit::uninit(); 16];
        assert!(matches!(decode(text.as_bytes(), &mut stack, &mut Heap), Err(VerifyError::Malformed { .. })));
    }
}
