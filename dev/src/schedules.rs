//! Schedules at run time: a cron expression that publishes its message each time it comes
//! round, until the schedule is deleted or replaced.

use std::time::Duration;

use chrono::Utc;

use crate::accept::accept_spec;
use crate::ids::now_millis;
use crate::reply::{ApiError, AppState};
use crate::timetable::Timetable;

/// The Unix milliseconds of the next run after now.
pub(crate) fn next_run(timetable: &Timetable) -> Option<u64> {
    u64::try_from(timetable.next_after(Utc::now())?.timestamp_millis()).ok()
}

/// Starts publishing schedule `id` (version `generation`) on the runtime.
pub(crate) fn start(state: AppState, id: String, timetable: Timetable, generation: u64) {
    state.clone().spawn(tick(state, id, timetable, generation));
}

/// Publishes the schedule's message each time the cron comes round, until the schedule is
/// deleted or replaced.
async fn tick(state: AppState, id: String, timetable: Timetable, generation: u64) {
    loop {
        let Some(at) = next_run(&timetable) else { return };
        let wait = at.saturating_sub(now_millis());
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let due = {
            let mut inner = state.lock();
            match inner.schedules.get_mut(&id) {
                Some(schedule) if schedule.generation == generation => {
                    schedule.next_run = next_run(&timetable);
                    if schedule.paused {
                        None
                    } else {
                        schedule.last_run = Some(now_millis());
                        Some((
                            schedule.destination.clone(),
                            schedule.queue.clone(),
                            schedule.spec.clone(),
                            schedule.body.clone(),
                        ))
                    }
                }
                _ => return,
            }
        };
        if let Some((destination, queue, spec, body)) = due {
            if let Err(ApiError(_, error)) =
                accept_spec(&state, queue.as_deref(), Some(&id), &destination, spec, body)
            {
                tracing::warn!(schedule = %id, %error, "a scheduled publish failed");
            }
        }
    }
}
