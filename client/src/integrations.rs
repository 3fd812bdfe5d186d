//! The integrations QStash calls in place of a URL (the official clients' `api` option): an
//! LLM's chat completions (OpenAI, Anthropic, Upstash, any OpenAI-compatible API, with
//! Helicone analytics) and email through Resend. Each becomes the URL QStash publishes to and
//! the headers it forwards there, exactly as `@upstash/qstash` builds them.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::ClientError;

/// An integration QStash delivers to instead of a URL: `Destination::Api(api)`.
#[derive(Clone, PartialEq, Eq)]
pub enum Api {
    /// Chat completions of an LLM (`api: { name: "llm", provider, analytics }`). The answer
    /// arrives at the message's callback, which is required.
    Llm {
        /// Whose API.
        provider: LlmProvider,
        /// Analytics in front of it.
        analytics: Option<Analytics>,
    },
    /// Email through Resend (`api: { name: "email", provider: resend({ token, batch }) }`).
    Email(Resend),
}

/// The LLM provider of [`Api::Llm`].
#[derive(Clone, PartialEq, Eq)]
pub enum LlmProvider {
    /// `openai({ token, organization })`: `https://api.openai.com/v1/chat/completions`.
    OpenAi {
        /// The OpenAI API key.
        token: String,
        /// The organization (`OpenAI-Organization`).
        organization: Option<String>,
    },
    /// `anthropic({ token })`: `https://api.anthropic.com/v1/messages`.
    Anthropic {
        /// The Anthropic API key.
        token: String,
    },
    /// `upstash()`: Upstash's LLM, with the QStash token.
    Upstash,
    /// `custom({ baseUrl, token })`: any OpenAI-compatible API.
    Custom {
        /// Its base URL (a trailing `/chat/completions` or `/v1/chat/completions` is dropped).
        base_url: String,
        /// Its API key.
        token: String,
    },
}

/// Analytics between QStash and the LLM.
#[derive(Clone, PartialEq, Eq)]
pub enum Analytics {
    /// `{ name: "helicone", token }`.
    Helicone {
        /// The Helicone API key.
        token: String,
    },
}

/// `resend({ token, batch })`: `https://api.resend.com/emails` (or `/emails/batch`).
#[derive(Clone, PartialEq, Eq)]
pub struct Resend {
    /// The Resend API key.
    pub token: String,
    /// Send a batch of emails (`/emails/batch`).
    pub batch: bool,
}

const REDACTED: &str = "[REDACTED]";

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Api::Llm { provider, analytics } => {
                f.debug_struct("Llm").field("provider", provider).field("analytics", analytics).finish()
            }
            Api::Email(resend) => f.debug_tuple("Email").field(resend).finish(),
        }
    }
}

impl fmt::Debug for LlmProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LlmProvider::OpenAi { organization, .. } => f
                .debug_struct("OpenAi")
                .field("token", &REDACTED)
                .field("organization", organization)
                .finish(),
            LlmProvider::Anthropic { .. } => f.debug_struct("Anthropic").field("token", &REDACTED).finish(),
            LlmProvider::Upstash => f.write_str("Upstash"),
            LlmProvider::Custom { base_url, .. } => {
                f.debug_struct("Custom").field("base_url", base_url).field("token", &REDACTED).finish()
            }
        }
    }
}

impl fmt::Debug for Analytics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Analytics::Helicone { .. } => f.debug_struct("Helicone").field("token", &REDACTED).finish(),
        }
    }
}

impl fmt::Debug for Resend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resend").field("token", &REDACTED).field("batch", &self.batch).finish()
    }
}

