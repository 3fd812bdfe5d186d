//! When a schedule runs: its cron expression, read in UTC or in the time zone that a leading
//! `CRON_TZ=` names, as QStash reads `Upstash-Cron`.

use chrono::{DateTime, Utc};
use croner::Cron;

/// The zone a schedule's expression is read in: any IANA zone, or UTC only without the
/// bundled database (the `time-zones` feature).
#[cfg(feature = "time-zones")]
type Zone = chrono_tz::Tz;
#[cfg(not(feature = "time-zones"))]
type Zone = Utc;

#[cfg(feature = "time-zones")]
fn zone_named(name: &str) -> Result<Zone, String> {
    name.parse::<Zone>().map_err(|_| format!("{name:?} is not an IANA time zone"))
}

#[cfg(not(feature = "time-zones"))]
fn zone_named(name: &str) -> Result<Zone, String> {
    match name {
        "UTC" => Ok(Utc),
        _ => Err(format!("{name:?}: this build reads schedules in UTC only (the time-zones feature is off)")),
    }
}

#[cfg(feature = "time-zones")]
const UTC: Zone = chrono_tz::Tz::UTC;
#[cfg(not(feature = "time-zones"))]
const UTC: Zone = Utc;

/// A parsed `Upstash-Cron` value.
#[derive(Debug, Clone)]
pub(crate) struct Timetable {
    cron: Cron,
    zone: Zone,
}

impl Timetable {
    /// Five fields as QStash takes them (or six, seconds first), after an optional
    /// `CRON_TZ=<IANA zone> `. The error is the message of the API's 400.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let invalid = |why: String| format!("invalid Upstash-Cron {text:?}: {why}");
        let (zone, expression) = match text.strip_prefix("CRON_TZ=") {
            Some(rest) => {
                let (name, expression) = rest
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| invalid("no cron expression after the time zone".into()))?;
                let zone = zone_named(name).map_err(invalid)?;
                (zone, expression.trim_start())
            }
            None => (UTC, text),
        };
        let cron =
            Cron::new(expression).with_seconds_optional().parse().map_err(|e| invalid(e.to_string()))?;
        Ok(Self { cron, zone })
    }

    /// The first run strictly after `now`; `None` when the expression never matches again.
    pub(crate) fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&self.zone);
        let next = self.cron.find_next_occurrence(&local, false).ok()?;
        Some(next.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn without_a_zone_the_expression_is_read_in_utc() {
        let daily = Timetable::parse("0 9 * * *").unwrap();
        assert_eq!(daily.next_after(at("2026-01-15T08:00:00Z")), Some(at("2026-01-15T09:00:00Z")));
    }

    #[test]
    #[cfg(feature = "time-zones")]
    fn cron_tz_reads_the_expression_in_that_zone_across_daylight_saving() {
        let daily = Timetable::parse("CRON_TZ=America/New_York 0 9 * * *").unwrap();
        assert_eq!(daily.next_after(at("2026-01-15T00:00:00Z")), Some(at("2026-01-15T14:00:00Z")));
        assert_eq!(daily.next_after(at("2026-07-15T00:00:00Z")), Some(at("2026-07-15T13:00:00Z")));
    }

    #[test]
    fn six_fields_start_with_seconds() {
        let every_ten_seconds = Timetable::parse("*/10 * * * * *").unwrap();
        assert_eq!(
            every_ten_seconds.next_after(at("2026-01-15T08:00:03Z")),
            Some(at("2026-01-15T08:00:10Z"))
        );
    }

    #[test]
    #[cfg(feature = "time-zones")]
    fn unknown_zones_missing_expressions_and_bad_fields_are_refused() {
        for (text, why) in [
            ("CRON_TZ=Mars/Olympus 0 9 * * *", "\"Mars/Olympus\" is not an IANA time zone"),
            ("CRON_TZ=Europe/Berlin", "no cron expression after the time zone"),
            ("0 25 * * *", ""),
            ("every day", ""),
        ] {
            let error = Timetable::parse(text).unwrap_err();
            assert!(error.starts_with(&format!("invalid Upstash-Cron {text:?}: ")), "{error}");
            assert!(error.ends_with(why), "{error}");
        }
    }
}
