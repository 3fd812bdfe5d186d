//! `redis-fixture tls|cluster`: starts a TLS-only `redis-server` (certificates generated) or a
//! Redis Cluster of three masters for the Python and Node replay tests, prints one JSON line
//! saying where it is (`{"url"}` and the PEM files, or `{"nodes"}`) once it is ready, and
//! stops everything when its standard input closes (the test ending, however it ends).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support: a panic is a failed check

use std::io::Read;

use qstash_testkit::redis_servers::{RedisCluster, TlsRedis};
use serde_json::json;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let (ready, servers): (serde_json::Value, Box<dyn std::any::Any>) = match mode.as_str() {
        "tls" => {
            let redis = TlsRedis::start();
            let files = redis.certificates();
            let ready = json!({
                "url": redis.url(), "wrong_name_url": redis.wrong_name_url(),
                "ca_file": files.ca, "client_cert_file": files.client_cert, "client_key_file": files.client_key,
                "other_ca_file": files.other_ca,
            });
            (ready, Box::new(redis))
        }
        "cluster" => {
            let cluster = RedisCluster::start();
            (json!({ "nodes": cluster.urls() }), Box::new(cluster))
        }
        _ => {
            eprintln!("usage: redis-fixture tls|cluster");
            std::process::exit(2);
        }
    };
    println!("{ready}");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(servers);
}
