//! Key pairs, regions, `from_env` (SPEC.md §4) and key rotation under load.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use qstash_core::{ConfigError, KeyPair, Receiver, Region, Request, SharedReceiver, Signer, VerifyError};
use support::*;

const EU_CURRENT: &str = "sig_euCurrentKey333333333333";
const EU_NEXT: &str = "sig_euNextKey4444444444444444";

fn signed(key: &str) -> String {
    token_with(key, HEADER, &payload("", &[]))
}

fn check(
    receiver: &Receiver,
    token: &str,
    region: Option<&str>,
) -> Result<qstash_core::Verified, VerifyError> {
    let mut request = Request::new(token, BODY).url(URL);
    if let Some(region) = region {
        request = request.region(region);
    }
    receiver.verify_at(&request, NOW)
}

fn regional() -> Receiver {
    Receiver::builder()
        .keys(KeyPair::new(CURRENT, NEXT).unwrap())
        .region("eu-central-1", KeyPair::new(EU_CURRENT, EU_NEXT).unwrap())
        .build()
        .unwrap()
}

#[test]
fn region_header_picks_that_regions_pair_after_normalising() {
    let r = regional();
    for header in ["EU_CENTRAL_1", "eu-central-1", "Eu-Central_1"] {
        let v = check(&r, &signed(EU_CURRENT), Some(header)).unwrap();
        assert_eq!(v.region, Some(Region::EU_CENTRAL_1));
        assert_eq!(check(&r, &signed(CURRENT), Some(header)).unwrap_err(), VerifyError::Signature);
    }
    assert_eq!(check(&r, &signed(EU_NEXT), Some("EU_CENTRAL_1")).unwrap().key, qstash_core::KeyUsed::Next);
}

#[test]
fn unconfigured_or_unparseable_region_falls_back_to_the_default_pair() {
    let r = regional();
    for header in ["US_EAST_1", "ap-south-1", "not a region!", ""] {
        let v = check(&r, &signed(CURRENT), Some(header)).unwrap();
        assert_eq!(v.region, None, "{header:?}");
    }
    assert!(check(&r, &signed(CURRENT), None).is_ok());
}

#[test]
fn request_without_a_usable_pair_is_no_keys() {
    let only_eu = Receiver::builder()
        .region("EU_CENTRAL_1", KeyPair::new(EU_CURRENT, EU_NEXT).unwrap())
        .build()
        .unwrap();
    assert_eq!(check(&only_eu, &signed(EU_CURRENT), None).unwrap_err().reason(), "no_keys");
    assert_eq!(check(&only_eu, &signed(EU_CURRENT), Some("US_EAST_1")).unwrap_err().reason(), "no_keys");
    assert!(check(&only_eu, &signed(EU_CURRENT), Some("eu-central-1")).is_ok());
}

#[test]
fn other_region_names_work_when_configured() {
    let r = Receiver::builder()
        .region("ap-southeast-2", KeyPair::new(EU_CURRENT, EU_NEXT).unwrap())
        .build()
        .unwrap();
    assert_eq!(
        check(&r, &signed(EU_CURRENT), Some("AP_SOUTHEAST_2")).unwrap().region.unwrap().as_str(),
        "AP_SOUTHEAST_2"
    );
}

#[test]
fn builder_refuses_invalid_regions_too_many_regions_and_no_keys() {
    let pair = || KeyPair::new(CURRENT, NEXT).unwrap();
    assert_eq!(
        Receiver::builder().region("us east", pair()).build().unwrap_err(),
        ConfigError::InvalidRegion
    );
    let mut b = Receiver::builder();
    for i in 0..=qstash_core::MAX_REGIONS {
        b = b.region(&format!("R{i}"), pair());
    }
    assert_eq!(b.build().unwrap_err(), ConfigError::TooManyRegions);
    assert_eq!(Receiver::builder().build().unwrap_err(), ConfigError::NoKeys);
    // Re-adding a region replaces it instead of using a second slot.
    let mut b = Receiver::builder();
    for _ in 0..=qstash_core::MAX_REGIONS {
        b = b.region("US_EAST_1", pair());
    }
    assert!(b.build().is_ok());
}

#[test]
fn receiver_new_refuses_empty_and_dev_keys() {
    assert_eq!(Receiver::new("", NEXT).unwrap_err(), ConfigError::EmptyKey { which: "current" });
    assert_eq!(Receiver::new(CURRENT, "").unwrap_err(), ConfigError::EmptyKey { which: "next" });
    let err =
        Receiver::new(qstash_core::DEV_CURRENT_SIGNING_KEY, qstash_core::DEV_NEXT_SIGNING_KEY).unwrap_err();
    assert!(err.to_string().contains("dev()"));
    assert_eq!(err.reason(), "config");
}

