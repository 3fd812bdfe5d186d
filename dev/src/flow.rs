//! Flow control at delivery time: a delivery waits for its key's limits to let it start, and
//! gives its place back when it ends.

use std::time::Duration;

use crate::flow_key::FlowKey;
use crate::ids::now_millis;
use crate::spec::FlowControl;
use crate::state::State;

/// A delivery's place under its key's limits, given back when it is dropped.
pub(crate) struct Slot<'a> {
    state: &'a State,
    key: String,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(flow) = self.state.lock().flow_keys.get_mut(&self.key) {
            flow.parallelism_count = flow.parallelism_count.saturating_sub(1);
        }
    }
}

/// Waits until the key's limits let one more delivery start.
pub(crate) async fn slot<'a>(state: &'a State, flow: &FlowControl) -> Slot<'a> {
    let mut waiting = false;
    loop {
        {
            let mut inner = state.lock();
            let key = inner.flow_keys.entry(flow.key.clone()).or_insert_with(|| FlowKey {
                flow_control_key: flow.key.clone(),
                rate_period: 1,
                ..FlowKey::default()
            });
            key.adopt(flow);
            if key.admit(now_millis()) {
                if waiting {
                    key.wait_list_size = key.wait_list_size.saturating_sub(1);
                }
                return Slot { state, key: flow.key.clone() };
            }
            if !waiting {
                key.wait_list_size += 1;
                waiting = true;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
