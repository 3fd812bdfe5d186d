//! `qstash-kit inspect`: what a token says and which checks it would pass, without keys.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qstash_core::Request;
use serde_json::{Value, json};

use crate::Outcome;
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

/// One check and how it went.
struct Check {
    name: &'static str,
    ok: Option<bool>,
    detail: String,
}

fn check(name: &'static str, ok: bool, detail: impl Into<String>) -> Check {
    Check { name, ok: Some(ok), detail: detail.into() }
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

fn decode(segment: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD.decode(segment).map_err(|e| format!("not canonical unpadded base64url: {e}"))
}

pub(crate) fn run(args: Args, json_out: bool) -> Result<Outcome, String> {
    let token = text_or_stdin(&args.token)?;
    let now = args
        .now
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64));
    let mut checks = Vec::new();
    let segments: Vec<&str> = token.split('.').collect();
    checks.push(check("three segments", segments.len() == 3, format!("{} found", segments.len())));
    let part = |i: usize| segments.get(i).copied().unwrap_or_default();
    let header = decode(part(0));
    let payload = decode(part(1));
    let signature = decode(part(2));
    let header: Option<Value> = match &header {
        Ok(bytes) => serde_json::from_slice(bytes).ok(),
        Err(e) => {
            checks.push(check("header encoding", false, e.clone()));
            None
        }
    };
    let claims: Option<Value> = match &payload {
        Ok(bytes) => serde_json::from_slice(bytes).ok(),
        Err(e) => {
            checks.push(check("payload encoding", false, e.clone()));
            None
        }
    };
    match &signature {
        Ok(bytes) => checks.push(check(
            "signature length",
            bytes.len() == 32,
            format!("{} bytes (HS256: 32)", bytes.len()),
        )),
        Err(e) => checks.push(check("signature encoding", false, e.clone())),
    }
    let alg = header.as_ref().and_then(|h| h.get("alg")).cloned().unwrap_or(Value::Null);
    checks.push(check("alg is HS256", alg == json!("HS256"), format!("alg = {alg}")));
    let claim = |name: &str| claims.as_ref().and_then(|c| c.get(name)).cloned().unwrap_or(Value::Null);
    let iss = claim("iss");
    checks.push(check("issuer", iss == json!("Upstash"), format!("iss = {iss}")));
    match claim("exp").as_f64() {
        Some(exp) => checks.push(check("not expired", exp > now as f64, format!("exp = {}", when(exp, now)))),
        None => checks.push(check("not expired", false, "exp missing or not a number")),
    }
    match claim("nbf").as_f64() {
        Some(nbf) => {
            checks.push(check("already valid", nbf <= now as f64, format!("nbf = {}", when(nbf, now))))
        }
        None => checks.push(check("already valid", false, "nbf missing or not a number")),
    }
    if let Some(iat) = claim("iat").as_f64() {
        checks.push(check("issued in the past", iat <= now as f64, format!("iat = {}", when(iat, now))));
    }
    let sub = claim("sub");
    checks.push(check("subject is a URL string", sub.is_string(), format!("sub = {sub}")));
    let body = claim("body");
    let body_ok = body.as_str().is_some_and(|b| b.trim_end_matches('=').len() == 43);
    checks.push(check("body hash present", body_ok, format!("body = {body}")));

    let keys = args.dev || args.with_env_keys || args.current_key.is_some();
    if keys {
        let receiver = receiver(args.current_key.as_deref(), args.next_key.as_deref(), args.dev)?;
        let verdict = receiver.verify_token_at(&Request::new(&token, &[]), now);
        checks.push(match verdict {
            Ok(t) => {
                check("signature and claims (keys given)", true, format!("verified for {}", t.claims().sub()))
            }
            Err(e) => check("signature and claims (keys given)", false, format!("{}: {e}", e.reason())),
        });
    } else {
        checks.push(Check {
            name: "signature",
            ok: None,
            detail: "not checked: needs keys (--current-key/--next-key, --dev or --with-env-keys)".into(),
        });
    }

    let failed = checks.iter().any(|c| c.ok == Some(false));
    let text = if json_out {
        json!({
            "header": header,
            "claims": claims,
            "checks": checks.iter().map(|c| json!({ "check": c.name, "ok": c.ok, "detail": c.detail })).collect::<Vec<_>>(),
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
        for c in &checks {
            let mark = match c.ok {
                Some(true) => "ok  ",
                Some(false) => "FAIL",
                None => "--  ",
            };
            out.push_str(&format!("  [{mark}] {:<34} {}\n", c.name, c.detail));
        }
        out.trim_end().to_owned()
    };
    Ok(if failed { Outcome::Invalid(text) } else { Outcome::Ok(text) })
}