#[test]
fn dev_receiver_accepts_dev_signer_tokens() {
    let token = Signer::dev().token(URL, BODY).sign_at(NOW);
    assert!(Receiver::dev().verify_at(&Request::new(&token, BODY).url(URL), NOW).is_ok());
}

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

#[test]
fn from_env_reads_the_default_pair() {
    let r = Receiver::from_vars(vars(&[
        ("QSTASH_CURRENT_SIGNING_KEY", CURRENT),
        ("QSTASH_NEXT_SIGNING_KEY", NEXT),
    ]))
    .unwrap();
    assert!(check(&r, &signed(CURRENT), None).is_ok());
    assert!(check(&r, &signed(NEXT), None).is_ok());
}

#[test]
fn from_env_with_nothing_set_names_the_missing_variable() {
    let err = Receiver::from_vars(vars(&[])).unwrap_err();
    assert_eq!(err, ConfigError::MissingEnv { name: "QSTASH_CURRENT_SIGNING_KEY" });
    let err = Receiver::from_vars(vars(&[("QSTASH_CURRENT_SIGNING_KEY", CURRENT)])).unwrap_err();
    assert_eq!(err, ConfigError::MissingEnv { name: "QSTASH_NEXT_SIGNING_KEY" });
    let err =
        Receiver::from_vars(vars(&[("QSTASH_CURRENT_SIGNING_KEY", ""), ("QSTASH_NEXT_SIGNING_KEY", "")]))
            .unwrap_err();
    assert_eq!(err, ConfigError::MissingEnv { name: "QSTASH_CURRENT_SIGNING_KEY" });
}

#[test]
fn from_env_reads_region_pairs_when_qstash_region_is_set_and_keeps_the_default_pair() {
    let r = Receiver::from_vars(vars(&[
        ("QSTASH_REGION", "us-east-1"),
        ("QSTASH_CURRENT_SIGNING_KEY", CURRENT),
        ("QSTASH_NEXT_SIGNING_KEY", NEXT),
        ("EU_CENTRAL_1_QSTASH_CURRENT_SIGNING_KEY", EU_CURRENT),
        ("EU_CENTRAL_1_QSTASH_NEXT_SIGNING_KEY", EU_NEXT),
        ("US_EAST_1_QSTASH_CURRENT_SIGNING_KEY", "sig_usCurrent"),
    ]))
    .unwrap();
    assert_eq!(
        check(&r, &signed(EU_CURRENT), Some("EU_CENTRAL_1")).unwrap().region,
        Some(Region::EU_CENTRAL_1)
    );
    // US_EAST_1 has only one of its two keys, so it uses the default pair.
    assert_eq!(check(&r, &signed(CURRENT), Some("US_EAST_1")).unwrap().region, None);
    assert!(check(&r, &signed(CURRENT), None).is_ok());
}

#[test]
fn from_env_ignores_region_pairs_without_a_valid_qstash_region() {
    let base = [
        ("EU_CENTRAL_1_QSTASH_CURRENT_SIGNING_KEY", EU_CURRENT),
        ("EU_CENTRAL_1_QSTASH_NEXT_SIGNING_KEY", EU_NEXT),
        ("QSTASH_CURRENT_SIGNING_KEY", CURRENT),
        ("QSTASH_NEXT_SIGNING_KEY", NEXT),
    ];
    for region in [None, Some("mars-1")] {
        let mut all = base.to_vec();
        if let Some(region) = region {
            all.push(("QSTASH_REGION", region));
        }
        let r = Receiver::from_vars(vars(&all)).unwrap();
        assert_eq!(check(&r, &signed(EU_CURRENT), Some("EU_CENTRAL_1")).unwrap_err(), VerifyError::Signature);
    }
}

#[test]
fn from_env_with_only_region_pairs_builds_a_region_only_receiver() {
    let r = Receiver::from_vars(vars(&[
        ("QSTASH_REGION", "EU_CENTRAL_1"),
        ("EU_CENTRAL_1_QSTASH_CURRENT_SIGNING_KEY", EU_CURRENT),
        ("EU_CENTRAL_1_QSTASH_NEXT_SIGNING_KEY", EU_NEXT),
    ]))
    .unwrap();
    assert!(check(&r, &signed(EU_CURRENT), Some("eu-central-1")).is_ok());
    assert_eq!(check(&r, &signed(EU_CURRENT), None).unwrap_err(), VerifyError::NoKeys);
}

