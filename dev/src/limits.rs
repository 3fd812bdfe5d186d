//! What bounds the dev server's memory: how many messages, dead letters, schedules, URL groups
//! and queues it holds, how large a message may be and how many bytes of bodies it keeps. A
//! publish past a bound is refused with a 429 naming it; the DLQ drops its oldest entries.

/// The bounds of one user's account. The defaults follow QStash's pay-as-you-go plan where it
/// documents one (a message of 10 MB, 100 URL groups, 1000 schedules) and are generous
/// elsewhere for a development machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Messages waiting for delivery or being delivered (delayed and queued ones included),
    /// each with its delivery task. Default 100 000.
    pub messages: usize,
    /// Messages kept in the DLQ; past it the oldest are dropped. Default 10 000.
    pub dead_letters: usize,
    /// Bytes of message bodies held (waiting messages and the DLQ). Default 512 MiB.
    pub stored_bytes: usize,
    /// The largest request body taken (a message, a batch). Default 10 MB.
    pub message_size: usize,
    /// Schedules. Default 1000.
    pub schedules: usize,
    /// URL groups. Default 100.
    pub url_groups: usize,
    /// Queues. Default 1000.
    pub queues: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            messages: 100_000,
            dead_letters: 10_000,
            stored_bytes: 512 * 1024 * 1024,
            message_size: 10 * 1000 * 1000,
            schedules: 1000,
            url_groups: 100,
            queues: 1000,
        }
    }
}

impl Limits {
    /// The bounds with `messages` waiting messages at most.
    #[must_use]
    pub fn messages(mut self, messages: usize) -> Self {
        self.messages = messages;
        self
    }

    /// The bounds with `dead_letters` DLQ entries at most.
    #[must_use]
    pub fn dead_letters(mut self, dead_letters: usize) -> Self {
        self.dead_letters = dead_letters;
        self
    }

    /// The bounds with `bytes` of bodies held at most.
    #[must_use]
    pub fn stored_bytes(mut self, bytes: usize) -> Self {
        self.stored_bytes = bytes;
        self
    }

    /// The bounds with a request body of `bytes` at most.
    #[must_use]
    pub fn message_size(mut self, bytes: usize) -> Self {
        self.message_size = bytes;
        self
    }

    /// The bounds with `schedules` schedules, `url_groups` URL groups and `queues` queues at
    /// most.
    #[must_use]
    pub fn resources(mut self, schedules: usize, url_groups: usize, queues: usize) -> Self {
        self.schedules = schedules;
        self.url_groups = url_groups;
        self.queues = queues;
        self
    }
}
