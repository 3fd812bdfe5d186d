//! `qstash-kit inspect`: what a token says and how each rule of the core judges it, with or
//! without keys (the rules are `qstash_core::explain`'s; this shows them).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use qstash_core::{Check, Explanation, Finding, Rule, explain};
use serde_json::{Value, json};

use crate::Report;
use crate::input::{receiver, text_or_stdin};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The `Upstash-Signature` value (`-` for stdin).
    token: String,
    /// Also check the signature with these keys (or QSTASH_*_SIGNING_KEY with --with-env-keys).
    #[arg(long, requires = "next_key")]
    current_key: Option<String>,
    /// The next signing key.
    #[arg(long, requires = "current_key")]
    next_key: Option<String>,
    /// Check the signature with the public development keys.
    #[arg(long)]
    dev: bool,
    /// Check the signature with the keys in the environment.
    #[arg(long)]
    with_env_keys: bool,
    /// Judge the times as of this unix time (default now).
    #[arg(long)]
    now: Option<i64>,
}

/// `1750000300 (Sun, 15 Jun 2025 15:11:40 GMT, in 5m 0s)`.
fn when(seconds: f64, now: i64) -> String {
    let date = if (0.0..1e11).contains(&seconds) {
        httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs_f64(seconds))
    } else {
        "out of calendar range".into()
    };
    let delta = seconds - now as f64;
    let span = |s: f64| {
        let s = s.abs().round() as u64;
        match s {
            0..=59 => format!("{s}s"),
            60..=3599 => format!("{}m {}s", s / 60, s % 60),
            3600..=86_399 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
            _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
        }
    };
    let relative = if delta >= 0.0 { format!("in {}", span(delta)) } else { format!("{} ago", span(delta)) };
    format!("{seconds} ({date}, {relative})")
}

/// What a check adds to its finding: the claim it judged, in human terms.
fn detail(check: &Check, e: &Explanation, claims: Option<&Value>, now: i64, keyed: bool) -> String {
    let claim = |name: &str| claims.and_then(|c| c.get(name)).cloned().unwrap_or(Value::Null);
    let judged = match check.rule {
        Rule::Issuer => format!("iss = {}", claim("iss")),
        Rule::Expiry => e.exp.map_or_else(|| "exp unreadable".into(), |t| format!("exp = {}", when(t, now))),
        Rule::NotBefore => e.nbf.map_or_else(
            || "nbf unreadable".into(),
            |t| match e.iat {
                Some(iat) => format!("nbf = {}; iat = {}", when(t, now), when(iat, now)),
                None => format!("nbf = {}", when(t, now)),
            },
        ),
        Rule::Subject => format!("sub = {}", claim("sub")),
        Rule::BodyClaim => format!("body = {}", claim("body")),
        Rule::Signature if !keyed => {
            "not checked: needs keys (--current-key/--next-key, --dev or --with-env-keys)".into()
        }
        Rule::Signature => e.key.map_or_else(String::new, |key| format!("{} key", key.as_str())),
        _ => String::new(),
    };
    match &check.finding {
        Finding::Failed(error) if judged.is_empty() => format!("{}: {error}", error.reason()),
        Finding::Failed(error) => format!("{judged} ({}: {error})", error.reason()),
        _ => judged,
    }
}

pub(crate) fn run(args: Args, json_out: bool) -> Result<Report, String> {
    let token = text_or_stdin(&args.token)?;
    let now = args
        .now
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64));
    let keyed = args.dev || args.with_env_keys || args.current_key.is_some();
    let receiver = if keyed {
        Some(receiver(args.current_key.as_deref(), args.next_key.as_deref(), args.dev)?)
    } else {
        None
    };
    // Every rule is the core's; only the showing of the claims is this command's.
    let explanation = explain(token.as_bytes(), receiver.as_ref(), None, None, now, 0);
    let header: Option<Value> = explanation.header.as_deref().and_then(|h| serde_json::from_str(h).ok());
    let claims: Option<Value> = explanation.payload.as_deref().and_then(|p| serde_json::from_str(p).ok());
    let checks: Vec<(&'static str, Option<bool>, String)> = explanation
        .checks
        .iter()
        .map(|check| {
            let ok = match check.finding {
                Finding::Passed => Some(true),
                Finding::Failed(_) => Some(false),
                _ => None,
            };
            (check.rule.describe(), ok, detail(check, &explanation, claims.as_ref(), now, keyed))
        })
        .collect();
    let failed = explanation.verdict().is_err();
    let text = if json_out {
        json!({
            "header": header,
            "claims": claims,
            "checks": checks.iter().map(|(name, ok, detail)| json!({ "check": name, "ok": ok, "detail": detail })).collect::<Vec<_>>(),
            "ok": !failed,
        })
        .to_string()
    } else {
        let mut out = String::new();
        out.push_str(&format!("header: {}\n", header.map_or("(undecodable)".into(), |h| h.to_string())));
        out.push_str("claims:\n");
        if let Some(Value::Object(map)) = &claims {
            for (name, value) in map {
                let shown = match (name.as_str(), value.as_f64()) {
                    ("exp" | "nbf" | "iat", Some(t)) => when(t, now),
                    _ => value.to_string(),
                };
                out.push_str(&format!("  {name:<5} {shown}\n"));
            }
        } else {
            out.push_str("  (undecodable)\n");
        }
        out.push_str("checks:\n");
        for (name, ok, detail) in &checks {
            let mark = match ok {
                Some(true) => "ok  ",
                Some(false) => "FAIL",
                None => "--  ",
            };
            out.push_str(&format!("  [{mark}] {name:<40} {detail}\n"));
        }
        out.trim_end().to_owned()
    };
    Ok(if failed { Report::Invalid(text) } else { Report::Ok(text) })
}