#[test]
fn from_env_refuses_the_dev_keys_unless_development_mode_is_on() {
    let dev_keys = [
        ("QSTASH_CURRENT_SIGNING_KEY", qstash_core::DEV_CURRENT_SIGNING_KEY),
        ("QSTASH_NEXT_SIGNING_KEY", qstash_core::DEV_NEXT_SIGNING_KEY),
    ];
    assert_eq!(Receiver::from_vars(vars(&dev_keys)).unwrap_err(), ConfigError::DevKey);
    for off in ["", "0", "false"] {
        let mode = [dev_keys[0], dev_keys[1], ("QSTASH_DEV", off)];
        assert_eq!(Receiver::from_vars(vars(&mode)).unwrap_err(), ConfigError::DevKey, "{off:?}");
    }
}

#[test]
fn development_mode_uses_the_dev_keys_as_qstash_kit_dev_prints_them() {
    let dev_token = Signer::dev().token(URL, BODY).sign_at(NOW);
    let printed = [
        ("QSTASH_DEV", "1"),
        ("QSTASH_CURRENT_SIGNING_KEY", qstash_core::DEV_CURRENT_SIGNING_KEY),
        ("QSTASH_NEXT_SIGNING_KEY", qstash_core::DEV_NEXT_SIGNING_KEY),
    ];
    for variables in [&printed[..], &[("QSTASH_DEV", "true")][..]] {
        let receiver = Receiver::from_vars(vars(variables)).unwrap();
        assert!(receiver.verify_at(&Request::new(&dev_token, BODY).url(URL), NOW).is_ok());
    }
    // Other keys beside it are a contradiction, and a value that is not a switch a mistake.
    let both =
        [("QSTASH_DEV", "1"), ("QSTASH_CURRENT_SIGNING_KEY", CURRENT), ("QSTASH_NEXT_SIGNING_KEY", NEXT)];
    assert_eq!(Receiver::from_vars(vars(&both)).unwrap_err(), ConfigError::DevModeWithKeys);
    assert_eq!(Receiver::from_vars(vars(&[("QSTASH_DEV", "yes")])).unwrap_err(), ConfigError::InvalidDevMode);
    assert!(ConfigError::DevKey.to_string().contains("QSTASH_DEV=1"));
}

#[test]
fn development_mode_beside_region_keys_is_a_configuration_error() {
    // SPEC.md §4.1.1: a region pair beside development mode is never dropped in silence.
    for region in ["EU_CENTRAL_1", "US_EAST_1"] {
        let current = format!("{region}_QSTASH_CURRENT_SIGNING_KEY");
        let next = format!("{region}_QSTASH_NEXT_SIGNING_KEY");
        let with_region = [
            ("QSTASH_DEV", "1"),
            ("QSTASH_REGION", region),
            (current.as_str(), CURRENT),
            (next.as_str(), NEXT),
        ];
        assert_eq!(
            Receiver::from_vars(vars(&with_region)).unwrap_err(),
            ConfigError::DevModeWithKeys,
            "{region}"
        );
        // Half a pair, or no QSTASH_REGION, is still a key that development mode would drop.
        let half = [("QSTASH_DEV", "true"), (current.as_str(), CURRENT)];
        assert_eq!(Receiver::from_vars(vars(&half)).unwrap_err(), ConfigError::DevModeWithKeys, "{region}");
    }
}

#[test]
fn only_the_exact_documented_values_of_qstash_dev_count() {
    // Exactly `1` or `true` turn development mode on; a value that only looks like one is a
    // mistake, not a switch.
    for loose in [" 1", "1 ", "true\n", " true", "TRUE", "True", "yes", "on", "01"] {
        assert_eq!(
            Receiver::from_vars(vars(&[("QSTASH_DEV", loose)])).unwrap_err(),
            ConfigError::InvalidDevMode,
            "{loose:?}"
        );
    }
    for off in ["", "0", "false"] {
        assert_eq!(qstash_core::development_mode(|_| Some(off.to_owned())), Ok(false), "{off:?}");
    }
    for on in ["1", "true"] {
        assert_eq!(qstash_core::development_mode(|_| Some(on.to_owned())), Ok(true), "{on:?}");
    }
}

