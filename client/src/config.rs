//! Where the client sends requests, with which token, and how long it waits.

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;
use core::time::Duration;

use super::RetryPolicy;
use qstash_core::Region;

/// QStash's global API (served from the EU region).
pub const DEFAULT_BASE_URL: &str = "https://qstash.upstash.io";

/// How long a connection may take to open, unless configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a whole request (connect, send, answer) may take, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The API of a QStash region, as the multi-region page of the QStash documentation names
/// them; `None` for a region QStash does not run in.
pub fn region_base_url(region: Region) -> Option<&'static str> {
    if region == Region::EU_CENTRAL_1 {
        Some("https://qstash-eu-central-1.upstash.io")
    } else if region == Region::US_EAST_1 {
        Some("https://qstash-us-east-1.upstash.io")
    } else {
        None
    }
}

/// Explicit client settings; whatever is left `None` comes from the environment. The token
/// prints as `[REDACTED]`.
#[derive(Clone, Default)]
pub struct ClientConfig {
    /// The QStash token (`QSTASH_TOKEN`).
    pub token: Option<String>,
    /// The API base URL (`QSTASH_URL`, default `https://qstash.upstash.io`).
    pub base_url: Option<String>,
    /// The region whose API and credentials to use (`QSTASH_REGION`): its built-in URL unless
    /// `base_url` is set, and `{REGION}_QSTASH_TOKEN` unless `token` is set.
    pub region: Option<Region>,
    /// Retries (default [`RetryPolicy::default`]).
    pub retry: Option<RetryPolicy>,
    /// How long opening a connection may take (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Option<Duration>,
    /// How long one attempt may take from start to the end of the answer (default
    /// [`DEFAULT_TIMEOUT`]).
    pub timeout: Option<Duration>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("token", &self.token.as_ref().map(|_| "[REDACTED]"))
            .field("base_url", &self.base_url)
            .field("region", &self.region)
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl ClientConfig {
    /// Fills the gaps from the environment (`lookup` reads a variable):
    ///
    /// 1. an explicit `token` or `base_url` wins for itself, and then no region variable is
    ///    read (a token from one place and a URL from another would not belong together);
    ///    the missing one comes from `QSTASH_TOKEN` / `QSTASH_URL` or the default URL;
    /// 2. an explicit `region` gives its built-in URL and `{REGION}_QSTASH_TOKEN` (else
    ///    `QSTASH_TOKEN`);
    /// 3. otherwise, when `QSTASH_REGION` names a region whose `{REGION}_QSTASH_TOKEN` is set,
    ///    that token with `{REGION}_QSTASH_URL` (else the region's built-in URL), as the
    ///    official TypeScript client does;
    /// 4. otherwise `QSTASH_URL` / `QSTASH_TOKEN`, then the default URL.
    pub fn resolve(self, lookup: impl Fn(&str) -> Option<String>) -> ClientConfig {
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let region_token = |region: Region| var(&format!("{}_QSTASH_TOKEN", region.as_str()));
        let region_url = |region: Region| {
            var(&format!("{}_QSTASH_URL", region.as_str()))
                .or_else(|| region_base_url(region).map(str::to_string))
        };
        let base = ClientConfig { token: None, base_url: None, region: None, ..self.clone() };
        if self.token.is_some() || self.base_url.is_some() {
            return ClientConfig {
                base_url: self
                    .base_url
                    .or_else(|| self.region.and_then(region_base_url).map(str::to_string))
                    .or_else(|| var("QSTASH_URL"))
                    .or_else(|| Some(DEFAULT_BASE_URL.to_string())),
                token: self
                    .token
                    .or_else(|| self.region.and_then(region_token))
                    .or_else(|| var("QSTASH_TOKEN")),
                region: self.region,
                ..base
            };
        }
        if let Some(region) = self.region {
            return ClientConfig {
                base_url: region_url(region).or_else(|| Some(DEFAULT_BASE_URL.to_string())),
                token: region_token(region).or_else(|| var("QSTASH_TOKEN")),
                region: Some(region),
                ..base
            };
        }
        if let Some(region) = var("QSTASH_REGION").as_deref().and_then(Region::parse) {
            if let (Some(token), Some(url)) = (region_token(region), region_url(region)) {
                return ClientConfig {
                    token: Some(token),
                    base_url: Some(url),
                    region: Some(region),
                    ..base
                };
            }
            tracing::warn!(
                region = region.as_str(),
                "QSTASH_REGION is set but {0}_QSTASH_TOKEN is not; using the default credentials",
                region.as_str()
            );
        }
        ClientConfig {
            base_url: var("QSTASH_URL").or_else(|| Some(DEFAULT_BASE_URL.to_string())),
            token: var("QSTASH_TOKEN"),
            ..base
        }
    }
}

/// Without a trailing `/`, and a pasted `…/v2/publish` (the URL the console shows next to the
/// token) reduced to the base.
pub(crate) fn normalise_base_url(url: &str) -> String {
    let mut url = url.trim().trim_end_matches('/');
    for suffix in ["/v2/publish", "/v2"] {
        if let Some(base) = url.strip_suffix(suffix) {
            url = base.trim_end_matches('/');
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    fn pair(c: &ClientConfig) -> (Option<&str>, Option<&str>) {
        (c.token.as_deref(), c.base_url.as_deref())
    }

    const REGION_ENV: &[(&str, &str)] = &[
        ("QSTASH_REGION", "eu-central-1"),
        ("EU_CENTRAL_1_QSTASH_URL", "https://eu"),
        ("EU_CENTRAL_1_QSTASH_TOKEN", "eu-token"),
        ("US_EAST_1_QSTASH_TOKEN", "us-token"),
        ("QSTASH_TOKEN", "default"),
    ];

    #[test]
    fn base_url_loses_trailing_slashes_and_a_pasted_publish_path() {
        assert_eq!(normalise_base_url("https://qstash.upstash.io/"), "https://qstash.upstash.io");
        assert_eq!(normalise_base_url("https://qstash.upstash.io/v2/publish/"), "https://qstash.upstash.io");
        assert_eq!(normalise_base_url(" http://127.0.0.1:8080 "), "http://127.0.0.1:8080");
    }

    #[test]
    fn explicit_config_wins_over_everything() {
        let c = ClientConfig {
            token: Some("t".into()),
            base_url: Some("https://x".into()),
            ..Default::default()
        }
        .resolve(env(REGION_ENV));
        assert_eq!(pair(&c), (Some("t"), Some("https://x")));
    }

    #[test]
    fn an_explicit_token_alone_is_not_overridden_by_region_variables() {
        let c = ClientConfig { token: Some("flag".into()), ..Default::default() }.resolve(env(REGION_ENV));
        assert_eq!(pair(&c), (Some("flag"), Some(DEFAULT_BASE_URL)));
        let c = ClientConfig { base_url: Some("https://flag".into()), ..Default::default() }
            .resolve(env(REGION_ENV));
        assert_eq!(pair(&c), (Some("default"), Some("https://flag")));
    }

    #[test]
    fn region_credentials_come_before_the_default_ones() {
        let c = ClientConfig::default().resolve(env(REGION_ENV));
        assert_eq!(pair(&c), (Some("eu-token"), Some("https://eu")));
        assert_eq!(c.region, Some(Region::EU_CENTRAL_1));
    }

    #[test]
    fn a_region_token_without_a_url_uses_the_built_in_regional_url() {
        let c = ClientConfig::default()
            .resolve(env(&[("QSTASH_REGION", "US_EAST_1"), ("US_EAST_1_QSTASH_TOKEN", "us")]));
        assert_eq!(pair(&c), (Some("us"), Some("https://qstash-us-east-1.upstash.io")));
    }

    #[test]
    fn an_explicit_region_picks_its_url_and_token() {
        let c =
            ClientConfig { region: Some(Region::US_EAST_1), ..Default::default() }.resolve(env(REGION_ENV));
        assert_eq!(pair(&c), (Some("us-token"), Some("https://qstash-us-east-1.upstash.io")));
        let c = ClientConfig {
            region: Some(Region::US_EAST_1),
            token: Some("flag".into()),
            ..Default::default()
        }
        .resolve(env(REGION_ENV));
        assert_eq!(pair(&c), (Some("flag"), Some("https://qstash-us-east-1.upstash.io")));
    }

    #[test]
    fn incomplete_region_credentials_fall_back_to_the_defaults() {
        let vars = env(&[
            ("QSTASH_REGION", "US_EAST_1"),
            ("US_EAST_1_QSTASH_URL", "https://us"),
            ("QSTASH_TOKEN", "d"),
        ]);
        let c = ClientConfig::default().resolve(vars);
        assert_eq!(pair(&c), (Some("d"), Some(DEFAULT_BASE_URL)));
        assert_eq!(c.region, None);
    }

    #[test]
    fn debug_never_prints_the_token() {
        let c = ClientConfig { token: Some("qstash-secret-token".into()), ..Default::default() };
        let printed = format!("{c:?}");
        assert!(!printed.contains("qstash-secret-token"), "{printed}");
        assert!(printed.contains("[REDACTED]"), "{printed}");
    }
}
