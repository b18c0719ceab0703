//! The durable outgoing queue and its worker thread.
//!
//! [`enqueue`] writes an activity's body once and one row per inbox, inside the caller's
//! transaction, so a post and its deliveries commit together. The [`Worker`] sends what is due,
//! many hosts at once, and records every outcome in one transaction afterwards; [`spawn`] runs it
//! in `perch serve`. SQL lives in `store::deliveries`; what an answer means lives in [`classify`].
//!
//! # The shape of a queue worker
//! This worker and `domain::inbox::InboxWorker` are made alike, and the queues to come
//! (backfill fetches, push, scheduled posts, imports) copy them: `new(conn, client, key, key_id,
//! …)` takes an opened `Connection` (the caller opens the database, so a missing or broken one is
//! reported at start-up, and a test hands in its own) and the parts of the owner's signed client;
//! `run_once(now)` does one round and is how tests step it; `spawn(worker, stop)` runs it on a
//! named thread and returns `io::Result<JoinHandle<()>>`; retries wait by a [`Backoff`] table.
//!
//! # Guarantees
//! At least once: the queue is only in SQLite, and a row is deleted or rescheduled only after its
//! try has been answered (or has failed). Kill the process at any moment and nothing is lost;
//! deliveries in flight at the kill were never recorded, so they are simply sent again after the
//! restart: at most one duplicate each, which receivers absorb because activity ids are unique.
//! There is one worker per database (the `perch serve` process); a second one running at the same
//! time would only cause more duplicates, never a loss.
//!
//! # Retrying
//! 2xx is done; 410 means the inbox is gone: its other pending deliveries go too, and so do the
//! followers whose inbox or shared inbox it is, in the transaction that records the run (listed
//! in [`RunReport::gone_inboxes`]; a follower on a gone shared inbox goes with it, since nothing
//! of ours can reach them any more); other 4xx except 401, 408 and 429 are
//! dropped; everything else, network errors included, is tried again after [`BACKOFF`] (or a
//! longer `Retry-After`, capped at [`MAX_RETRY_AFTER`]), [`MAX_ATTEMPTS`] tries in all, about 52
//! hours. A host failing [`BREAKER_THRESHOLD`] times in a row (network error, 5xx, 408, 429) has its
//! breaker opened for [`BREAKER_PAUSE`], doubling up to [`BREAKER_MAX_PAUSE`]: its deliveries wait,
//! untried and uncounted, until the host's `retry_at`, and those queued longer than [`MAX_AGE`]
//! are dropped. A `Retry-After` on a failure pauses the whole host the same way. Within a run a
//! host's deliveries go one after another and stop at its first failure, so a dead host costs
//! one timeout per run, not one per delivery. Any other answer from a host clears its record.

mod backoff;
pub mod knock;
pub mod proof;
mod worker;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;
use serde::Serialize;
use url::Url;

use crate::federation::client::{FetchError, PostResponse};
use crate::federation::signatures;
use crate::model::Timestamp;
use crate::store;

pub use backoff::Backoff;
pub use worker::Worker;

/// Waits after the 1st, 2nd, … failed try: 11 waits, 12 tries, about 52 hours in all.
pub const BACKOFF: Backoff = Backoff::new(&[
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(15 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(4 * 3600),
    Duration::from_secs(8 * 3600),
    Duration::from_secs(12 * 3600),
    Duration::from_secs(12 * 3600),
    Duration::from_secs(12 * 3600),
]);
/// Tries before a delivery is given up.
pub const MAX_ATTEMPTS: u32 = BACKOFF.tries();
/// The longest `Retry-After` we honour: a server asking for more is asked again after this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Failures in a row after which a host's breaker opens.
pub const BREAKER_THRESHOLD: u32 = 5;
/// The breaker's first pause, doubled with each further failure up to [`BREAKER_MAX_PAUSE`].
pub const BREAKER_PAUSE: Duration = Duration::from_secs(60);
pub const BREAKER_MAX_PAUSE: Duration = Duration::from_secs(3600);
/// A delivery to a failing host older than this is dropped, however few tries it had.
pub const MAX_AGE: Duration = Duration::from_secs(3 * 24 * 3600);

/// What one try of a delivery came to. Outcomes, not errors: the worker acts on each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// 410: the inbox no longer exists.
    Gone,
    /// Given up: a refusing 4xx, an unusable URL, or the last try failed. `status` 0 means the
    /// server gave no HTTP answer.
    Dropped {
        status: u16,
    },
    Retry {
        after: Duration,
    },
}

/// What a response (or a network error) means for a delivery on its `attempts`-th try (from 1).
pub fn classify(result: &Result<PostResponse, FetchError>, attempts: u32) -> DeliveryOutcome {
    let (status, retry_after) = match result {
        Ok(response) => match response.status {
            200..=299 => return DeliveryOutcome::Delivered,
            410 => return DeliveryOutcome::Gone,
            401 | 408 | 429 => (response.status, response.retry_after),
            status @ 400..=499 => return DeliveryOutcome::Dropped { status },
            // 5xx, and what an inbox should never answer (1xx, 3xx): Mastodon retries those too.
            status => (status, response.retry_after),
        },
        // The URL will not get better by waiting.
        Err(FetchError::BadUrl(_) | FetchError::Refused(_)) => {
            return DeliveryOutcome::Dropped { status: 0 }
        }
        Err(_) => (0, None),
    };
    let Some(backoff) = BACKOFF.after(attempts) else {
        return DeliveryOutcome::Dropped { status };
    };
    let asked = retry_after.unwrap_or_default().min(MAX_RETRY_AFTER);
    DeliveryOutcome::Retry {
        after: backoff.max(asked),
    }
}

