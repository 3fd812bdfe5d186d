//! Canonical, unpadded base64url (RFC 7515 §2) on top of the `base64-simd` crate.

use base64_simd::{Out, URL_SAFE_NO_PAD};

/// Decoded length of `len` unpadded base64url characters, or `None` when no input of that
/// length is canonical (a lone trailing character).
pub(crate) const fn decoded_len(len: usize) -> Option<usize> {
    let tail = match len % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    Some(len / 4 * 3 + tail)
}

/// Decodes `input` into exactly `out.len()` bytes. `=`, `+`, `/`, whitespace and non-zero
/// trailing bits are all errors: a lenient decoder would give one signature several
/// spellings, and RFC 7515 allows exactly one. SIMD, because decoding is a large share of the
/// cost of verifying a small token.
pub(crate) fn decode_exact(input: &[u8], out: &mut [u8]) -> Result<(), ()> {
    decode_into(input, Out::from_slice(out)).map(|_| ())
}

/// [`decode_exact`] into memory that need not be initialised (a stack buffer the caller would
/// otherwise zero on every verify), returning the decoded bytes.
pub(crate) fn decode_exact_uninit<'o>(
    input: &[u8],
    out: &'o mut [core::mem::MaybeUninit<u8>],
) -> Result<&'o mut [u8], ()> {
    decode_into(input, Out::from_uninit_slice(out))
}

/// The length check both share: canonical input of this length decodes to exactly `out`.
fn decode_into<'o>(input: &[u8], out: Out<'o, [u8]>) -> Result<&'o mut [u8], ()> {
    match URL_SAFE_NO_PAD.decoded_length(input) {
        Ok(n) if n == out.len() => URL_SAFE_NO_PAD.decode(input, out).map_err(|_| ()),
        _ => Err(()),
    }
}

/// Appends the unpadded base64url encoding of `bytes` to `out`.
#[cfg(feature = "alloc")]
pub(crate) fn encode_append(bytes: &[u8], out: &mut alloc::string::String) {
    URL_SAFE_NO_PAD.encode_append(bytes, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> Result<usize, ()> {
        let n = decoded_len(s.len()).ok_or(())?;
        let mut buf = [0u8; 64];
        decode_exact(s.as_bytes(), &mut buf[..n]).map(|()| n)
    }

    #[test]
    fn canonical_input_decodes() {
        assert_eq!(decode("eyJhIjoxfQ"), Ok(7));
        assert_eq!(decode(""), Ok(0));
    }

    #[test]
    fn padding_standard_alphabet_whitespace_and_trailing_bits_are_refused() {
        for bad in ["eyJhIjoxfQ==", "eyJhIjoxfQ=", "ab+c", "ab/c", "eyJh Ijox", "eyJhIjoxfR", "a", "é"] {
            assert_eq!(decode(bad), Err(()), "{bad:?} must not decode");
        }
    }
}
