//! Why a delivery was refused, and why a receiver could not be built.

use core::fmt;

/// Why a QStash delivery failed verification.
///
/// [`VerifyError::reason`] returns the stable reason code of SPEC.md §3; the same codes are
/// used by the middleware JSON bodies, the Python and Node bindings and the conformance runners.
/// No variant carries key material, so the error is safe to log and to return to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `Upstash-Signature` token, or an empty one.
    Missing,
    /// The token is not a well-formed HS256 JWT as QStash sends it; `what` says which part.
    Malformed {
        /// Which rule the token broke, for logs and `qstash-kit inspect`.
        what: &'static str,
    },
    /// The MAC matched neither the current nor the next key.
    Signature,
    /// `iss` is not exactly `"Upstash"`.
    Issuer,
    /// `exp` is at or before `now - tolerance`.
    Expired,
    /// `nbf` (or `iat`) is after `now + tolerance`.
    NotYetValid,
    /// `sub` is not a string, or not the expected destination URL.
    Subject,
    /// The `body` claim does not match the SHA-256 of the received body bytes.
    Body,
    /// The receiver has no key pair for this request (no default pair and no pair for its region).
    NoKeys,
}

impl VerifyError {
    /// Every code [`VerifyError::reason`] can return, in the order of SPEC.md §3.2. The
    /// refusals of an HTTP front end add their own codes to these (`qstash-gate`'s
    /// `Rejection::reason_codes`, which the bindings export).
    pub const REASON_CODES: [&'static str; 9] = [
        "missing",
        "malformed",
        "no_keys",
        "signature",
        "issuer",
        "expired",
        "not_yet_valid",
        "subject",
        "body",
    ];

    /// The stable, lower-case reason code (`missing`, `malformed`, `signature`, `issuer`,
    /// `expired`, `not_yet_valid`, `subject`, `body`, `no_keys`).
    pub const fn reason(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed { .. } => "malformed",
            Self::Signature => "signature",
            Self::Issuer => "issuer",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::Subject => "subject",
            Self::Body => "body",
            Self::NoKeys => "no_keys",
        }
    }

    pub(crate) const fn malformed(what: &'static str) -> Self {
        Self::Malformed { what }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("no Upstash-Signature token"),
            Self::Malformed { what } => write!(f, "malformed Upstash-Signature token: {what}"),
            Self::Signature => f.write_str("signature matches neither the current nor the next key"),
            Self::Issuer => f.write_str("token issuer is not \"Upstash\""),
            Self::Expired => f.write_str("token has expired"),
            Self::NotYetValid => f.write_str("token is not valid yet"),
            Self::Subject => f.write_str("token subject does not match the expected URL"),
            Self::Body => f.write_str("body does not match the token's body hash"),
            Self::NoKeys => f.write_str("no signing keys are configured for this request"),
        }
    }
}

impl core::error::Error for VerifyError {}

/// The start of [`ConfigError::DevKey`]'s message, which ends with the way to opt in in code:
/// each language's front end finishes it in its own words (`Receiver.dev()`, `devMode: true`,
/// `--dev`).
#[doc(hidden)]
pub const DEV_KEYS_REFUSED: &str = "the public local-development signing keys are refused unless you \
     opt in: set QSTASH_DEV=1 (as `qstash-kit dev` prints), or ";

/// Why a [`Receiver`](crate::Receiver) or [`Signer`](crate::Signer) could not be built.
///
/// Configuration mistakes are refused when the receiver is built, never at verify time, so a
/// misconfigured service fails at start-up instead of rejecting every delivery.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A signing key is the empty string; `which` names it (`current` or `next`).
    EmptyKey {
        /// `"current"` or `"next"`.
        which: &'static str,
    },
    /// A public local-development key was passed to a normal constructor.
    DevKey,
    /// `QSTASH_DEV` holds something other than `true`, `1`, `false`, `0` or nothing.
    InvalidDevMode,
    /// Development mode is on (`QSTASH_DEV` or an explicit `dev`) while other signing keys
    /// are configured: which to use would be a guess.
    DevModeWithKeys,
    /// A region name is empty, too long or has characters other than `A-Z`, `0-9`, `_`, `-`.
    InvalidRegion,
    /// More region key pairs than [`MAX_REGIONS`](crate::MAX_REGIONS).
    TooManyRegions,
    /// Neither a default key pair nor any region key pair was configured.
    NoKeys,
    /// An environment variable needed by `from_env` is not set (its name is given).
    MissingEnv {
        /// The variable that was looked up.
        name: &'static str,
    },
}

impl ConfigError {
    /// A stable code for bindings and runners: always `config`.
    pub const fn reason(&self) -> &'static str {
        "config"
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyKey { which } => write!(f, "the {which} signing key is empty"),
            Self::DevKey => write!(f, "{DEV_KEYS_REFUSED}use Receiver::dev() / Signer::dev()"),
            Self::InvalidDevMode => f.write_str("QSTASH_DEV must be true, 1, false, 0 or empty"),
            Self::DevModeWithKeys => f.write_str(
                "development mode (QSTASH_DEV=1, or turned on in code) uses the public development keys, \
                 but other signing keys are configured too: remove them, or turn development mode off",
            ),
            Self::InvalidRegion => {
                f.write_str("invalid region name: use 1 to 32 of A-Z, 0-9, '_' or '-' (e.g. US_EAST_1)")
            }
            Self::TooManyRegions => {
                write!(f, "at most {} region key pairs can be configured", crate::MAX_REGIONS)
            }
            Self::NoKeys => f.write_str("no signing keys were configured"),
            Self::MissingEnv { name } => write!(f, "environment variable {name} is not set"),
        }
    }
}

/// The variant and its message: `fn main() -> Result<(), Box<dyn Error>>` prints an error with
/// `Debug`, and the variant alone (`Error: DevKey`) would leave out what to do about it.
impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variant = match self {
            Self::EmptyKey { .. } => "EmptyKey",
            Self::DevKey => "DevKey",
            Self::InvalidDevMode => "InvalidDevMode",
            Self::DevModeWithKeys => "DevModeWithKeys",
            Self::InvalidRegion => "InvalidRegion",
            Self::TooManyRegions => "TooManyRegions",
            Self::NoKeys => "NoKeys",
            Self::MissingEnv { .. } => "MissingEnv",
        };
        write!(f, "{variant}: {self}")
    }
}

impl core::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_lists_the_reason_of_every_variant_once() {
        let every = [
            VerifyError::Missing,
            VerifyError::malformed("x"),
            VerifyError::NoKeys,
            VerifyError::Signature,
            VerifyError::Issuer,
            VerifyError::Expired,
            VerifyError::NotYetValid,
            VerifyError::Subject,
            VerifyError::Body,
        ];
        assert_eq!(every.map(|e| e.reason()), VerifyError::REASON_CODES);
    }
}
