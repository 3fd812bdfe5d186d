//! `qstash-kit verify`: the verdict on a token, a body and keys, with the reason.

use qstash_core::Request;

use crate::Report;
use crate::input::{body, one_stdin, receiver, secret_from, text_or_stdin};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The `Upstash-Signature` value (`-` for stdin).
    #[arg(long)]
    token: String,
    /// The body, as text.
    #[arg(long)]
    data: Option<String>,
    /// A file with the raw body (`-` for stdin).
    #[arg(long)]
    body: Option<String>,
    /// The URL the token must name.
    #[arg(long)]
    url: Option<String>,
    /// The `Upstash-Region` header value.
    #[arg(long)]
    region: Option<String>,
    /// Clock tolerance in seconds.
    #[arg(long, default_value_t = 0)]
    clock_tolerance: u64,
    /// The current signing key (default: QSTASH_CURRENT_SIGNING_KEY). A flag shows in `ps`
    /// and shell history: prefer the environment or --current-key-file.
    #[arg(long, requires = "next_key", conflicts_with = "current_key_file")]
    current_key: Option<String>,
    /// The next signing key (default: QSTASH_NEXT_SIGNING_KEY).
    #[arg(long, requires = "current_key", conflicts_with = "next_key_file")]
    next_key: Option<String>,
    /// Read the current signing key from this file (`-` for stdin).
    #[arg(long, value_name = "PATH", requires = "next_key_file")]
    current_key_file: Option<String>,
    /// Read the next signing key from this file (`-` for stdin).
    #[arg(long, value_name = "PATH", requires = "current_key_file")]
    next_key_file: Option<String>,
    /// Use the public development keys.
    #[arg(long, conflicts_with_all = ["current_key", "next_key", "current_key_file", "next_key_file"])]
    dev: bool,
    /// Verify as of this unix time (default now).
    #[arg(long)]
    now: Option<i64>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, String> {
    one_stdin([
        ("--token", Some(args.token.as_str())),
        ("--body", args.body.as_deref()),
        ("--current-key-file", args.current_key_file.as_deref()),
        ("--next-key-file", args.next_key_file.as_deref()),
    ])?;
    let from_file = |path: &Option<String>, what| path.as_deref().map(|p| secret_from(p, what)).transpose();
    let current = from_file(&args.current_key_file, "current signing key")?.or(args.current_key);
    let next = from_file(&args.next_key_file, "next signing key")?.or(args.next_key);
    let receiver = receiver(current.as_deref(), next.as_deref(), args.dev)?;
    let token = text_or_stdin(&args.token)?;
    let body = body(args.data.as_deref(), args.body.as_deref())?;
    let mut request = Request::new(&token, &body).clock_tolerance(args.clock_tolerance);
    if let Some(url) = &args.url {
        request = request.url(url);
    }
    if let Some(region) = &args.region {
        request = request.region(region);
    }
    let now = args.now.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    });
    Ok(match receiver.verify_at(&request, now) {
        Ok(verified) => {
            let key = verified.key.as_str();
            let region = verified.region.as_ref().map(|r| r.as_str().to_owned());
            if json {
                Report::Ok(
                    serde_json::json!({
                        "valid": true, "key": key, "region": region,
                        "sub": verified.claims.sub(), "jti": verified.claims.jti(),
                    })
                    .to_string(),
                )
            } else {
                Report::Ok(format!("valid: signed with the {key} key for {}", verified.claims.sub()))
            }
        }
        Err(error) => {
            if json {
                Report::Invalid(
                    serde_json::json!({ "valid": false, "reason": error.reason(), "message": error.to_string() })
                        .to_string(),
                )
            } else {
                Report::Invalid(format!("invalid: {} ({error})", error.reason()))
            }
        }
    })
}
