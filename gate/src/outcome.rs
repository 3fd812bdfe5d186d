//! How each delivery ended, recorded at the one place every front end's deliveries pass: a
//! refusal when the gate logs it ([`Gate::reject`], [`Gate::log_rejection`],
//! [`Gate::refusal`]), an acceptance when [`Gate::finish`] (no replay guard) or the replay
//! check (with one) lets it through. From there it goes to the outcome hook, to `tracing`
//! and, with the `metrics` feature, to the `metrics` facade (SPEC.md §7.8 names the metrics).
//!
//! [`Gate::reject`]: crate::Gate::reject
//! [`Gate::log_rejection`]: crate::Gate::log_rejection
//! [`Gate::refusal`]: crate::Gate::refusal
//! [`Gate::finish`]: crate::Gate::finish

use alloc::sync::Arc;

use qstash_core::{KeyUsed, Region};

/// Accepted or rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed; the handler runs.
    Accepted,
    /// Refused, with a reason of SPEC.md §3.
    Rejected,
}

impl Verdict {
    /// `"accepted"` or `"rejected"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Rejected => "rejected",
        }
    }
}

/// One delivery's outcome. Every field is from a fixed set or from the user's configuration,
/// never from the request: it is safe as a metric label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// Accepted or rejected.
    pub verdict: Verdict,
    /// The rejection reason (SPEC.md §3, e.g. `signature`, `expired`, `replayed`), or `none`
    /// for an accepted delivery.
    pub reason: &'static str,
    /// Which signing key verified it (accepted deliveries): `next` means QStash already signs
    /// with the key a rotation makes current.
    pub key: Option<KeyUsed>,
    /// The configured region whose keys verified it, if a region's did.
    pub region: Option<&'a Region>,
    /// `Upstash-Message-Id` as sent (unsigned: for logs and traces, never a label).
    pub message_id: Option<&'a str>,
}

impl Outcome<'_> {
    /// `current`, `next`, or `none` (a refusal).
    pub fn key_label(&self) -> &'static str {
        self.key.map_or("none", KeyUsed::as_str)
    }

    /// The region's name, `default` for the default key pair, `none` for a refusal.
    pub fn region_label(&self) -> &str {
        match (self.verdict, self.region) {
            (_, Some(region)) => region.as_str(),
            (Verdict::Accepted, None) => "default",
            (Verdict::Rejected, None) => "none",
        }
    }
}

/// A function called with every outcome (`Gate::with_outcome_hook`).
pub(crate) type OutcomeHook = Arc<dyn Fn(&Outcome<'_>) + Send + Sync>;

/// Sends `outcome` to `tracing` (one span per delivery, closed as it is recorded, with the
/// message id, verdict, reason, key and region) and, with the `metrics` feature, to the
/// counter `qstash_deliveries_total`.
pub(crate) fn emit(outcome: &Outcome<'_>) {
    let span = tracing::info_span!(
        "qstash.delivery",
        message_id = outcome.message_id.unwrap_or("-"),
        outcome = outcome.verdict.as_str(),
        reason = outcome.reason,
        key = outcome.key_label(),
        region = outcome.region_label(),
    );
    span.in_scope(|| tracing::debug!("QStash delivery {}", outcome.verdict.as_str()));
    #[cfg(feature = "metrics")]
    metrics::counter!(
        DELIVERIES,
        "outcome" => outcome.verdict.as_str(),
        "reason" => outcome.reason,
        "key" => outcome.key_label(),
        "region" => alloc::string::String::from(outcome.region_label()),
    )
    .increment(1);
}

/// The counter of deliveries by `outcome`, `reason`, `key` and `region`.
pub const DELIVERIES: &str = "qstash_deliveries_total";

/// The histogram of the time spent verifying a delivery's token and claims, in seconds.
pub const VERIFY_SECONDS: &str = "qstash_verify_duration_seconds";
