//! How long a queue worker waits before trying a failed job again: one type for every queue
//! (deliveries, the inbox, and those to come), each with its own table.

use std::time::Duration;

/// Waits after the 1st, 2nd, … failed try; after the last wait's try fails, the job is given up.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    waits: &'static [Duration],
}

impl Backoff {
    pub const fn new(waits: &'static [Duration]) -> Backoff {
        Backoff { waits }
    }

    /// The wait after the `attempts`-th failed try (counted from 1; 0 is taken as 1), or None
    /// when that was the last try.
    pub fn after(&self, attempts: u32) -> Option<Duration> {
        let index = attempts.max(1) as usize - 1;
        self.waits.get(index).copied()
    }

    /// Tries in all: one more than there are waits.
    pub const fn tries(&self) -> u32 {
        self.waits.len() as u32 + 1
    }

    /// Every wait, in order (their sum is how long a job may keep failing).
    pub fn total(&self) -> Duration {
        self.waits.iter().sum()
    }
}

#[cfg(test)]
mod tests;