/// Where a message to an integration is published, and the headers QStash forwards with it.
pub(crate) struct Route {
    /// The destination path segment: the provider's URL, or `api/llm` for Upstash's own.
    pub(crate) path: String,
    /// Headers for the provider, in the order the official client sets them; the message's
    /// own headers override them.
    pub(crate) headers: Vec<(String, String)>,
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

impl Api {
    /// The route of a message to this integration, for an account whose QStash token is
    /// `qstash_token` (Upstash's LLM behind analytics is called with it).
    pub(crate) fn route(&self, qstash_token: &str, has_callback: bool) -> Result<Route, ClientError> {
        match self {
            Api::Email(Resend { token, batch }) => {
                let route = if *batch { "emails/batch" } else { "emails" };
                Ok(Route {
                    path: format!("https://api.resend.com/{route}"),
                    headers: vec![("authorization".to_string(), bearer(token))],
                })
            }
            Api::Llm { provider, analytics } => {
                if !has_callback {
                    return Err(ClientError::Config(
                        "an LLM integration needs a callback: the completion is delivered there".to_string(),
                    ));
                }
                let (base, route, mut headers): (String, &[&str], Vec<(String, String)>) = match provider {
                    LlmProvider::OpenAi { token, organization } => {
                        let mut headers = vec![
                            ("authorization".to_string(), bearer(token)),
                            ("content-type".to_string(), "application/json".to_string()),
                        ];
                        if let Some(organization) = organization {
                            headers.push(("OpenAI-Organization".to_string(), organization.clone()));
                        }
                        ("https://api.openai.com".to_string(), &["v1", "chat", "completions"], headers)
                    }
                    LlmProvider::Anthropic { token } => (
                        "https://api.anthropic.com".to_string(),
                        &["v1", "messages"],
                        vec![
                            ("x-api-key".to_string(), token.clone()),
                            ("content-type".to_string(), "application/json".to_string()),
                            ("anthropic-version".to_string(), "2023-06-01".to_string()),
                        ],
                    ),
                    LlmProvider::Upstash if analytics.is_none() => {
                        return Ok(Route {
                            path: "api/llm".to_string(),
                            headers: vec![("content-type".to_string(), "application/json".to_string())],
                        });
                    }
                    LlmProvider::Upstash => (
                        "https://qstash.upstash.io/llm".to_string(),
                        &["v1", "chat", "completions"],
                        vec![
                            ("authorization".to_string(), bearer(qstash_token)),
                            ("content-type".to_string(), "application/json".to_string()),
                        ],
                    ),
                    LlmProvider::Custom { base_url, token } => {
                        let base = base_url
                            .strip_suffix("/v1/chat/completions")
                            .or_else(|| base_url.strip_suffix("/chat/completions"))
                            .unwrap_or(base_url);
                        (
                            base.to_string(),
                            &["v1", "chat", "completions"],
                            vec![
                                ("authorization".to_string(), bearer(token)),
                                ("content-type".to_string(), "application/json".to_string()),
                            ],
                        )
                    }
                };
                let path = match analytics {
                    None => format!("{base}/{}", route.join("/")),
                    Some(Analytics::Helicone { token }) => {
                        headers.push(("Helicone-Auth".to_string(), bearer(token)));
                        if matches!(provider, LlmProvider::Upstash) {
                            format!("https://qstash.helicone.ai/llm/{}", route.join("/"))
                        } else {
                            headers.push(("Helicone-Target-Url".to_string(), base));
                            format!("https://gateway.helicone.ai/{}", route.join("/"))
                        }
                    }
                };
                Ok(Route { path, headers })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(api: Api) -> (String, Vec<(String, String)>) {
        let Route { path, headers } = api.route("qstash-token", true).unwrap();
        (path, headers)
    }

    #[test]
    fn each_provider_routes_as_the_official_client_does() {
        let openai = route(Api::Llm {
            provider: LlmProvider::OpenAi { token: "sk".into(), organization: Some("org".into()) },
            analytics: None,
        });
        assert_eq!(openai.0, "https://api.openai.com/v1/chat/completions");
        assert!(openai.1.contains(&("OpenAI-Organization".into(), "org".into())));
        let upstash = route(Api::Llm { provider: LlmProvider::Upstash, analytics: None });
        assert_eq!(upstash.0, "api/llm");
        let custom = route(Api::Llm {
            provider: LlmProvider::Custom {
                base_url: "https://llm.example/v1/chat/completions".into(),
                token: "t".into(),
            },
            analytics: Some(Analytics::Helicone { token: "h".into() }),
        });
        assert_eq!(custom.0, "https://gateway.helicone.ai/v1/chat/completions");
        assert!(custom.1.contains(&("Helicone-Target-Url".into(), "https://llm.example".into())));
        let email = route(Api::Email(Resend { token: "re".into(), batch: true }));
        assert_eq!(
            email,
            (
                "https://api.resend.com/emails/batch".into(),
                vec![("authorization".into(), "Bearer re".into())]
            )
        );
    }

    #[test]
    fn an_llm_without_a_callback_is_a_configuration_error_and_tokens_never_print() {
        let api =
            Api::Llm { provider: LlmProvider::Anthropic { token: "sk-secret".into() }, analytics: None };
        assert!(matches!(api.route("t", false), Err(ClientError::Config(_))));
        let printed = format!("{api:?} {:?}", Api::Email(Resend { token: "re-secret".into(), batch: false }));
        assert!(!printed.contains("secret") && printed.contains(REDACTED), "{printed}");
    }
}
