//! `vectors/deliveries.json`, the table of deliveries every implementation runs, through the
//! gate's verification as the bindings drive it: statuses, outcomes and log lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use qstash_core::{Receiver, Signer};
use qstash_gate::IndexedHead;
use qstash_gate::bindings::{GateOptions, Number, OutcomeView, Step, StoreOptions, StoreReply, Verification};
use qstash_gate::replay::MemoryReplayGuard;
use serde_json::Value;

fn table() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/deliveries.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// What one delivery came to: status, outcome and the lines logged, as the table writes them.
fn observed(status: u16, outcome: &OutcomeView, log: Vec<(String, String)>) -> Value {
    serde_json::json!({
        "status": status,
        "outcome": [outcome.outcome, outcome.reason, outcome.key, outcome.region],
        "log": log.into_iter().map(|(level, line)| [level, line]).collect::<Vec<_>>(),
    })
}

/// The gate a case describes, and every outcome its hook is handed.
fn gate_of(case: &Value) -> (qstash_gate::Gate, Arc<Mutex<Vec<OutcomeView>>>) {
    let options = &case["options"];
    let replay = case["replay"].as_str();
    let mut gate_options = GateOptions::default();
    gate_options.body_limit = options["body_limit"].as_f64().map(Number::Float);
    gate_options.log_level = options["log_level"].as_str().map(String::from);
    if matches!(replay, Some("store" | "failing_store")) {
        let mut store = StoreOptions::default();
        store.fail_open = case["fail_open"].as_bool();
        gate_options.replay_store = Some(store);
    }
    let memory = (replay == Some("memory")).then(|| Arc::new(MemoryReplayGuard::new(64)));
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&outcomes);
    let gate = gate_options
        .build(Receiver::dev().into(), memory, None)
        .unwrap()
        .with_outcome_hook(move |outcome| sink.lock().unwrap().push(OutcomeView::from(outcome)));
    (gate, outcomes)
}

#[test]
fn every_case_of_the_shared_delivery_table() {
    let table = table();
    let url = table["url"].as_str().unwrap();
    let signed_body = table["body"].as_str().unwrap();
    let message_id = table["message_id"].as_str().unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12, "the table's cases, every one run here");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let replay = case["replay"].as_str();
        let (gate, outcomes) = gate_of(case);
        let mut claimed = HashSet::new();
        let mut previous = String::new();
        let mut results = Vec::new();
        for delivery in case["deliveries"].as_array().unwrap() {
            let now = qstash_core::clock::now();
            let signer = if delivery["key"] == "next" { Signer::dev_next() } else { Signer::dev() };
            let token = match delivery["token"].as_str().unwrap() {
                "fresh" => Some(signer.token(url, signed_body.as_bytes()).sign_at(now)),
                "expired" => {
                    Some(signer.token(url, signed_body.as_bytes()).issued_at(now - 1000).sign_at(now))
                }
                "again" => Some(previous.clone()),
                _ => None,
            };
            previous = token.clone().unwrap_or_default();
            let path = delivery["path"].as_str().unwrap_or("/api/qstash");
            let body = delivery["send_body"].as_str().unwrap_or(signed_body);
            let mut head = IndexedHead::new(path.to_owned());
            if let Some(token) = token {
                head.push("upstash-signature", token.into_bytes().into());
            }
            head.push("upstash-message-id", message_id.as_bytes().to_vec().into());
            let step = match Verification::begin(&gate, head) {
                Err(refusal) => Step::Refused(refusal),
                Ok(mut verification) => match verification.update(body.as_bytes()) {
                    Err(refusal) => Step::Refused(refusal),
                    Ok(()) => match verification.finish() {
                        Step::Ask(claim) => verification.answer(match replay {
                            Some("failing_store") => StoreReply::Failed("connection reset".into()),
                            _ if claimed.insert(claim.id.clone()) => StoreReply::Fresh,
                            _ => StoreReply::Seen,
                        }),
                        step => step,
                    },
                },
            };
            let mut log = Vec::new();
            results.push(match step {
                Step::Accepted(accepted) => {
                    log.extend(accepted.note.map(|note| (note.level.to_owned(), note.message)));
                    observed(200, &accepted.outcome, log)
                }
                Step::Refused(refusal) => {
                    log.extend(refusal.note.map(|note| (note.level.to_owned(), note.message)));
                    log.push((refusal.log_level.to_owned(), refusal.log_message));
                    observed(refusal.status, &refusal.outcome, log)
                }
                other => panic!("{name}: the gate stopped at {other:?}"),
            });
        }
        assert_eq!(Value::Array(results), case["expect"], "{name}");
        // The hook saw each outcome once, the same the steps carried, with the message id.
        let hooked: Vec<Value> = outcomes
            .lock()
            .unwrap()
            .iter()
            .inspect(|o| assert_eq!(o.message_id.as_deref(), Some(message_id), "{name}"))
            .map(|o| serde_json::json!([o.outcome, o.reason, o.key, o.region]))
            .collect();
        let expected: Vec<Value> =
            case["expect"].as_array().unwrap().iter().map(|e| e["outcome"].clone()).collect();
        assert_eq!(hooked, expected, "{name}: the hook");
    }
}
