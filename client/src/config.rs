//! Where the client sends requests and with which token.

use alloc::format;
use alloc::string::{String, ToString};

use super::RetryPolicy;
use qstash_core::Region;

/// QStash's global API.
pub const DEFAULT_BASE_URL: &str = "https://qstash.upstash.io";

/// Explicit client settings; whatever is left `None` comes from the environment.
#[derive(Debug, Clone, Default)]
pub struct ClientConfig {
    /// The QStash token (`QSTASH_TOKEN`).
    pub token: Option<String>,
    /// The API base URL (`QSTASH_URL`, default `https://qstash.upstash.io`).
    pub base_url: Option<String>,
    /// Retries (default [`RetryPolicy::default`]).
    pub retry: Option<RetryPolicy>,
}

impl ClientConfig {
    /// Fills the gaps the way the official TypeScript client does: explicit `base_url` and
    /// `token` together win; otherwise, when `QSTASH_REGION` names a region with both
    /// `{REGION}_QSTASH_URL` and `{REGION}_QSTASH_TOKEN` set, those; otherwise each of
    /// `base_url` / `token` from the config, then `QSTASH_URL` / `QSTASH_TOKEN`, then the
    /// default URL. `lookup` reads a variable (the process environment for `from_env`).
    pub fn resolve(self, lookup: impl Fn(&str) -> Option<String>) -> ClientConfig {
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty());
        if self.base_url.is_some() && self.token.is_some() {
            return self;
        }
        if let Some(region) = var("QSTASH_REGION").as_deref().and_then(Region::parse) {
            let url = var(&format!("{}_QSTASH_URL", region.as_str()));
            let token = var(&format!("{}_QSTASH_TOKEN", region.as_str()));
            if let (Some(url), Some(token)) = (url, token) {
                return ClientConfig { token: Some(token), base_url: Some(url), retry: self.retry };
            }
            tracing::warn!(
                region = region.as_str(),
                "QSTASH_REGION is set but {0}_QSTASH_URL / {0}_QSTASH_TOKEN are not; using the default credentials",
                region.as_str()
            );
        }
        ClientConfig {
            base_url: self
                .base_url
                .or_else(|| var("QSTASH_URL"))
                .or_else(|| Some(DEFAULT_BASE_URL.to_string())),
            token: self.token.or_else(|| var("QSTASH_TOKEN")),
            retry: self.retry,
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

    #[test]
    fn base_url_loses_trailing_slashes_and_a_pasted_publish_path() {
        assert_eq!(normalise_base_url("https://qstash.upstash.io/"), "https://qstash.upstash.io");
        assert_eq!(normalise_base_url("https://qstash.upstash.io/v2/publish/"), "https://qstash.upstash.io");
        assert_eq!(normalise_base_url(" http://127.0.0.1:8080 "), "http://127.0.0.1:8080");
    }

    #[test]
    fn explicit_config_wins_over_everything() {
        let c = ClientConfig { token: Some("t".into()), base_url: Some("https://x".into()), retry: None }
            .resolve(env(&[("QSTASH_TOKEN", "env"), ("QSTASH_REGION", "EU_CENTRAL_1")]));
        assert_eq!((c.token.as_deref(), c.base_url.as_deref()), (Some("t"), Some("https://x")));
    }

    #[test]
    fn region_credentials_come_before_the_default_ones() {
        let vars = env(&[
            ("QSTASH_REGION", "eu-central-1"),
            ("EU_CENTRAL_1_QSTASH_URL", "https://eu"),
            ("EU_CENTRAL_1_QSTASH_TOKEN", "eu-token"),
            ("QSTASH_TOKEN", "default"),
        ]);
        let c = ClientConfig::default().resolve(vars);
        assert_eq!((c.token.as_deref(), c.base_url.as_deref()), (Some("eu-token"), Some("https://eu")));
    }

    #[test]
    fn incomplete_region_credentials_fall_back_to_the_defaults() {
        let vars = env(&[
            ("QSTASH_REGION", "US_EAST_1"),
            ("US_EAST_1_QSTASH_URL", "https://us"),
            ("QSTASH_TOKEN", "d"),
        ]);
        let c = ClientConfig::default().resolve(vars);
        assert_eq!((c.token.as_deref(), c.base_url.as_deref()), (Some("d"), Some(DEFAULT_BASE_URL)));
        let c = ClientConfig { token: Some("mine".into()), ..Default::default() }
            .resolve(env(&[("QSTASH_URL", "https://custom")]));
        assert_eq!((c.token.as_deref(), c.base_url.as_deref()), (Some("mine"), Some("https://custom")));
    }
}
