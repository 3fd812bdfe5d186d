//! How a command fails, and the exit code each failure gets.

use qstash_client::ClientError;

/// The exit codes, documented in `--help` and the README.
pub(crate) mod code {
    /// A token that does not verify (`verify`).
    pub(crate) const INVALID: u8 = 1;
    /// Bad flags or files, missing configuration.
    pub(crate) const USAGE: u8 = 2;
    /// QStash refused the request (4xx other than 429): a wrong token, an unknown id.
    pub(crate) const REFUSED: u8 = 3;
    /// A QStash rate limit (429) that did not reset in time.
    pub(crate) const RATE_LIMITED: u8 = 4;
    /// QStash could not be reached, did not answer in time, failed (5xx) or answered
    /// something unexpected.
    pub(crate) const UNAVAILABLE: u8 = 5;
}

/// A failed command: its message and exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure { code: code::USAGE, message }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::from(message.to_owned())
    }
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Self {
        let code = match &error {
            ClientError::Config(_) => code::USAGE,
            ClientError::RateLimited(_) => code::RATE_LIMITED,
            ClientError::Api { status, .. } if *status < 500 => code::REFUSED,
            _ => code::UNAVAILABLE,
        };
        let mut message = error.to_string();
        if let ClientError::Connect(_) = error {
            message.push_str(
                "\n  The API URL comes from --api-url, QSTASH_URL or --region/QSTASH_REGION (else \
                 https://qstash.upstash.io).\n  For a local QStash, start `qstash-kit dev` and export \
                 the lines it prints.",
            );
        }
        Failure { code, message }
    }
}
