//! The accounts: one per user of [`DEV_USERS`](crate::DEV_USERS), each with its own messages,
//! queues, schedules, DLQ, log and keys, as on the official dev server.

use std::sync::Arc;

use crate::state::{Settings, State};
use crate::users::DEV_USERS;

/// Every user's account, found by the token a request carries.
#[derive(Debug)]
pub(crate) struct Accounts(Vec<(&'static str, Arc<State>)>);

impl Accounts {
    /// A fresh account for each of [`DEV_USERS`].
    pub(crate) fn new(settings: Settings, max_in_flight: usize) -> Self {
        Accounts(
            DEV_USERS
                .iter()
                .map(|user| (user.token, Arc::new(State::new(settings, max_in_flight, user))))
                .collect(),
        )
    }

    /// The account of `token`, if it is one of the users'.
    pub(crate) fn of(&self, token: &str) -> Option<&Arc<State>> {
        self.0.iter().find(|(t, _)| *t == token).map(|(_, state)| state)
    }

    /// Each account with its user's index in [`DEV_USERS`].
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &Arc<State>)> {
        self.0.iter().map(|(_, state)| state).enumerate()
    }

    /// The default user's account.
    pub(crate) fn default_user(&self) -> &Arc<State> {
        &self.0[0].1
    }
}
