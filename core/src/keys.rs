//! Signing keys, key pairs and regions.

use core::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use crate::error::ConfigError;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// An HMAC-SHA256 tag whose `==` is constant-time.
#[derive(Clone, Copy)]
pub(crate) struct Tag(pub(crate) [u8; 32]);

impl PartialEq for Tag {
    fn eq(&self, other: &Self) -> bool {
        // `subtle` on four 64-bit words rather than 32 bytes (what `CtOutput` does): the same
        // constant-time guarantee with a quarter of the optimisation barriers, which cost
        // ~7 % of verifying a short token.
        let words = |tag: &[u8; 32]| -> [u64; 4] {
            let mut words = [0u64; 4];
            for (word, bytes) in words.iter_mut().zip(tag.chunks_exact(8)) {
                *word = u64::from_ne_bytes(bytes.try_into().unwrap_or_default());
            }
            words
        };
        let (a, b) = (words(&self.0), words(&other.0));
        a.iter().zip(&b).fold(Choice::from(1), |equal, (x, y)| equal & x.ct_eq(y)).into()
    }
}

/// The public local-development current key (QStash CLI `qstash dev`); only [`KeyPair::dev`] uses it.
pub const DEV_CURRENT_SIGNING_KEY: &str = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
/// The public local-development next key; only [`KeyPair::dev`] uses it.
pub const DEV_NEXT_SIGNING_KEY: &str = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";

/// Region key pairs one receiver can hold.
pub const MAX_REGIONS: usize = 8;

/// One signing key, kept only as a pre-keyed HMAC-SHA256 state: the key string itself is not
/// stored, so it cannot leak through a dump of the receiver, and every verify skips the key
/// schedule. Prints as `[REDACTED]`.
#[derive(Clone)]
pub struct SigningKey {
    mac: HmacSha256,
}

impl SigningKey {
    /// The HMAC key is the UTF-8 bytes of `key` (QStash keys are `sig_…` strings, used as text,
    /// never base64-decoded).
    fn from_str_unchecked(key: &str) -> Self {
        // HMAC accepts keys of any length: `new_from_slice` fails only for fixed-size-key MACs.
        #[allow(clippy::expect_used)]
        let mac = HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
        SigningKey { mac }
    }

    /// A fresh MAC state keyed with this key.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }

    /// The HMAC-SHA256 of `message` under this key; comparing it with `==` is constant-time.
    pub(crate) fn tag(&self, message: &[u8]) -> Tag {
        let mut mac = self.mac();
        mac.update(message);
        Tag(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// The current and next signing keys of a QStash account (or of one region of it).
///
/// QStash signs with the current key; after a rotation the old next key becomes current, so
/// tokens that verify with the next key are accepted too. Prints as `[REDACTED]`.
#[derive(Clone)]
pub struct KeyPair {
    pub(crate) current: SigningKey,
    pub(crate) next: SigningKey,
}

impl KeyPair {
    /// Builds a pair from the key strings shown in the Upstash console.
    ///
    /// Refuses empty keys, and the public local-development keys (which anyone can sign with):
    /// use [`KeyPair::dev`] to opt in to those.
    pub fn new(current: &str, next: &str) -> Result<Self, ConfigError> {
        if current.is_empty() {
            return Err(ConfigError::EmptyKey { which: "current" });
        }
        if next.is_empty() {
            return Err(ConfigError::EmptyKey { which: "next" });
        }
        let dev = [DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY];
        if dev.contains(&current) || dev.contains(&next) {
            return Err(ConfigError::DevKey);
        }
        Ok(Self::new_unchecked(current, next))
    }

    /// The public local-development pair used by the QStash CLI's dev server and by the demo.
    ///
    /// Anyone can mint tokens with these keys: never use them for a public endpoint.
    pub fn dev() -> Self {
        Self::new_unchecked(DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY)
    }

    fn new_unchecked(current: &str, next: &str) -> Self {
        KeyPair {
            current: SigningKey::from_str_unchecked(current),
            next: SigningKey::from_str_unchecked(next),
        }
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyPair { current: [REDACTED], next: [REDACTED] }")
    }
}

/// Which key of the pair verified the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyUsed {
    /// The current key.
    Current,
    /// The next key (a rotation is under way).
    Next,
}

impl KeyUsed {
    /// `"current"` or `"next"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyUsed::Current => "current",
            KeyUsed::Next => "next",
        }
    }
}

