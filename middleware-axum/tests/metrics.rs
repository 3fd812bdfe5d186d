//! Every delivery's outcome, counted at the gate, read the way an operator reads it: a real
//! Prometheus exporter (`metrics-exporter-prometheus`) installed as the `metrics` recorder, its
//! page served by the app and scraped over HTTP after a valid, a tampered, an expired, a
//! replayed and a next-key delivery; the outcome hook sees the same outcomes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusBuilder;
use qstash_axum::{QStashConfig, QStashLayer, VerifiedMessage};
use qstash_core::{Receiver, Signer};
use qstash_gate::replay::MemoryReplayGuard;

async fn hook(_: VerifiedMessage, body: Bytes) -> Bytes {
    body
}

/// The value of the sample `name{labels}` on a Prometheus page (labels in any order).
fn sample(page: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    page.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, rest) = series.split_once('{').unwrap_or((series, "}"));
        let found = metric == name
            && labels
                .iter()
                .all(|(k, v)| rest.trim_end_matches('}').split(',').any(|p| p == format!("{k}=\"{v}\"")));
        found.then(|| value.parse().unwrap())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prometheus_scrape_shows_every_outcome_by_reason_key_and_region() {
    let prometheus =
        PrometheusBuilder::new().install_recorder().expect("the only recorder of this test binary");
    let seen: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let record = seen.clone();
    let config =
        QStashConfig::new(Receiver::dev()).replay_guard(MemoryReplayGuard::new(100)).on_outcome(move |o| {
            let row = (o.verdict.as_str().to_owned(), o.reason.to_owned(), o.key_label().to_owned());
            record.lock().unwrap().push(row);
        });
    let app = Router::new()
        .route("/hook", post(hook))
        .route_layer(QStashLayer::new(config))
        .route("/metrics", get(move || std::future::ready(prometheus.render())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let http = reqwest::Client::new();
    let url = format!("{base}/hook");
    let deliver = |token: String, body: &'static str| {
        let request = http.post(&url).header("upstash-signature", token).body(body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let now = qstash_core::clock::now();
    let valid = Signer::dev().token(&url, b"{}").sign();
    assert_eq!(deliver(valid.clone(), "{}").await, 200);
    assert_eq!(deliver(valid, "{}").await, 401, "replayed");
    assert_eq!(deliver(Signer::dev().token(&url, b"{}").sign(), "{\"x\":1}").await, 401, "tampered");
    let expired = Signer::dev().token(&url, b"{}").issued_at(now - 600).expires_at(now - 300).sign();
    assert_eq!(deliver(expired, "{}").await, 401, "expired");
    assert_eq!(deliver(Signer::dev_next().token(&url, b"{}").sign(), "{}").await, 200, "next key");

    let page = http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    let count = |outcome: &str, reason: &str, key: &str, region: &str| {
        let labels = [("outcome", outcome), ("reason", reason), ("key", key), ("region", region)];
        sample(&page, "qstash_deliveries_total", &labels)
    };
    assert_eq!(count("accepted", "none", "current", "default"), Some(1.0), "{page}");
    assert_eq!(count("accepted", "none", "next", "default"), Some(1.0), "{page}");
    assert_eq!(count("rejected", "replayed", "none", "none"), Some(1.0), "{page}");
    assert_eq!(count("rejected", "body", "none", "none"), Some(1.0), "{page}");
    assert_eq!(count("rejected", "expired", "none", "none"), Some(1.0), "{page}");
    // The verification time of all five, as a summary of the histogram.
    assert_eq!(sample(&page, "qstash_verify_duration_seconds_count", &[]), Some(5.0), "{page}");

    let seen = seen.lock().unwrap().clone();
    let reasons: Vec<(&str, &str, &str)> =
        seen.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    assert_eq!(
        reasons,
        [
            ("accepted", "none", "current"),
            ("rejected", "replayed", "none"),
            ("rejected", "body", "none"),
            ("rejected", "expired", "none"),
            ("accepted", "none", "next"),
        ]
    );
}