/// True when the answer says the host itself is in trouble (as opposed to refusing this one
/// delivery): these count towards its circuit breaker.
fn is_host_failure(result: &Result<PostResponse, FetchError>) -> bool {
    match result {
        Ok(response) => response.status >= 500 || matches!(response.status, 408 | 429),
        Err(FetchError::BadUrl(_) | FetchError::Refused(_)) => false,
        Err(_) => true,
    }
}

/// Queues one activity for a set of inboxes inside the caller's transaction (so a post and its
/// deliveries commit together). Inboxes are de-duplicated; our own origin's inboxes and URLs that
/// are not http(s) are skipped; returns how many rows were queued. The body is stored once in
/// `outbound_activities` (keyed by the activity's `id`); a second enqueue of the same id while
/// deliveries of it are pending reuses that row and adds only new inboxes. (Once all its
/// deliveries are done the row is removed, and enqueuing the id again queues every inbox again.)
/// An activity of our own is stored with the owner's Ed25519 proof ([`proof`]).
pub fn enqueue(
    conn: &Connection,
    activity: &impl Serialize,
    inboxes: &[String],
    own_origin: &str,
    now: Timestamp,
) -> rusqlite::Result<usize> {
    // Through a `Value`, whose keys are sorted: the body does not depend on a struct's field order.
    let activity = serde_json::to_value(activity)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let uri = activity
        .get("id")
        .and_then(|id| id.as_str())
        .ok_or_else(|| {
            rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the activity has no id",
            )))
        })?;
    let own = Url::parse(own_origin).ok().map(|url| url.origin());
    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    for inbox in inboxes {
        let Ok(mut url) = Url::parse(inbox.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            continue;
        }
        if own.as_ref() == Some(&url.origin()) {
            continue;
        }
        url.set_fragment(None); // never sent, so not a different inbox
        if seen.insert(url.to_string()) {
            targets.push((url.to_string(), signatures::host_header(&url)));
        }
    }
    if targets.is_empty() {
        return Ok(0);
    }
    let uri = uri.to_string();
    let activity = proof::prove(conn, activity, own.as_ref(), now)?;
    let activity_id = store::deliveries::insert_activity(conn, &uri, &activity.to_string(), now)?;
    let mut queued = 0;
    for (inbox, host) in &targets {
        if store::deliveries::insert(conn, activity_id, inbox, host, now)? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What one [`Worker::run_once`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub delivered: usize,
    /// Tried, failed, and rescheduled.
    pub retried: usize,
    /// Removed without success: refused, given up, expired, gone, and the other deliveries to a
    /// gone inbox.
    pub dropped: usize,
    /// Not tried because their host's breaker opened (not counted as tries).
    pub postponed: usize,
    /// Inboxes that answered 410 Gone; the followers behind them were removed in the same
    /// transaction.
    pub gone_inboxes: Vec<String>,
    /// Followers removed because their inbox (or shared inbox) answered 410 Gone.
    pub followers_removed: usize,
}

impl RunReport {
    /// How many deliveries were actually sent (answered or failed).
    pub fn attempted(&self) -> usize {
        self.delivered + self.retried + self.dropped
    }
}

/// How often the thread looks for work queued by another process (the CLI).
const POLL: Duration = Duration::from_millis(500);
/// The shortest sleep between empty runs, so a wrong `next_due` can never spin the thread.
const MIN_SLEEP: Duration = Duration::from_millis(10);

/// The worker thread for `perch serve`: loops [`Worker::run_once`], sleeping until the next
/// delivery is due but at least every 500 ms looking again (deliveries queued by a CLI command go
/// out within about a second). Set `stop` (and `unpark` the thread to skip its nap) to end it: it
/// finishes the batch in hand and returns, leaving nothing half done.
pub fn spawn(mut worker: Worker, stop: Arc<AtomicBool>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("delivery".into())
        .spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let pause = match worker.run_once(Timestamp::now()) {
                    // More may be due right away: a full batch, or the rest of a host's queue.
                    Ok(report) if report.attempted() > 0 => continue,
                    Ok(_) => match worker.next_due() {
                        Ok(Some(due)) => {
                            let wait = due.0.saturating_sub(Timestamp::now().0).max(0) as u64;
                            Duration::from_millis(wait).clamp(MIN_SLEEP, POLL)
                        }
                        Ok(None) => POLL,
                        Err(e) => {
                            crate::log::warn("delivery", "worker run failed", &[("error", &e)]);
                            POLL
                        }
                    },
                    Err(e) => {
                        crate::log::warn("delivery", "worker run failed", &[("error", &e)]);
                        POLL
                    }
                };
                std::thread::park_timeout(pause);
            }
        })
}

#[cfg(test)]
mod tests;
