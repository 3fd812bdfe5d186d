//! The integrations flags: publish to an LLM or email provider instead of a URL (the official
//! clients' `api` option), and the same in a batch file.

use qstash_client::{Analytics, Api, LlmProvider, Resend};
use serde::Deserialize;

use crate::failure::Failure;
use crate::input::secret_from;

/// How to name an integration on the command line.
#[derive(clap::Args, Debug, Default)]
#[command(next_help_heading = "Integrations (in place of a destination)")]
pub(crate) struct IntegrationArgs {
    /// Publish to an integration instead of a URL: `llm` (chat completions; needs --callback)
    /// or `email`.
    #[arg(long, value_parser = ["llm", "email"])]
    pub(crate) api: Option<String>,
    /// The provider: openai, anthropic, upstash (the default for llm) or custom; resend for email.
    #[arg(long, requires = "api", value_parser = ["openai", "anthropic", "upstash", "custom", "resend"])]
    provider: Option<String>,
    /// The provider's API key. A flag shows in `ps` and shell history: prefer --provider-token-file.
    #[arg(long, requires = "api", conflicts_with = "provider_token_file")]
    provider_token: Option<String>,
    /// Read the provider's API key from this file (`-` for stdin).
    #[arg(long, value_name = "PATH", requires = "api")]
    provider_token_file: Option<String>,
    /// custom: the OpenAI-compatible API's base URL.
    #[arg(long, requires = "api")]
    provider_base_url: Option<String>,
    /// openai: the organization (`OpenAI-Organization`).
    #[arg(long, requires = "api")]
    provider_organization: Option<String>,
    /// resend: send a batch of emails (`/emails/batch`).
    #[arg(long, requires = "api")]
    resend_batch: bool,
    /// Analytics in front of the LLM: helicone.
    #[arg(long, requires = "api", value_parser = ["helicone"])]
    analytics: Option<String>,
    /// The analytics' API key. Prefer --analytics-token-file.
    #[arg(long, requires = "analytics", conflicts_with = "analytics_token_file")]
    analytics_token: Option<String>,
    /// Read the analytics' API key from this file (`-` for stdin).
    #[arg(long, value_name = "PATH", requires = "analytics")]
    analytics_token_file: Option<String>,
}

/// An integration as a batch file names it, in the official clients' words:
/// `{"name": "llm", "provider": "openai", "token": "…", "organization": "…", "baseUrl": "…",
/// "batch": false, "analytics": {"name": "helicone", "token": "…"}}`.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ApiSpec {
    name: String,
    provider: Option<String>,
    token: Option<String>,
    organization: Option<String>,
    base_url: Option<String>,
    #[serde(default)]
    batch: bool,
    analytics: Option<AnalyticsSpec>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnalyticsSpec {
    name: String,
    token: String,
}

fn secret(value: &Option<String>, file: &Option<String>, what: &str) -> Result<Option<String>, Failure> {
    Ok(match file {
        Some(path) => Some(secret_from(path, what)?),
        None => value.clone(),
    })
}

impl IntegrationArgs {
    /// The integration these flags name, if any.
    pub(crate) fn api(&self) -> Result<Option<Api>, Failure> {
        let Some(name) = &self.api else { return Ok(None) };
        let analytics = match &self.analytics {
            Some(name) => Some(AnalyticsSpec {
                name: name.clone(),
                token: secret(&self.analytics_token, &self.analytics_token_file, "analytics token")?
                    .ok_or("--analytics needs --analytics-token or --analytics-token-file")?,
            }),
            None => None,
        };
        let spec = ApiSpec {
            name: name.clone(),
            provider: self.provider.clone(),
            token: secret(&self.provider_token, &self.provider_token_file, "provider token")?,
            organization: self.provider_organization.clone(),
            base_url: self.provider_base_url.clone(),
            batch: self.resend_batch,
            analytics,
        };
        spec.api().map(Some)
    }
}

impl ApiSpec {
    /// The client's integration, or what is missing.
    pub(crate) fn api(self) -> Result<Api, Failure> {
        let token = |provider: &str| {
            self.token.clone().ok_or_else(|| {
                Failure::from(format!("the {provider} provider needs its API key (--provider-token-file)"))
            })
        };
        match self.name.as_str() {
            "email" => match self.provider.as_deref() {
                Some("resend") => Ok(Api::Email(Resend { token: token("resend")?, batch: self.batch })),
                other => Err(format!(
                    "the email integration's provider is resend, not {}",
                    other.unwrap_or("none")
                )
                .into()),
            },
            "llm" => {
                let provider = match self.provider.as_deref().unwrap_or("upstash") {
                    "openai" => LlmProvider::OpenAi {
                        token: token("openai")?,
                        organization: self.organization.clone(),
                    },
                    "anthropic" => LlmProvider::Anthropic { token: token("anthropic")? },
                    "upstash" => LlmProvider::Upstash,
                    "custom" => LlmProvider::Custom {
                        base_url: self
                            .base_url
                            .clone()
                            .ok_or("the custom provider needs its base URL (--provider-base-url)")?,
                        token: token("custom")?,
                    },
                    other => {
                        return Err(format!(
                            "{other} is not an LLM provider (openai, anthropic, upstash, custom)"
                        )
                        .into());
                    }
                };
                let analytics = match self.analytics {
                    None => None,
                    Some(AnalyticsSpec { name, token }) if name == "helicone" => {
                        Some(Analytics::Helicone { token })
                    }
                    Some(AnalyticsSpec { name, .. }) => {
                        return Err(format!("{name} is not an analytics provider (helicone)").into());
                    }
                };
                Ok(Api::Llm { provider, analytics })
            }
            other => Err(format!("{other} is not an integration (llm, email)").into()),
        }
    }
}
