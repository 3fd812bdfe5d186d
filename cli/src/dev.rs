//! `qstash-kit dev`: a local QStash (qstash-dev) with the official dev server's token and keys.

use crate::Outcome;
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
}

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))?;
    runtime.block_on(async {
        let mut builder = qstash_dev::DevServer::builder().host(args.host).port(args.port);
        if args.fast_retries {
            builder = builder.fast_retries();
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
                 can sign with.\n# Never set it where real deliveries arrive.",
                url = server.url(),
                token = server.token(),
                port = server.port(),
            ));
        }
        tokio::signal::ctrl_c().await.map_err(|e| format!("waiting for Ctrl-C: {e}"))?;
        server.shutdown().await;
        Ok(Outcome::Ok("stopped".to_owned()))
    })
}
