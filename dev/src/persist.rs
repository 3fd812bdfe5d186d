//! `--data FILE`: each account's messages, schedules, URL groups, queues, DLQ, log, flow-control
//! keys and signing keys kept in an SQLite database, saved a moment after they change and when
//! the server stops, and loaded when it starts: a restart loses nothing, and what was waiting
//! is delivered on time afterwards.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use qstash_client::{BulkAction, Endpoint, LogEvent};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::accounts::Accounts;
use crate::delivery;
use crate::flow_key::FlowKey;
use crate::ids::now_millis;
use crate::schedules::{self, next_run};
use crate::signing_keys::AccountKeys;
use crate::state::{DeadLetter, Inner, Message, Queue, Schedule, State};
use crate::timetable::Timetable;

/// A queue as saved: its settings (its line and slots are rebuilt from the messages).
#[derive(Serialize, Deserialize)]
struct SavedQueue {
    name: String,
    parallelism: u32,
    paused: bool,
    created_at: u64,
}

/// One account's state as saved.
#[derive(Serialize, Deserialize)]
pub(crate) struct Snapshot {
    messages: Vec<Message>,
    dlq: Vec<DeadLetter>,
    events: Vec<LogEvent>,
    url_groups: Vec<(String, u64, Vec<Endpoint>)>,
    queues: Vec<SavedQueue>,
    schedules: Vec<Schedule>,
    flow_keys: Vec<FlowKey>,
    bulk_actions: Vec<BulkAction>,
    keys: (String, String),
}

impl Snapshot {
    /// What `inner` holds that outlives a restart (not the deduplication window, nor what
    /// is in flight: a delivery under way is made again).
    pub(crate) fn of(inner: &Inner) -> Snapshot {
        let mut messages: Vec<Message> = inner.messages.values().cloned().collect();
        messages.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Snapshot {
            messages,
            dlq: inner.dlq.clone(),
            events: inner.events.clone(),
            url_groups: inner
                .url_groups
                .iter()
                .map(|(name, (at, e))| (name.clone(), *at, e.clone()))
                .collect(),
            queues: inner
                .queues
                .iter()
                .map(|(name, q)| SavedQueue {
                    name: name.clone(),
                    parallelism: q.parallelism,
                    paused: q.paused,
                    created_at: q.created_at,
                })
                .collect(),
            schedules: inner.schedules.values().cloned().collect(),
            flow_keys: inner.flow_keys.values().cloned().collect(),
            bulk_actions: inner.bulk_actions.clone(),
            keys: inner.keys.pair(),
        }
    }

    /// Puts the saved state back into the fresh account `state`, then starts what runs on its
    /// own: each waiting message's delivery (in the order they were published, at the time
    /// it was due) and each schedule's ticker.
    pub(crate) fn restore(self, state: &Arc<State>) {
        let now = now_millis();
        let mut schedules_to_start = Vec::new();
        {
            let mut inner = state.lock();
            if let Some(keys) = AccountKeys::from_pair(&self.keys.0, &self.keys.1) {
                inner.keys = keys;
            }
            for queue in self.queues {
                let mut restored = Queue::new(queue.parallelism, queue.paused);
                restored.created_at = queue.created_at;
                restored.lag =
                    self.messages.iter().filter(|m| m.queue.as_deref() == Some(&queue.name)).count() as u64;
                inner.queues.insert(queue.name, restored);
            }
            for message in &self.messages {
                inner.messages.insert(message.id.clone(), message.clone());
            }
            inner.dlq = self.dlq;
            inner.events = self.events;
            inner.url_groups = self.url_groups.into_iter().map(|(name, at, e)| (name, (at, e))).collect();
            for mut key in self.flow_keys {
                // Nothing is in flight or waiting yet: the deliveries start again below.
                (key.parallelism_count, key.wait_list_size) = (0, 0);
                inner.flow_keys.insert(key.flow_control_key.clone(), key);
            }
            inner.bulk_actions = self.bulk_actions;
            for mut schedule in self.schedules {
                match Timetable::parse(&schedule.cron) {
                    Ok(timetable) => {
                        schedule.next_run = next_run(&timetable);
                        schedules_to_start.push((schedule.id.clone(), timetable, schedule.generation));
                        inner.schedules.insert(schedule.id.clone(), schedule);
                    }
                    Err(error) => {
                        tracing::warn!(schedule = %schedule.id, %error, "a saved schedule no longer parses")
                    }
                }
            }
        }
        for mut message in self.messages {
            // The delay counted from when it was published, not from the restart.
            let due = message
                .created_at
                .saturating_add(u64::try_from(message.spec.delay.as_millis()).unwrap_or(u64::MAX));
            message.spec.delay = Duration::from_millis(due.saturating_sub(now));
            delivery::spawn(state.clone(), message);
        }
        for (id, timetable, generation) in schedules_to_start {
            schedules::start(state.clone(), id, timetable, generation);
        }
    }
}

/// The database: one row per account, its snapshot as JSON.
pub(crate) struct Store {
    connection: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

fn io_error(error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(error.to_string())
}

impl Store {
    /// Opens (or creates) the database at `path`.
    pub(crate) fn open(path: &Path) -> std::io::Result<Store> {
        let connection = Connection::open(path).map_err(|e| io_error(format!("{}: {e}", path.display())))?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS accounts (user INTEGER PRIMARY KEY, snapshot TEXT NOT NULL);",
            )
            .map_err(|e| io_error(format!("{}: {e}", path.display())))?;
        Ok(Store { connection: Mutex::new(connection) })
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The snapshot saved for account `user`, if any.
    pub(crate) fn load(&self, user: usize) -> std::io::Result<Option<Snapshot>> {
        let text: Option<String> = self
            .connection()
            .query_row("SELECT snapshot FROM accounts WHERE user = ?1", [user as i64], |row| row.get(0))
            .optional()
            .map_err(io_error)?;
        text.map(|text| serde_json::from_str(&text).map_err(io_error)).transpose()
    }

    /// Saves `snapshot` as account `user`'s.
    pub(crate) fn save(&self, user: usize, snapshot: &Snapshot) -> std::io::Result<()> {
        let text = serde_json::to_string(snapshot).map_err(io_error)?;
        self.connection()
            .execute(
                "INSERT INTO accounts (user, snapshot) VALUES (?1, ?2)
                 ON CONFLICT (user) DO UPDATE SET snapshot = excluded.snapshot",
                rusqlite::params![user as i64, text],
            )
            .map_err(io_error)?;
        Ok(())
    }
}

/// How soon a change is saved.
const SAVE_INTERVAL: Duration = Duration::from_millis(200);

/// Saves each account that changed, every [`SAVE_INTERVAL`], until the task is stopped.
pub(crate) async fn save_changes(accounts: Arc<Accounts>, store: Arc<Store>) {
    let mut every = tokio::time::interval(SAVE_INTERVAL);
    loop {
        every.tick().await;
        save(&accounts, &store, false).await;
    }
}

/// Saves the accounts that changed (every account with `all`), off the runtime's threads.
pub(crate) async fn save(accounts: &Accounts, store: &Arc<Store>, all: bool) {
    for (user, state) in accounts.iter() {
        if !state.take_changed() && !all {
            continue;
        }
        let snapshot = Snapshot::of(&state.read());
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.save(user, &snapshot)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "saving the dev server's state failed"),
            Err(error) => tracing::error!(%error, "saving the dev server's state failed"),
        }
    }
}
