//! The limits shared by every message with one `Upstash-Flow-Control-Key`: deliveries in
//! flight and deliveries per period, and whether a delivery may start.

use serde::{Deserialize, Serialize};

use crate::spec::FlowControl;

/// One key's limits and counters (`GET /v2/flowControl/{key}` shows them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct FlowKey {
    pub(crate) flow_control_key: String,
    pub(crate) wait_list_size: u64,
    pub(crate) parallelism_max: u64,
    pub(crate) parallelism_count: u64,
    pub(crate) rate_max: u64,
    pub(crate) rate_count: u64,
    pub(crate) rate_period: u64,
    pub(crate) rate_period_start: u64,
    pub(crate) is_paused: bool,
    pub(crate) is_pinned_parallelism: bool,
    pub(crate) is_pinned_rate: bool,
}

impl FlowKey {
    /// Takes the limits a publish carries, unless they are pinned.
    pub(crate) fn adopt(&mut self, flow: &FlowControl) {
        if !self.is_pinned_parallelism {
            self.parallelism_max = flow.parallelism.map_or(0, u64::from);
        }
        if !self.is_pinned_rate {
            self.rate_max = flow.rate.map_or(0, u64::from);
            self.rate_period = flow.period.map_or(1, |p| p.as_secs().max(1));
        }
    }

    /// Whether a delivery may start now; counts it when it may.
    pub(crate) fn admit(&mut self, now: u64) -> bool {
        if self.is_paused {
            return false;
        }
        if now.saturating_sub(self.rate_period_start) >= self.rate_period.max(1).saturating_mul(1000) {
            self.rate_period_start = now;
            self.rate_count = 0;
        }
        let parallel_ok = self.parallelism_max == 0 || self.parallelism_count < self.parallelism_max;
        let rate_ok = self.rate_max == 0 || self.rate_count < self.rate_max;
        if parallel_ok && rate_ok {
            self.parallelism_count += 1;
            self.rate_count += 1;
            return true;
        }
        false
    }
}

impl FlowKey {
    /// The key's limits and counters as the API shows them.
    pub(crate) fn view(&self) -> qstash_client::FlowControlInfo {
        let mut view = qstash_client::FlowControlInfo::default();
        view.flow_control_key.clone_from(&self.flow_control_key);
        view.wait_list_size = self.wait_list_size;
        view.parallelism_max = self.parallelism_max;
        view.parallelism_count = self.parallelism_count;
        view.rate_max = self.rate_max;
        view.rate_count = self.rate_count;
        view.rate_period = self.rate_period;
        // Kept in milliseconds to count periods exactly; shown in seconds, as the API documents.
        view.rate_period_start = self.rate_period_start / 1000;
        view.is_paused = self.is_paused;
        view.is_pinned_parallelism = self.is_pinned_parallelism;
        view.is_pinned_rate = self.is_pinned_rate;
        view
    }
}
