//! Reading tokens, bodies and keys from flags, files, stdin and the environment.

use std::io::Read;

use qstash_core::{
    ConfigError, DEV_CURRENT_SIGNING_KEY, DEV_KEYS_REFUSED, DEV_NEXT_SIGNING_KEY, Receiver, ReceiverOptions,
};

/// A value given directly, or `-` for stdin.
pub(crate) fn text_or_stdin(value: &str) -> Result<String, String> {
    if value != "-" {
        return Ok(value.trim().to_owned());
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| format!("reading stdin: {e}"))?;
    Ok(text.trim().to_owned())
}

/// The body: `--data` as given, `--body FILE` (or `-` for stdin) as raw bytes, else empty.
pub(crate) fn body(data: Option<&str>, file: Option<&str>) -> Result<Vec<u8>, String> {
    match (data, file) {
        (Some(_), Some(_)) => Err("pass --data or --body, not both".into()),
        (Some(data), None) => Ok(data.as_bytes().to_vec()),
        (None, Some("-")) => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("reading stdin: {e}"))?;
            Ok(bytes)
        }
        (None, Some(path)) => std::fs::read(path).map_err(|e| format!("reading {path}: {e}")),
        (None, None) => Ok(Vec::new()),
    }
}

/// A secret (a token, a signing key) from a file, or from stdin with `-`: flags show in `ps`
/// and in shell history, files and pipes do not. Surrounding whitespace is dropped; the secret
/// must be one line. Error messages name the file, never its content.
pub(crate) fn secret_from(path: &str, what: &str) -> Result<String, String> {
    let text = if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("reading the {what} from stdin: {e}"))?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("reading the {what} from {path}: {e}"))?
    };
    let secret = text.trim();
    let source = if path == "-" { "stdin" } else { path };
    if secret.is_empty() {
        return Err(format!("{source} holds no {what}"));
    }
    if secret.contains(['\n', '\r']) {
        return Err(format!("{source} holds more than one line: expected the {what} alone"));
    }
    Ok(secret.to_owned())
}

/// The one input that may read stdin: `-` given to more than one of `paths` is a mistake.
pub(crate) fn one_stdin<'a>(
    paths: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Result<(), String> {
    let readers: Vec<&str> =
        paths.into_iter().filter(|(_, path)| *path == Some("-")).map(|(flag, _)| flag).collect();
    if readers.len() > 1 {
        return Err(format!("only one of {} can read stdin", readers.join(", ")));
    }
    Ok(())
}

/// The process environment, as the core's lookups take it.
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A configuration error as the command line words it: the way to opt in to the development
/// keys here is `--dev`.
pub(crate) fn config_message(error: &ConfigError) -> String {
    match error {
        ConfigError::DevKey => format!("{DEV_KEYS_REFUSED}pass --dev"),
        other => other.to_string(),
    }
}

/// A receiver from `--current-key`/`--next-key`, `--dev`, or the environment (where
/// `QSTASH_DEV=1` also turns development mode on).
pub(crate) fn receiver(current: Option<&str>, next: Option<&str>, dev: bool) -> Result<Receiver, String> {
    if current.is_some() != next.is_some() {
        return Err("pass both --current-key and --next-key".into());
    }
    // Flags win over the environment: keys given here are verified with, whatever QSTASH_DEV
    // says (the development pair given this way still needs --dev or QSTASH_DEV=1).
    let dev_option = match (dev, current, next) {
        (true, _, _) => Some(true),
        (false, Some(DEV_CURRENT_SIGNING_KEY), Some(DEV_NEXT_SIGNING_KEY)) => None,
        (false, Some(_), _) => Some(false),
        (false, None, _) => None,
    };
    let options = ReceiverOptions { current, next, dev: dev_option, ..ReceiverOptions::default() };
    Receiver::from_options(&options, env_var).map_err(|e| {
        let hint = if current.is_none() && !dev {
            " (pass --current-key and --next-key, or --dev for the development keys)"
        } else {
            ""
        };
        format!("{}{hint}", config_message(&e))
    })
}
