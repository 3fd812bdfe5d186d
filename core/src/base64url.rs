//! Canonical, unpadded base64url (RFC 7515 §2) on top of the `base64` crate.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Rejects `=`, `+`, `/`, whitespace and non-zero trailing bits: a lenient decoder would let one
/// signature have several spellings, and RFC 7515 allows exactly one.
pub(crate) const STRICT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

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

/// Decodes `input` into exactly `out.len()` bytes; any non-canonical input is an error.
pub(crate) fn decode_exact(input: &[u8], out: &mut [u8]) -> Result<(), ()> {
    match STRICT.decode_slice(input, out) {
        Ok(n) if n == out.len() => Ok(()),
        _ => Err(()),
    }
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
