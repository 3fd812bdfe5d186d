//! Reading tokens, bodies and keys from flags, files, stdin and the environment.

use std::io::Read;

use qstash_core::Receiver;

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

/// A receiver from `--current-key`/`--next-key`, `--dev`, or the environment.
pub(crate) fn receiver(current: Option<&str>, next: Option<&str>, dev: bool) -> Result<Receiver, String> {
    if dev {
        return Ok(Receiver::dev());
    }
    match (current, next) {
        (Some(current), Some(next)) => Receiver::new(current, next).map_err(|e| e.to_string()),
        (None, None) => Receiver::from_env().map_err(|e| {
            format!("{e} (pass --current-key and --next-key, or --dev for the development keys)")
        }),
        _ => Err("pass both --current-key and --next-key".into()),
    }
}
