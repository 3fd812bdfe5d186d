//! The `qstash-kit` binary: every command, its output and its exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use assert_cmd::Command;
use qstash_core::Signer;
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Request};
use wiremock::{Mock, MockServer, ResponseTemplate};

const URL: &str = "https://my-app.example.com/api/qstash";

fn kit() -> Command {
    let mut cmd = Command::cargo_bin("qstash-kit").unwrap();
    for var in [
        "QSTASH_CURRENT_SIGNING_KEY",
        "QSTASH_NEXT_SIGNING_KEY",
        "QSTASH_TOKEN",
        "QSTASH_URL",
        "QSTASH_REGION",
        "US_EAST_1_QSTASH_TOKEN",
        "US_EAST_1_QSTASH_URL",
        "EU_CENTRAL_1_QSTASH_TOKEN",
        "EU_CENTRAL_1_QSTASH_URL",
        "QSTASH_DEV",
        "QSTASH_DEV_PORT",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

#[test]
fn sign_then_verify_round_trips_and_a_tampered_body_exits_1_with_its_reason() {
    let token = stdout(kit().args(["sign", "--url", URL, "--data", "hello", "--key", "sig_cliCurrent"]));
    let token = token.trim();
    kit()
        .args(["verify", "--token", token, "--data", "hello", "--url", URL])
        .env("QSTASH_CURRENT_SIGNING_KEY", "sig_cliCurrent")
        .env("QSTASH_NEXT_SIGNING_KEY", "sig_cliNext")
        .assert()
        .success()
        .stdout(predicates::str::contains("valid: signed with the current key"));
    let out = kit()
        .args([
            "--json",
            "verify",
            "--token",
            token,
            "--data",
            "hullo",
            "--current-key",
            "sig_cliCurrent",
            "--next-key",
            "sig_cliNext",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let verdict: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!((verdict["valid"].as_bool(), verdict["reason"].as_str()), (Some(false), Some("body")));
}

#[test]
fn verify_reads_the_body_from_a_file_and_needs_keys() {
    let dir = std::env::temp_dir().join(format!("qstash-kit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("body.bin");
    std::fs::write(&file, b"\x00\xff").unwrap();
    let token = Signer::dev().token(URL, b"\x00\xff").sign();
    kit().args(["verify", "--dev", "--token", &token, "--body", file.to_str().unwrap()]).assert().success();
    kit().args(["verify", "--token", &token]).assert().code(2).stderr(predicates::str::contains("--dev"));
}

#[test]
fn inspect_shows_claims_checks_and_human_times_without_keys() {
    let token = Signer::dev().token(URL, b"x").sign_at(1_750_000_000);
    let out = stdout(kit().args(["inspect", &token, "--now", "1750000100"]));
    assert!(out.contains("sub   \"https://my-app.example.com/api/qstash\""), "{out}");
    assert!(out.contains("Sun, 15 Jun 2025 15:11:40 GMT, in 3m 20s"), "{out}");
    assert!(out.contains("[--  ] signed with the current or the next key"), "{out}");
    // Expired at a later time: a failed check exits 1.
    let out = kit()
        .args(["--json", "inspect", &token, "--now", "1750000400", "--dev"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["claims"]["iss"], "Upstash");
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["not expired"]);
    // The verdict is the core's: the same token for another key fails the signature rule.
    let forged = Signer::new("sig_notTheDevKey").unwrap().token(URL, b"x").sign_at(1_750_000_000);
    let assert = kit().args(["inspect", &forged, "--now", "1750000100", "--dev"]).assert().code(1);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(out.contains("[FAIL] signed with the current or the next key"), "{out}");
}

#[test]
fn inspect_of_garbage_reports_instead_of_crashing() {
    kit().args(["inspect", "not.a-token"]).assert().code(1).stdout(predicates::str::contains("FAIL"));
}

#[test]
fn sign_without_a_key_is_a_usage_error() {
    kit().args(["sign", "--url", URL]).assert().code(2).stderr(predicates::str::contains("--dev"));
}

/// The variables `qstash-kit dev` prints, as a shell that applied them has them.
fn with_dev_exports(cmd: &mut Command) -> &mut Command {
    cmd.env("QSTASH_CURRENT_SIGNING_KEY", qstash_core::DEV_CURRENT_SIGNING_KEY)
        .env("QSTASH_NEXT_SIGNING_KEY", qstash_core::DEV_NEXT_SIGNING_KEY)
}

#[test]
fn the_development_keys_need_the_opt_in_and_the_refusal_names_it() {
    // The keys alone: refused, naming both ways in.
    let refused = kit()
        .args(["sign", "--url", URL])
        .env("QSTASH_CURRENT_SIGNING_KEY", qstash_core::DEV_CURRENT_SIGNING_KEY)
        .assert()
        .code(2);
    let said = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(said.contains("QSTASH_DEV=1") && said.contains("--dev") && !said.contains("::"), "{said}");
    // With QSTASH_DEV=1, as `qstash-kit dev` prints: signs, and verifies what it signed.
    let token = stdout(
        with_dev_exports(&mut kit()).args(["sign", "--url", URL, "--data", "x"]).env("QSTASH_DEV", "1"),
    );
    let token = token.trim();
    with_dev_exports(&mut kit())
        .args(["verify", "--token", token, "--data", "x", "--url", URL])
        .env("QSTASH_DEV", "1")
        .assert()
        .success();
    with_dev_exports(&mut kit()).args(["verify", "--token", token, "--data", "x"]).assert().code(2);
    // Another key beside development mode in the environment is a contradiction; a value that
    // is not a switch a mistake.
    let both = kit()
        .args(["sign", "--url", URL])
        .env("QSTASH_DEV", "1")
        .env("QSTASH_CURRENT_SIGNING_KEY", "sig_realKey")
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&both.get_output().stderr).contains("other signing keys"));
    kit()
        .args(["sign", "--url", URL])
        .env("QSTASH_DEV", "yes")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("QSTASH_DEV must be"));
}

#[test]
fn key_flags_win_over_qstash_dev_in_the_environment() {
    // The README: flags win over the environment. With QSTASH_DEV=1 exported (as `qstash-kit
    // dev` prints), `sign --key K` signs with K, and `$(…)` never gets an empty signature.
    let token = stdout(
        kit().args(["sign", "--url", URL, "--data", "x", "--key", "sig_cliCurrent"]).env("QSTASH_DEV", "1"),
    );
    let token = token.trim();
    assert_eq!(token.split('.').count(), 3, "{token:?}");
    // Verified with K from flags, QSTASH_DEV=1 still exported: signed with K.
    kit()
        .args(["verify", "--token", token, "--data", "x", "--url", URL])
        .args(["--current-key", "sig_cliCurrent", "--next-key", "sig_cliNext"])
        .env("QSTASH_DEV", "1")
        .assert()
        .success()
        .stdout(predicates::str::contains("valid: signed with the current key"));
    // The development key itself is taken from a flag only in development mode.
    kit()
        .args(["sign", "--url", URL, "--key", qstash_core::DEV_CURRENT_SIGNING_KEY])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("QSTASH_DEV=1"));
    kit()
        .args(["sign", "--url", URL, "--key", qstash_core::DEV_CURRENT_SIGNING_KEY])
        .env("QSTASH_DEV", "1")
        .assert()
        .success();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_sends_the_message_and_prints_its_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/publish/https://h.example/hook"))
        .and(header("authorization", "Bearer cli-token"))
        .and(header("upstash-forward-x-a", "1"))
        .and(header("upstash-retries", "2"))
        .and(header("upstash-flow-control-key", "tenant-a"))
        .and(header("upstash-flow-control-value", "parallelism=2"))
        .and(RawHeader("upstash-redact-fields", "body,header[Authorization]"))
        .and(header("upstash-callback-forward-x-c", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({ "messageId": "msg_cli" })))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        kit()
            .args([
                "publish",
                "https://h.example/hook",
                "--data",
                "{}",
                "-H",
                "X-A: 1",
                "--retries",
                "2",
                "--api-url",
                &uri,
            ])
            .args(["--flow-control-key", "tenant-a", "--parallelism", "2"])
            .args(["--redact-body", "--redact-header", "Authorization"])
            .args(["--callback", "https://h.example/cb", "--callback-header", "X-C: 1"])
            .env("QSTASH_TOKEN", "cli-token")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "msg_cli");
    let failed = tokio::task::spawn_blocking(|| {
        kit()
            .args(["publish", "https://h.example/hook", "--api-url", "http://127.0.0.1:9", "--no-retry"])
            .env("QSTASH_TOKEN", "t")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(failed.status.code(), Some(5), "unreachable is exit code 5");
}

/// Compares a header's raw value: wiremock's `header` matcher splits values at commas.
struct RawHeader(&'static str, &'static str);

impl Match for RawHeader {
    fn matches(&self, request: &Request) -> bool {
        request.headers.get(self.0).is_some_and(|v| v.as_bytes() == self.1.as_bytes())
    }
}

/// A file under the system's temporary folder holding `content`, removed with the value.
struct SecretFile(std::path::PathBuf);

impl SecretFile {
    fn new(name: &str, content: &str) -> Self {
        let path = std::env::temp_dir().join(format!("qstash-kit-{}-{name}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        SecretFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for SecretFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn keys_come_from_files_and_stdin_so_they_stay_out_of_argv() {
    let current = SecretFile::new("current", "sig_fileCurrentKey\n");
    let next = SecretFile::new("next", "sig_fileNextKey\n");
    let token = stdout(kit().args(["sign", "--url", URL, "--data", "hello", "--key-file", current.path()]));
    let token = token.trim();
    kit()
        .args(["verify", "--token", token, "--data", "hello", "--url", URL])
        .args(["--current-key-file", current.path(), "--next-key-file", next.path()])
        .assert()
        .success()
        .stdout(predicates::str::contains("valid: signed with the current key"));
    // The next key read from stdin.
    let next_token = stdout(
        kit()
            .args(["sign", "--url", URL, "--data", "hello", "--key-file", "-"])
            .write_stdin("sig_fileNextKey\n"),
    );
    kit()
        .args(["verify", "--token", next_token.trim(), "--data", "hello", "--url", URL])
        .args(["--current-key-file", current.path(), "--next-key-file", "-"])
        .write_stdin("sig_fileNextKey")
        .assert()
        .success()
        .stdout(predicates::str::contains("valid: signed with the next key"));
}

#[test]
fn secret_files_that_cannot_serve_are_usage_errors_that_never_print_the_secret() {
    let empty = SecretFile::new("empty", " \n");
    let two = SecretFile::new("two", "sig_lineOneSecret\nsig_lineTwoSecret\n");
    let cases: [(&[&str], &str); 4] = [
        (&["sign", "--url", URL, "--key-file", empty.path()], "holds no signing key"),
        (&["sign", "--url", URL, "--key-file", two.path()], "holds more than one line"),
        (
            &["sign", "--url", URL, "--key-file", "/nonexistent/qstash-key"],
            "reading the signing key from /nonexistent/qstash-key",
        ),
        (
            &["verify", "--token", "-", "--current-key-file", "-", "--next-key-file", two.path()],
            "only one of --token, --current-key-file can read stdin",
        ),
    ];
    for (args, expected) in cases {
        let out = kit().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("Secret"), "{args:?} printed the secret: {stderr}");
    }
}
