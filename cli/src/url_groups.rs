//! `qstash-kit url-groups`: fan-out to several endpoints.

use clap::Subcommand;
use qstash_client::{Endpoint, UrlGroup};

use crate::Report;
use crate::api::{Area, act, block_on, show, table};
use crate::failure::Failure;

/// The subcommands, with the connection flags.
pub(crate) type Args = Area<Command>;

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Add endpoints (creating the group if needed).
    AddEndpoints {
        /// The URL group name.
        name: String,
        /// Endpoint URLs, or `name=url` to name one.
        #[arg(required = true)]
        endpoints: Vec<String>,
    },
    /// Remove endpoints by URL or name.
    RemoveEndpoints {
        /// The URL group name.
        name: String,
        /// An endpoint URL to remove (repeatable).
        #[arg(long = "url")]
        urls: Vec<String>,
        /// An endpoint name to remove (repeatable).
        #[arg(long = "name")]
        names: Vec<String>,
    },
    /// Show one URL group and its endpoints.
    Get {
        /// The URL group name.
        name: String,
    },
    /// List every URL group.
    List,
    /// Delete a URL group.
    Delete {
        /// The URL group name.
        name: String,
    },
}

/// `url` or `name=url`.
fn endpoint(raw: &str) -> Endpoint {
    match raw.split_once('=') {
        Some((name, url)) if !name.contains("://") => Endpoint::url(url).named(name),
        _ => Endpoint::url(raw),
    }
}

fn describe(group: &UrlGroup) -> String {
    let mut text = format!("name: {}\nendpoints:", group.name);
    for e in &group.endpoints {
        text.push_str(&format!(
            "\n  {} {}",
            e.name.as_deref().unwrap_or("-"),
            e.url.as_deref().unwrap_or("-")
        ));
    }
    text
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let client = args.api.client()?;
    let groups = client.url_groups();
    match args.command {
        Command::AddEndpoints { name, endpoints } => {
            let endpoints: Vec<Endpoint> = endpoints.iter().map(|e| endpoint(e)).collect();
            let what = format!("added {} endpoint(s) to {name}", endpoints.len());
            act(json, groups.upsert_endpoints(&name, &endpoints), what)
        }
        Command::RemoveEndpoints { name, urls, names } => {
            let endpoints: Vec<Endpoint> = urls
                .into_iter()
                .map(Endpoint::url)
                .chain(names.into_iter().map(|n| Endpoint { name: Some(n), url: None }))
                .collect();
            if endpoints.is_empty() {
                return Err("name endpoints to remove with --url or --name".into());
            }
            let what = format!("removed {} endpoint(s) from {name}", endpoints.len());
            act(json, groups.remove_endpoints(&name, &endpoints), what)
        }
        Command::Get { name } => show(json, &block_on(async { Ok(groups.get(&name).await?) })?, describe),
        Command::List => show(json, &block_on(async { Ok(groups.list().await?) })?, |list| {
            let rows: Vec<serde_json::Value> = list
                .iter()
                .map(|g| serde_json::json!({ "name": g.name, "endpoints": g.endpoints.len() }))
                .collect();
            table(&rows, &["name", "endpoints"])
        }),
        Command::Delete { name } => act(json, groups.delete(&name), format!("deleted {name}")),
    }
}
