//! `Receiver::from_env`: the environment variables of the official TypeScript SDK.

use std::format;
use std::string::String;
use std::vec::Vec;

use crate::error::ConfigError;
use crate::keys::{DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, KeyPair, Region};
use crate::receiver::Receiver;

const CURRENT: &str = "QSTASH_CURRENT_SIGNING_KEY";
const NEXT: &str = "QSTASH_NEXT_SIGNING_KEY";
/// The official SDKs' switch to their local development server and its public keys.
pub(crate) const DEV: &str = "QSTASH_DEV";

/// Whether `QSTASH_DEV`, read through `lookup`, turns development mode on: exactly `true` or
/// `1` does, exactly `false`, `0`, empty or unset does not (the official SDKs' values);
/// anything else (` 1`, `true\n`, `TRUE`, `yes`) is a mistake, refused rather than guessed:
/// a switch that opens the door to keys anyone can sign with is not read loosely.
///
/// Development mode is the one opt-in to the public development keys that works from the
/// environment: [`Receiver::from_env`] and [`Receiver::from_options`] then use those keys, and
/// `qstash-kit` signs with them.
pub fn development_mode(lookup: impl Fn(&str) -> Option<String>) -> Result<bool, ConfigError> {
    match lookup(DEV).as_deref() {
        None | Some("" | "false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(ConfigError::InvalidDevMode),
    }
}

/// The development pair, when the keys configured beside development mode are none or those
/// very keys (as `qstash-kit dev` prints them); other keys with it are a contradiction.
fn development_pair(current: Option<&str>, next: Option<&str>) -> Result<KeyPair, ConfigError> {
    match (current, next) {
        (None, None) => Ok(KeyPair::dev()),
        (Some(DEV_CURRENT_SIGNING_KEY), Some(DEV_NEXT_SIGNING_KEY)) => Ok(KeyPair::dev()),
        _ => Err(ConfigError::DevModeWithKeys),
    }
}

impl Receiver {
    /// Builds a receiver from the process environment, with the variable names of the official
    /// TypeScript SDK so a service can switch without renaming anything:
    ///
    /// - `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY`: the default pair;
    /// - when `QSTASH_REGION` names a QStash region (`EU_CENTRAL_1`, `US_EAST_1`, any case, `-`
    ///   or `_`), `{REGION}_QSTASH_CURRENT_SIGNING_KEY` / `{REGION}_QSTASH_NEXT_SIGNING_KEY` for
    ///   every region that has both. Region pairs work alongside the default pair.
    ///
    /// Empty variables count as unset. The development keys are refused, unless
    /// `QSTASH_DEV=1` (or `true`) turns development mode on ([`development_mode`]): then the
    /// receiver has the development keys only, and key variables beside it must be unset or
    /// hold those same keys.
    pub fn from_env() -> Result<Receiver, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Receiver::from_env`] over any variable source (a config map, a secrets manager, a test).
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Receiver, ConfigError> {
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty());
        if development_mode(&lookup)? {
            // Region pairs beside development mode are keys too: never dropped in silence.
            let region_keys = Region::KNOWN.iter().any(|region| {
                let name = region.as_str();
                var(&format!("{name}_{CURRENT}")).is_some() || var(&format!("{name}_{NEXT}")).is_some()
            });
            if region_keys {
                return Err(ConfigError::DevModeWithKeys);
            }
            let pair = development_pair(var(CURRENT).as_deref(), var(NEXT).as_deref())?;
            return Receiver::builder().keys(pair).build();
        }
        let mut builder = Receiver::builder();
        match (var(CURRENT), var(NEXT)) {
            (Some(current), Some(next)) => builder = builder.keys(KeyPair::new(&current, &next)?),
            (Some(_), None) => return Err(ConfigError::MissingEnv { name: NEXT }),
            (None, Some(_)) => return Err(ConfigError::MissingEnv { name: CURRENT }),
            (None, None) => {}
        }
        let multi_region =
            var("QSTASH_REGION").and_then(|r| Region::parse(&r)).is_some_and(|r| Region::KNOWN.contains(&r));
        if multi_region {
            for region in Region::KNOWN {
                let name = region.as_str();
                let current = var(&format!("{name}_{CURRENT}"));
                let next = var(&format!("{name}_{NEXT}"));
                if let (Some(current), Some(next)) = (current, next) {
                    builder = builder.region(name, KeyPair::new(&current, &next)?);
                }
            }
        }
        builder.build().map_err(|e| match e {
            ConfigError::NoKeys => ConfigError::MissingEnv { name: CURRENT },
            other => other,
        })
    }

    /// A receiver as the bindings' `Receiver(…)` constructors build one, whatever the language:
    /// in development mode (`dev`, or when `dev` is not given, `QSTASH_DEV` read through
    /// `lookup`) the development keys, the keys given being none or those very keys; with no
    /// keys and no regions, the environment read through `lookup` ([`Receiver::from_vars`]);
    /// else the given default pair (both keys required, empty ones refused) and region pairs,
    /// with the clock tolerance.
    pub fn from_options(
        options: &ReceiverOptions<'_>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Receiver, ConfigError> {
        let dev = match options.dev {
            Some(dev) => dev,
            None => development_mode(&lookup)?,
        };
        if dev {
            if !options.regions.is_empty() {
                return Err(ConfigError::DevModeWithKeys);
            }
            let pair = development_pair(options.current, options.next)?;
            return Receiver::builder().keys(pair).clock_tolerance(options.clock_tolerance).build();
        }
        let no_keys = options.current.is_none() && options.next.is_none();
        if no_keys && options.regions.is_empty() {
            // Development mode was decided above (an explicit `dev: false` included).
            return Receiver::from_vars(|name| if name == DEV { None } else { lookup(name) });
        }
        let mut builder = Receiver::builder().clock_tolerance(options.clock_tolerance);
        if !no_keys {
            builder = builder
                .keys(KeyPair::new(options.current.unwrap_or_default(), options.next.unwrap_or_default())?);
        }
        for (region, current, next) in &options.regions {
            builder = builder.region(region, KeyPair::new(current, next)?);
        }
        builder.build()
    }
}

/// The options of [`Receiver::from_options`].
#[derive(Debug, Clone, Default)]
pub struct ReceiverOptions<'a> {
    /// The current signing key of the default pair.
    pub current: Option<&'a str>,
    /// The next signing key of the default pair.
    pub next: Option<&'a str>,
    /// Development mode: `Some(true)` uses the public development keys (and nothing else),
    /// `Some(false)` never does, `None` asks `QSTASH_DEV`.
    pub dev: Option<bool>,
    /// Region pairs: `(region, current, next)`.
    pub regions: Vec<(&'a str, &'a str, &'a str)>,
    /// Seconds of clock skew forgiven when a request sets none.
    pub clock_tolerance: u64,
}
