//! Durations as people and QStash write them: `90`, `90s`, `10m`, `1d10h30m`.

use std::time::Duration;

/// A duration: whole seconds (`90`), or numbers with `d`, `h`, `m`, `s` units in that order
/// (`1d10h30m`, `2h`, `45s`), the form QStash's `Upstash-Delay` header takes.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let invalid = || format!("{text:?} is not a duration (examples: 90, 90s, 10m, 1d10h30m)");
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut last_unit = 0usize;
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let rank = match c {
            'd' => 1,
            'h' => 2,
            'm' => 3,
            's' => 4,
            _ => return Err(invalid()),
        };
        // Units once each, largest first.
        if number.is_empty() || rank <= last_unit {
            return Err(invalid());
        }
        let unit: u64 = [86_400, 3_600, 60, 1][rank - 1];
        let value: u64 = number.parse().map_err(|_| invalid())?;
        total = value.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or_else(invalid)?;
        number.clear();
        last_unit = rank;
    }
    if !number.is_empty() || last_unit == 0 {
        return Err(invalid());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_seconds_and_unit_forms_parse() {
        assert_eq!(parse("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse("1d10h30m"), Ok(Duration::from_secs(86_400 + 36_000 + 1_800)));
        assert_eq!(parse("2h5s"), Ok(Duration::from_secs(7_205)));
    }

    #[test]
    fn malformed_durations_are_refused() {
        for bad in ["", "s", "10x", "1h2d", "1m1m", "10m5", "-5s", "1.5h", "99999999999999999999d"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
