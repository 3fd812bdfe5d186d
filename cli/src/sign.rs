//! `qstash-kit sign`: mint a token as QStash would.

use qstash_core::{ConfigError, DEV_CURRENT_SIGNING_KEY, Signer, development_mode};

use crate::Outcome;
use crate::input::{body, config_message, env_var, one_stdin, secret_from};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The destination URL (the `sub` claim).
    #[arg(long)]
    url: String,
    /// The body, as text.
    #[arg(long)]
    data: Option<String>,
    /// A file with the raw body (`-` for stdin).
    #[arg(long)]
    body: Option<String>,
    /// The signing key (default: QSTASH_CURRENT_SIGNING_KEY). A flag shows in `ps` and shell
    /// history: prefer the environment or --key-file.
    #[arg(long, env = "QSTASH_CURRENT_SIGNING_KEY", hide_env_values = true)]
    key: Option<String>,
    /// Read the signing key from this file (`-` for stdin).
    #[arg(long, value_name = "PATH", conflicts_with = "key")]
    key_file: Option<String>,
    /// Sign with the public development key instead (also when QSTASH_DEV=1).
    #[arg(long)]
    dev: bool,
    /// Lifetime in seconds (default 300, as QStash).
    #[arg(long)]
    lifetime: Option<i64>,
    /// Sign as of this unix time (default now).
    #[arg(long)]
    now: Option<i64>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, String> {
    one_stdin([("--key-file", args.key_file.as_deref()), ("--body", args.body.as_deref())])?;
    let dev = args.dev || development_mode(env_var).map_err(|e| config_message(&e))?;
    let key = match &args.key_file {
        Some(path) => Some(secret_from(path, "signing key")?),
        None => args.key,
    };
    let signer = match (dev, key.as_deref()) {
        // The development key as `qstash-kit dev` exports it is that same key.
        (true, None | Some(DEV_CURRENT_SIGNING_KEY)) => Signer::dev(),
        (true, Some(_)) => return Err(config_message(&ConfigError::DevModeWithKeys)),
        (false, Some(key)) => Signer::new(key).map_err(|e| config_message(&e))?,
        (false, None) => return Err("pass --key, set QSTASH_CURRENT_SIGNING_KEY, or use --dev".into()),
    };
    let body = body(args.data.as_deref(), args.body.as_deref())?;
    let mut token = signer.token(&args.url, &body);
    if let Some(lifetime) = args.lifetime {
        token = token.lifetime(lifetime);
    }
    let token = match args.now {
        Some(now) => token.sign_at(now),
        None => token.sign(),
    };
    Ok(Outcome::Ok(if json { serde_json::json!({ "token": token }).to_string() } else { token }))
}