#[test]
fn from_options_follows_qstash_dev_unless_dev_is_given() {
    use qstash_core::ReceiverOptions;
    let on = vars(&[("QSTASH_DEV", "1")]);
    let dev_keys = ReceiverOptions {
        current: Some(qstash_core::DEV_CURRENT_SIGNING_KEY),
        next: Some(qstash_core::DEV_NEXT_SIGNING_KEY),
        ..ReceiverOptions::default()
    };
    // The official docs' `new Receiver({ currentSigningKey: process.env…, … })` in the local loop.
    assert!(Receiver::from_options(&dev_keys, &on).is_ok());
    assert_eq!(Receiver::from_options(&dev_keys, |_: &str| None).unwrap_err(), ConfigError::DevKey);
    let off = ReceiverOptions { dev: Some(false), ..dev_keys.clone() };
    assert_eq!(Receiver::from_options(&off, &on).unwrap_err(), ConfigError::DevKey);
    let others = ReceiverOptions { current: Some(CURRENT), next: Some(NEXT), ..ReceiverOptions::default() };
    assert_eq!(Receiver::from_options(&others, &on).unwrap_err(), ConfigError::DevModeWithKeys);
    // `dev: false` also keeps the variables' QSTASH_DEV from applying when keys come from them.
    let off_env = ReceiverOptions { dev: Some(false), ..ReceiverOptions::default() };
    let env_dev = vars(&[
        ("QSTASH_DEV", "1"),
        ("QSTASH_CURRENT_SIGNING_KEY", qstash_core::DEV_CURRENT_SIGNING_KEY),
        ("QSTASH_NEXT_SIGNING_KEY", qstash_core::DEV_NEXT_SIGNING_KEY),
    ]);
    assert_eq!(Receiver::from_options(&off_env, env_dev).unwrap_err(), ConfigError::DevKey);
}

/// Set in the child process of `from_env_reads_the_process_environment`: what it must find.
const CHILD_EXPECTS: &str = "QSTASH_KIT_TEST_FROM_ENV_EXPECTS";

#[test]
fn from_env_reads_the_process_environment() {
    // In the child: the environment is exactly what the parent gave it.
    if let Ok(expects) = std::env::var(CHILD_EXPECTS) {
        let receiver = Receiver::from_env();
        match expects.as_str() {
            "default" => assert!(check(&receiver.unwrap(), &signed(CURRENT), None).is_ok()),
            "region" => {
                let receiver = receiver.unwrap();
                assert!(check(&receiver, &signed(EU_CURRENT), Some("eu-central-1")).is_ok());
                assert_eq!(check(&receiver, &signed(CURRENT), None).unwrap_err(), VerifyError::NoKeys);
            }
            "dev" => {
                let token = Signer::dev().token(URL, BODY).sign_at(NOW);
                assert!(receiver.unwrap().verify_at(&Request::new(&token, BODY).url(URL), NOW).is_ok());
            }
            "missing" => {
                assert_eq!(
                    receiver.unwrap_err(),
                    ConfigError::MissingEnv { name: "QSTASH_CURRENT_SIGNING_KEY" }
                )
            }
            other => panic!("unknown expectation {other}"),
        }
        return;
    }
    // In the parent: this very test, run again in a child process whose whole environment is
    // set here, for each way of configuring the keys (the test process's own environment is
    // whatever the machine has, so it cannot show that the variables are read).
    let eu_current = format!("EU_CENTRAL_1_QSTASH_CURRENT_SIGNING_KEY={EU_CURRENT}");
    let eu_next = format!("EU_CENTRAL_1_QSTASH_NEXT_SIGNING_KEY={EU_NEXT}");
    let default_current = format!("QSTASH_CURRENT_SIGNING_KEY={CURRENT}");
    let default_next = format!("QSTASH_NEXT_SIGNING_KEY={NEXT}");
    let setups: [(&str, Vec<&str>); 4] = [
        ("default", vec![&default_current, &default_next]),
        ("region", vec!["QSTASH_REGION=eu-central-1", &eu_current, &eu_next]),
        ("dev", vec!["QSTASH_DEV=1"]),
        ("missing", vec![]),
    ];
    for (expects, variables) in setups {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child.args(["--exact", "from_env_reads_the_process_environment", "--test-threads=1"]).env_clear();
        for variable in &variables {
            let (name, value) = variable.split_once('=').unwrap();
            child.env(name, value);
        }
        let done = child.env(CHILD_EXPECTS, expects).output().unwrap();
        let said = String::from_utf8_lossy(&done.stdout);
        // Exactly this test ran in the child, and passed.
        assert!(done.status.success() && said.contains("test result: ok. 1 passed"), "{expects}: {said}");
    }
}

