//! `qstash-kit sign`: mint a token as QStash would.

use qstash_core::Signer;

use crate::Outcome;
use crate::input::body;

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
    /// The signing key (default: QSTASH_CURRENT_SIGNING_KEY).
    #[arg(long, env = "QSTASH_CURRENT_SIGNING_KEY", hide_env_values = true)]
    key: Option<String>,
    /// Sign with the public development key instead.
    #[arg(long, conflicts_with = "key")]
    dev: bool,
    /// Lifetime in seconds (default 300, as QStash).
    #[arg(long)]
    lifetime: Option<i64>,
    /// Sign as of this unix time (default now).
    #[arg(long)]
    now: Option<i64>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, String> {
    let signer = if args.dev {
        Signer::dev()
    } else {
        let key = args.key.as_deref().ok_or("pass --key, set QSTASH_CURRENT_SIGNING_KEY, or use --dev")?;
        Signer::new(key).map_err(|e| e.to_string())?
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
