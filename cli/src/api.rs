//! What every command that talks to the QStash API shares: where to connect, with which
//! token, and how the answer is printed.

use std::future::Future;
use std::time::{Duration, UNIX_EPOCH};

use qstash_client::{Client, ClientConfig, ClientError, RetryPolicy, parse_duration};
use qstash_core::Region;
use serde::Serialize;

use crate::Report;
use crate::failure::Failure;
use crate::input::secret_from;

/// Connection flags. Flags win over the environment; without them the variables of the
/// official SDKs apply (see the `--help` of the top command).
#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Connection")]
pub(crate) struct ApiArgs {
    /// The QStash token [default: QSTASH_TOKEN, or {REGION}_QSTASH_TOKEN with QSTASH_REGION].
    /// A flag shows in `ps` and shell history: prefer the environment or --token-file.
    #[arg(long, global = true)]
    token: Option<String>,
    /// Read the QStash token from this file (`-` for stdin).
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "token")]
    token_file: Option<String>,
    /// The API base URL [default: QSTASH_URL, the region's URL, else <https://qstash.upstash.io>].
    #[arg(long, global = true)]
    api_url: Option<String>,
    /// The QStash region to talk to: eu-central-1 or us-east-1 (its built-in API URL, and
    /// {REGION}_QSTASH_TOKEN unless --token is given).
    #[arg(long, global = true, value_parser = region)]
    region: Option<Region>,
    /// Do not retry on 429, 5xx or connection errors.
    #[arg(long, global = true)]
    no_retry: bool,
    /// How long opening a connection may take (e.g. 10s).
    #[arg(long, global = true, value_parser = parse_duration, default_value = "10s")]
    connect_timeout: Duration,
    /// How long one request may take from start to end (e.g. 30s).
    #[arg(long, global = true, value_parser = parse_duration, default_value = "30s")]
    request_timeout: Duration,
}

fn region(name: &str) -> Result<Region, String> {
    Region::parse(name)
        .filter(|r| Region::KNOWN.contains(r))
        .ok_or_else(|| format!("{name:?} is not a QStash region (eu-central-1, us-east-1)"))
}

impl ApiArgs {
    /// The client these flags describe, the environment filling the gaps.
    pub(crate) fn client(&self) -> Result<Client, Failure> {
        let token = match &self.token_file {
            Some(path) => Some(secret_from(path, "QStash token")?),
            None => self.token.clone(),
        };
        let config = ClientConfig {
            token,
            base_url: self.api_url.clone(),
            region: self.region,
            retry: self.no_retry.then(RetryPolicy::none),
            connect_timeout: Some(self.connect_timeout),
            timeout: Some(self.request_timeout),
        };
        Ok(Client::from_config(config)?)
    }
}

/// Runs one API call to completion on a single-threaded runtime.
pub(crate) fn block_on<T>(call: impl Future<Output = Result<T, Failure>>) -> Result<T, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))?;
    runtime.block_on(call)
}

/// An API area: its subcommands and the connection flags.
#[derive(clap::Args, Debug)]
pub(crate) struct Area<C: clap::Subcommand> {
    #[command(subcommand)]
    pub(crate) command: C,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

/// Runs a call that answers nothing, then reports `what` it did.
pub(crate) fn act(
    json: bool,
    call: impl Future<Output = Result<(), ClientError>>,
    what: String,
) -> Result<Report, Failure> {
    block_on(async { Ok(call.await?) })?;
    done(json, &what)
}

/// `value` as JSON with `--json`, else as the text `human` makes of it.
pub(crate) fn show<T: Serialize>(
    json: bool,
    value: &T,
    human: impl FnOnce(&T) -> String,
) -> Result<Report, Failure> {
    if json {
        let text = serde_json::to_string(value).map_err(|e| format!("printing the answer: {e}"))?;
        return Ok(Report::Ok(text));
    }
    Ok(Report::Ok(human(value)))
}

/// What a call that answers nothing did, as text or as `{"ok": true, …}`.
pub(crate) fn done(json: bool, what: &str) -> Result<Report, Failure> {
    show(json, &serde_json::json!({ "ok": true, "done": what }), |_| what.to_owned())
}

/// The fields of the API's answers that hold a time in Unix milliseconds.
const TIME_FIELDS: &[&str] = &[
    "time",
    "createdAt",
    "updatedAt",
    "notBefore",
    "nextDeliveryTime",
    "lastScheduleTime",
    "nextScheduleTime",
];

/// A field's value as people read it: strings as they are, the API's millisecond times as UTC
/// times (`2026-12-02T22:14:21.100Z`), anything else as JSON. `--json` keeps the numbers.
fn shown(name: &str, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if TIME_FIELDS.contains(&name) => n
            .as_u64()
            // Times past the year 9999 are not dates RFC 3339 can write: shown as numbers.
            .filter(|&millis| millis < 253_402_300_800_000)
            .map(|millis| {
                humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(millis)).to_string()
            })
            .unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    }
}

/// The non-null top-level fields of `value`, one `name: value` line each.
pub(crate) fn fields(value: &impl Serialize) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(value) else { return String::new() };
    map.iter()
        .filter(|(_, v)| !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty()))
        .map(|(k, v)| format!("{k}: {}", shown(k, v)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rows of `columns` taken from each item, aligned, under a header line.
pub(crate) fn table<T: Serialize>(items: &[T], columns: &[&str]) -> String {
    if items.is_empty() {
        return "(none)".to_owned();
    }
    let cell = |column: &str, v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "-".to_owned(),
        Some(value) => shown(column, value),
    };
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            let value = serde_json::to_value(item).unwrap_or_default();
            columns.iter().map(|c| cell(c, value.get(*c))).collect()
        })
        .collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| rows.iter().map(|r| r[i].len()).chain([columns[i].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(columns.iter().map(|c| (*c).to_owned()).collect())];
    out.extend(rows.into_iter().map(line));
    out.join("\n")
}