#[test]
fn keys_swapped_under_concurrent_verification_are_seen_whole() {
    let old = KeyPair::new(CURRENT, NEXT).unwrap();
    let new = KeyPair::new(EU_CURRENT, EU_NEXT).unwrap();
    let shared = SharedReceiver::new(Receiver::builder().keys(old.clone()).build().unwrap());
    let (old_token, new_token) = (signed(CURRENT), signed(EU_CURRENT));
    let stop = Arc::new(AtomicBool::new(false));
    let verifiers: Vec<_> = (0..4)
        .map(|_| {
            let (shared, stop) = (shared.clone(), stop.clone());
            let (old_token, new_token) = (old_token.clone(), new_token.clone());
            std::thread::spawn(move || {
                let mut rounds = 0u64;
                while !stop.load(Ordering::Relaxed) || rounds < 1000 {
                    let receiver = shared.load();
                    let old_ok = check(&receiver, &old_token, None).is_ok();
                    let new_ok = check(&receiver, &new_token, None).is_ok();
                    // One configuration at a time: exactly one of the two key sets is in force.
                    assert!(old_ok ^ new_ok, "old {old_ok}, new {new_ok}");
                    rounds += 1;
                }
                rounds
            })
        })
        .collect();
    for i in 0..2000 {
        shared.replace_keys(if i % 2 == 0 { new.clone() } else { old.clone() });
    }
    stop.store(true, Ordering::Relaxed);
    for v in verifiers {
        assert!(v.join().unwrap() >= 1000);
    }
    shared.replace_keys(new);
    assert!(shared.verify_at(&Request::new(&new_token, BODY).url(URL), NOW).is_ok());
    assert_eq!(
        shared.verify_at(&Request::new(&old_token, BODY).url(URL), NOW).unwrap_err(),
        VerifyError::Signature
    );
}

#[test]
fn from_options_builds_what_the_javascript_packages_configure() {
    use qstash_core::ReceiverOptions;
    let nothing = |_: &str| None::<String>;
    // Keys given: the default pair, and region pairs beside it.
    let options = ReceiverOptions {
        current: Some("sig_optCurrent"),
        next: Some("sig_optNext"),
        regions: vec![("us-east-1", "sig_usCurrent", "sig_usNext")],
        clock_tolerance: 7,
        ..ReceiverOptions::default()
    };
    let receiver = Receiver::from_options(&options, nothing).unwrap();
    assert_eq!(receiver.clock_tolerance(), 7);
    assert!(receiver.has_region(Region::US_EAST_1));
    let token = Signer::new("sig_optCurrent").unwrap().token("https://a.example/", b"").sign();
    assert!(receiver.verify(&Request::new(&token, b"")).is_ok());
    // `dev` wins, keeping the tolerance; no keys at all reads the variables; a half pair is
    // refused.
    let dev = ReceiverOptions { dev: Some(true), clock_tolerance: 5, ..ReceiverOptions::default() };
    let dev = Receiver::from_options(&dev, nothing).unwrap();
    assert_eq!((dev.clock_tolerance(), dev.has_default_keys(), dev.regions().count()), (5, true, 0));
    assert!(!receiver.has_default_keys() || receiver.regions().eq([&Region::US_EAST_1]));
    let from_vars = Receiver::from_options(
        &ReceiverOptions::default(),
        vars(&[("QSTASH_CURRENT_SIGNING_KEY", "sig_envCurrent"), ("QSTASH_NEXT_SIGNING_KEY", "sig_envNext")]),
    );
    assert!(from_vars.is_ok());
    assert_eq!(
        Receiver::from_options(&ReceiverOptions::default(), nothing).unwrap_err(),
        ConfigError::MissingEnv { name: "QSTASH_CURRENT_SIGNING_KEY" }
    );
    let half = ReceiverOptions { current: Some("sig_optCurrent"), ..ReceiverOptions::default() };
    assert!(Receiver::from_options(&half, nothing).is_err());
}

#[test]
fn a_configuration_error_printed_by_main_names_the_way_out() {
    // What `fn main() -> Result<(), Box<dyn Error>>` prints for `?` on a ConfigError: the
    // variant alone (`Error: DevKey`) left users without the message.
    let printed = format!("{:?}", ConfigError::DevKey);
    assert!(
        printed.starts_with("DevKey: the public local-development signing keys are refused"),
        "{printed}"
    );
    assert!(printed.contains("QSTASH_DEV=1") && printed.contains("Receiver::dev()"), "{printed}");
    let missing = ConfigError::MissingEnv { name: "QSTASH_CURRENT_SIGNING_KEY" };
    assert_eq!(
        format!("{missing:?}"),
        "MissingEnv: environment variable QSTASH_CURRENT_SIGNING_KEY is not set"
    );
}