/// A QStash region name in its normal form: upper case, `-` written as `_` (`us-east-1` is
/// `US_EAST_1`), at most 32 characters of `A-Z`, `0-9`, `_`. Stored inline, no allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    name: [u8; Region::MAX_LEN],
    len: u8,
}

impl Region {
    const MAX_LEN: usize = 32;

    /// `EU_CENTRAL_1`.
    pub const EU_CENTRAL_1: Region = Region::known(b"EU_CENTRAL_1");
    /// `US_EAST_1`.
    pub const US_EAST_1: Region = Region::known(b"US_EAST_1");
    /// The regions QStash runs in today; other names work when a receiver is configured with them.
    pub const KNOWN: [Region; 2] = [Region::EU_CENTRAL_1, Region::US_EAST_1];

    const fn known(name: &[u8]) -> Region {
        let mut buf = [0u8; Region::MAX_LEN];
        let mut i = 0;
        while i < name.len() {
            buf[i] = name[i];
            i += 1;
        }
        Region { name: buf, len: name.len() as u8 }
    }

    /// Normalises a region name or `Upstash-Region` header value; `None` when it cannot be a
    /// region name (empty, longer than 32, or other characters).
    pub fn parse(name: &str) -> Option<Region> {
        let bytes = name.as_bytes();
        if bytes.is_empty() || bytes.len() > Region::MAX_LEN {
            return None;
        }
        let mut buf = [0u8; Region::MAX_LEN];
        for (slot, &b) in buf.iter_mut().zip(bytes) {
            *slot = match b {
                b'-' | b'_' => b'_',
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => b.to_ascii_uppercase(),
                _ => return None,
            };
        }
        Some(Region { name: buf, len: bytes.len() as u8 })
    }

    /// The normalised name, e.g. `US_EAST_1`.
    pub fn as_str(&self) -> &str {
        let bytes = self.name.get(..usize::from(self.len)).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.as_str())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn tags_are_equal_only_when_every_byte_is() {
        let tag = Tag(core::array::from_fn(|i| i as u8));
        assert!(tag == Tag(tag.0));
        for i in 0..32 {
            for bit in [0x01, 0x80] {
                let mut other = tag.0;
                other[i] ^= bit;
                assert!(tag != Tag(other), "byte {i} bit {bit:#x}");
            }
        }
    }

    #[test]
    fn region_names_normalise_dashes_and_case() {
        assert_eq!(Region::parse("us-east-1"), Some(Region::US_EAST_1));
        assert_eq!(Region::parse("Eu_Central-1"), Some(Region::EU_CENTRAL_1));
        assert_eq!(Region::parse("ap-south-1").unwrap().as_str(), "AP_SOUTH_1");
    }

    #[test]
    fn region_names_that_cannot_be_regions_are_refused() {
        for bad in ["", "us east 1", "us.east", "ü", &"A".repeat(33)] {
            assert_eq!(Region::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn empty_keys_are_refused_naming_which() {
        assert_eq!(KeyPair::new("", "sig_x").unwrap_err(), ConfigError::EmptyKey { which: "current" });
        assert_eq!(KeyPair::new("sig_x", "").unwrap_err(), ConfigError::EmptyKey { which: "next" });
    }

    #[test]
    fn dev_keys_are_refused_by_the_normal_constructor_with_a_message_naming_dev() {
        for (c, n) in [(DEV_CURRENT_SIGNING_KEY, "sig_other"), ("sig_other", DEV_NEXT_SIGNING_KEY)] {
            let err = KeyPair::new(c, n).unwrap_err();
            assert_eq!(err, ConfigError::DevKey);
            assert!(format!("{err}").contains("dev()"));
        }
    }

    #[test]
    fn keys_print_as_redacted() {
        let pair = KeyPair::new("sig_secretsecret", "sig_othersecret").unwrap();
        let shown = format!("{pair:?} {:?} {:#?}", pair.current, pair);
        assert!(shown.contains("[REDACTED]"));
        assert!(!shown.contains("secret"), "{shown}");
    }
}
