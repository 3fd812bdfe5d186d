//! `Receiver::from_env`: the environment variables of the official TypeScript SDK.

use std::format;
use std::string::String;
use std::vec::Vec;

use crate::error::ConfigError;
use crate::keys::{KeyPair, Region};
use crate::receiver::Receiver;

const CURRENT: &str = "QSTASH_CURRENT_SIGNING_KEY";
const NEXT: &str = "QSTASH_NEXT_SIGNING_KEY";

impl Receiver {
    /// Builds a receiver from the process environment, with the variable names of the official
    /// TypeScript SDK so a service can switch without renaming anything:
    ///
    /// - `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY`: the default pair;
    /// - when `QSTASH_REGION` names a QStash region (`EU_CENTRAL_1`, `US_EAST_1`, any case, `-`
    ///   or `_`), `{REGION}_QSTASH_CURRENT_SIGNING_KEY` / `{REGION}_QSTASH_NEXT_SIGNING_KEY` for
    ///   every region that has both. Region pairs work alongside the default pair.
    ///
    /// Empty variables count as unset. The development keys are refused here as everywhere but
    /// [`Receiver::dev`]: no environment variable switches a receiver to them.
    pub fn from_env() -> Result<Receiver, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Receiver::from_env`] over any variable source (a config map, a secrets manager, a test).
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Receiver, ConfigError> {
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty());
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

    /// A receiver as the JavaScript packages' `new Receiver(config)` builds one, whatever
    /// the build (native or WebAssembly): the development keys with `dev`; with no keys and
    /// no regions, the environment read through `lookup` ([`Receiver::from_vars`]); else
    /// the given default pair (both keys required, empty ones refused) and region pairs,
    /// with the clock tolerance.
    pub fn from_options(
        options: &ReceiverOptions<'_>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Receiver, ConfigError> {
        if options.dev {
            return Receiver::builder().keys(KeyPair::dev()).clock_tolerance(options.clock_tolerance).build();
        }
        let no_keys = options.current.is_none() && options.next.is_none();
        if no_keys && options.regions.is_empty() {
            return Receiver::from_vars(lookup);
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
    /// Use the public development keys (and nothing else).
    pub dev: bool,
    /// Region pairs: `(region, current, next)`.
    pub regions: Vec<(&'a str, &'a str, &'a str)>,
    /// Seconds of clock skew forgiven when a request sets none.
    pub clock_tolerance: u64,
}
