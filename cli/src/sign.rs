//! `qstash-kit sign`: mint a token as QStash would.

use qstash_core::{ConfigError, DEV_CURRENT_SIGNING_KEY, Signer, development_mode};

use crate::Report;
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
    #[arg(long)]
    key: Option<String>,
    /// Read the signing key from this file (`-` for stdin).
    #[arg(long, value_name = "PATH", conflicts_with = "key")]
    key_file: Option<String>,
    /// Sign with the public development key instead (also when QSTASH_DEV=1 and no key flag).
    #[arg(long, conflicts_with_all = ["key", "key_file"])]
    dev: bool,
    /// Lifetime in seconds (default 300, as QStash).
    #[arg(long)]
    lifetime: Option<i64>,
    /// Sign as of this unix time (default now).
    #[arg(long)]
    now: Option<i64>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, String> {
    one_stdin([("--key-file", args.key_file.as_deref()), ("--body", args.body.as_deref())])?;
    let flag_key = match &args.key_file {
        Some(path) => Some(secret_from(path, "signing key")?),
        None => args.key,
    };
    let env_dev = || development_mode(env_var).map_err(|e| config_message(&e));
    let signer = match flag_key {
        // Flags win over the environment: a key given here is the one signed with, whatever
        // QSTASH_DEV says (the development key given this way still needs QSTASH_DEV=1).
        Some(key) if key == DEV_CURRENT_SIGNING_KEY && env_dev()? => Signer::dev(),
        Some(key) => Signer::new(&key).map_err(|e| config_message(&e))?,
        None if args.dev => Signer::dev(),
        None => {
            match (env_dev()?, env_var("QSTASH_CURRENT_SIGNING_KEY").filter(|key| !key.is_empty())) {
                // The development key as `qstash-kit dev` exports it is that same key.
                (true, None) => Signer::dev(),
                (true, Some(key)) if key == DEV_CURRENT_SIGNING_KEY => Signer::dev(),
                (true, Some(_)) => return Err(config_message(&ConfigError::DevModeWithKeys)),
                (false, Some(key)) => Signer::new(&key).map_err(|e| config_message(&e))?,
                (false, None) => {
                    return Err("pass --key, set QSTASH_CURRENT_SIGNING_KEY, or use --dev".into());
                }
            }
        }
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
    Ok(Report::Ok(if json { serde_json::json!({ "token": token }).to_string() } else { token }))
}
