//! The system clock, the one place the crate reads the time (`std` only). Public so the
//! crates built on this one (the gate, the replay guards) read the same clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds now. A clock set before 1970 reads as 0 rather than panicking.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
