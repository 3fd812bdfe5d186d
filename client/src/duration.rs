//! Durations in the form QStash's headers and the official clients use: `90`, `90s`, `10m`,
//! `1d10h30m`.

use core::fmt;
use core::time::Duration;

/// A duration that is not in QStash's form; its `Display` names the text and gives examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidDuration(alloc::string::String);

impl fmt::Display for InvalidDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a duration (examples: 90, 90s, 10m, 1d10h30m)", self.0)
    }
}

impl std::error::Error for InvalidDuration {}

/// Reads a duration: whole seconds (`90`), or whole numbers with the units `d`, `h`, `m` and
/// `s`, each at most once and largest first (`1d10h30m`, `2h`, `45s`), as `Upstash-Delay`,
/// `Upstash-Timeout` and the flow-control period are written.
///
/// ```
/// use std::time::Duration;
///
/// assert_eq!(qstash_client::parse_duration("1h30m"), Ok(Duration::from_secs(5_400)));
/// assert!(qstash_client::parse_duration("1.5h").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, InvalidDuration> {
    let text = text.trim();
    let invalid = || InvalidDuration(text.into());
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    let mut last_rank = 0usize;
    for c in text.chars() {
        if let Some(digit) = c.to_digit(10) {
            let value = number.unwrap_or(0).checked_mul(10).and_then(|v| v.checked_add(u64::from(digit)));
            number = Some(value.ok_or_else(invalid)?);
            continue;
        }
        let (rank, unit) = match c {
            'd' => (1, 86_400),
            'h' => (2, 3_600),
            'm' => (3, 60),
            's' => (4, 1),
            _ => return Err(invalid()),
        };
        // A unit twice or out of order is more likely a typo than a sum someone meant.
        let value = number.take().filter(|_| rank > last_rank).ok_or_else(invalid)?;
        total = value.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or_else(invalid)?;
        last_rank = rank;
    }
    if number.is_some() || last_rank == 0 {
        return Err(invalid());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_seconds_and_unit_forms_parse() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration(" 90s "), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1d10h30m"), Ok(Duration::from_secs(124_200)));
        assert_eq!(parse_duration("2h5s"), Ok(Duration::from_secs(7_205)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn malformed_durations_are_refused() {
        for bad in [
            "",
            "s",
            "10x",
            "1h2d",
            "1m1m",
            "10m5",
            "-5s",
            "1.5h",
            "99999999999999999999d",
            "213503982334602d",
        ] {
            assert_eq!(parse_duration(bad), Err(InvalidDuration(bad.into())), "{bad:?}");
        }
    }

    #[test]
    fn the_error_names_the_text_and_the_accepted_forms() {
        let error = parse_duration("soon").unwrap_err();
        assert_eq!(error.to_string(), "\"soon\" is not a duration (examples: 90, 90s, 10m, 1d10h30m)");
    }
}
