//! `qstash-kit dev`: a local QStash (qstash-dev) with the official dev server's token and keys.

use std::ffi::OsString;

use crate::Report;
use crate::failure::Failure;
use crate::output;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The port to listen on.
    #[arg(long, env = "QSTASH_DEV_PORT", default_value_t = 8080)]
    port: u16,
    /// The address to listen on. On loopback (the default) only requests for `localhost`,
    /// `127.0.0.1` or `[::1]` are answered, so no web page reaches the API through a rebound
    /// DNS name; `0.0.0.0` (in a container) serves every name.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Retry failed deliveries after milliseconds instead of QStash's seconds to a day.
    #[arg(long)]
    fast_retries: bool,
    /// Keep the state (messages, schedules, URL groups, queues, the DLQ, logs, keys) in this
    /// SQLite file, so a restart loses nothing; without it, memory only.
    #[arg(long, value_name = "FILE")]
    data: Option<std::path::PathBuf>,
    /// Messages waiting for delivery at most, per user; past it a publish is a 429.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..))]
    max_messages: u32,
    /// Megabytes of message bodies held at most (waiting and in the DLQ), per user.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    max_stored_mb: u32,
}

/// The official dev server's flag (`-port=8081`, `-port 8081`, as its docs write it) after
/// `dev`, spelled `--port` so a command copied from those docs works unchanged.
pub(crate) fn official_flag_form(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut after_dev = false;
    args.into_iter()
        .map(|arg| {
            let official = after_dev && arg.to_str().is_some_and(|a| a == "-port" || a.starts_with("-port="));
            after_dev |= arg == "dev";
            if official {
                let mut long = OsString::from("-");
                long.push(&arg);
                long
            } else {
                arg
            }
        })
        .collect()
}

/// Waits for Ctrl-C, or (on Unix) SIGTERM as `docker stop` and service managers send: either
/// way the server stops cleanly and `--data` is saved.
async fn stopped() -> Result<(), String> {
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| format!("waiting for SIGTERM: {e}"))?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.map_err(|e| format!("waiting for Ctrl-C: {e}")),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.map_err(|e| format!("waiting for Ctrl-C: {e}"))
}

/// The test users' variables, one commented block each.
fn test_users() -> String {
    let mut text = String::new();
    for (number, user) in qstash_dev::DEV_USERS.iter().enumerate().skip(1) {
        text.push_str(&format!(
            "#   user {n}: QSTASH_TOKEN={token} QSTASH_CURRENT_SIGNING_KEY={current} \
             QSTASH_NEXT_SIGNING_KEY={next}\n",
            n = number + 1,
            token = user.token,
            current = user.current_signing_key,
            next = user.next_signing_key,
        ));
    }
    text
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))?;
    runtime.block_on(async {
        let limits = qstash_dev::Limits::default()
            .messages(usize::try_from(args.max_messages).unwrap_or(usize::MAX))
            .stored_bytes(usize::try_from(u64::from(args.max_stored_mb) << 20).unwrap_or(usize::MAX));
        let mut builder = qstash_dev::DevServer::builder().host(args.host).port(args.port).limits(limits);
        if args.fast_retries {
            builder = builder.fast_retries();
        }
        if let Some(path) = &args.data {
            builder = builder.data(path);
        }
        let server = builder
            .start()
            .await
            .map_err(|e| format!("listening on {}: {e}", std::net::SocketAddr::new(args.host, args.port)))?;
        let (current, next) = server.signing_keys();
        if json {
            output::out(
                &serde_json::json!({
                    "QSTASH_URL": server.url(), "QSTASH_TOKEN": server.token(),
                    "QSTASH_CURRENT_SIGNING_KEY": current, "QSTASH_NEXT_SIGNING_KEY": next,
                    "QSTASH_DEV": "1", "QSTASH_DEV_PORT": server.port().to_string(),
                    "users": qstash_dev::DEV_USERS.iter().map(|user| serde_json::json!({
                        "QSTASH_TOKEN": user.token,
                        "QSTASH_CURRENT_SIGNING_KEY": user.current_signing_key,
                        "QSTASH_NEXT_SIGNING_KEY": user.next_signing_key,
                    })).collect::<Vec<_>>(),
                })
                .to_string(),
            );
        } else {
            output::out(&format!(
                "QStash dev server on {url} (Ctrl-C stops it). For your app:\n\n\
                 export QSTASH_URL={url}\n\
                 export QSTASH_TOKEN={token}\n\
                 export QSTASH_CURRENT_SIGNING_KEY={current}\n\
                 export QSTASH_NEXT_SIGNING_KEY={next}\n\
                 export QSTASH_DEV=1 QSTASH_DEV_PORT={port}\n\n\
                 # QSTASH_DEV=1 is development mode: receivers accept these public keys, which anyone \
                 can sign with.\n# Never set it where real deliveries arrive.\n\n\
                 # The official dev server's test users are served too, each its own account:\n{users}",
                url = server.url(),
                token = server.token(),
                port = server.port(),
                users = test_users(),
            ));
        }
        stopped().await?;
        server.shutdown().await;
        Ok(Report::Ok("stopped".to_owned()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled(args: &[&str]) -> Vec<OsString> {
        official_flag_form(args.iter().map(OsString::from))
    }

    #[test]
    fn the_limit_flags_default_to_the_dev_servers_limits() {
        let limits = qstash_dev::Limits::default();
        let args = <Args as clap::Args>::augment_args(clap::Command::new("dev")).get_matches_from(["dev"]);
        assert_eq!(args.get_one::<u32>("max_messages").map(|n| *n as usize), Some(limits.messages));
        assert_eq!(
            args.get_one::<u32>("max_stored_mb").map(|n| (*n as usize) << 20),
            Some(limits.stored_bytes)
        );
    }

    #[test]
    fn the_official_dev_servers_port_flag_is_read_as_port() {
        assert_eq!(spelled(&["qstash-kit", "dev", "-port=8081"]), ["qstash-kit", "dev", "--port=8081"]);
        assert_eq!(spelled(&["qstash-kit", "dev", "-port", "8081"]), ["qstash-kit", "dev", "--port", "8081"]);
        assert_eq!(spelled(&["qstash-kit", "-port=1", "dev"]), ["qstash-kit", "-port=1", "dev"]);
        assert_eq!(spelled(&["qstash-kit", "dev", "--port=8081"]), ["qstash-kit", "dev", "--port=8081"]);
    }
}
