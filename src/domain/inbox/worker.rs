//! The inbox worker: takes queued activities in order and handles each once. A failure that may
//! pass (the network, a busy database) is tried again later, a few times; any other is recorded
//! on the row, which is then done.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use crate::delivery::Backoff;
use crate::federation::client::Client;
use crate::federation::keys::SigningKey;
use crate::model::Timestamp;
use crate::store::inbound::{self, Inbound};
use crate::urls::Urls;

use super::super::actors::{Fetch, Remote};
use super::{activity, handle, Context, Failure};

/// Rows taken per round.
const BATCH: usize = 50;
/// Waits before each retry of a transient failure; after the last the row is given up.
const BACKOFF: Backoff = Backoff::new(&[
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
]);
/// Longest sleep between rounds when idle, and how often the stop flag is looked at.
const IDLE_WAIT: Duration = Duration::from_millis(500);
/// How long a handled activity's id is kept to recognise a replay: well past the 13 hours in
/// which its signature's Date is accepted, after which a replay is refused by the date alone.
const KEEP_HANDLED_MS: i64 = 2 * 24 * 3_600_000;
/// How often an idle worker forgets the ids past that.
const FORGET_EVERY_MS: i64 = 3_600_000;

/// The worker: its own connection, client and key (one per thread). Made like
/// `delivery::Worker`, and every queue worker after them: an opened connection (the caller
/// opens the database, so a broken one is reported at start-up and tests hand in their own),
/// then the owner's signed-client parts (client, key, key id), then what this queue needs;
/// `run_once(now)` steps it by hand, [`spawn`] runs it on a thread.
pub struct InboxWorker {
    conn: Connection,
    client: Arc<Client>,
    key: Arc<SigningKey>,
    key_id: String,
    urls: Urls,
    forgotten_at: Timestamp,
}

impl InboxWorker {
    pub fn new(
        conn: Connection,
        client: Arc<Client>,
        key: Arc<SigningKey>,
        key_id: String,
        urls: Urls,
    ) -> Self {
        InboxWorker {
            conn,
            client,
            key,
            key_id,
            urls,
            forgotten_at: Timestamp(0),
        }
    }

    /// Handles every row due at `now`; returns how many rows it took.
    pub fn run_once(&mut self, now: Timestamp) -> Result<usize, String> {
        let remote = Remote::new(&self.client, &self.key, &self.key_id);
        let taken = process_due(&mut self.conn, &remote, &self.urls, now)?;
        if taken == 0 && now.0 - self.forgotten_at.0 >= FORGET_EVERY_MS {
            inbound::forget_processed(&self.conn, Timestamp(now.0 - KEEP_HANDLED_MS))
                .map_err(|e| format!("inbound queue: {e}"))?;
            self.forgotten_at = now;
        }
        Ok(taken)
    }
}

/// Runs the worker on its own thread until `stop` is set; it finishes the row in hand first.
pub fn spawn(mut worker: InboxWorker, stop: Arc<AtomicBool>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("perch-inbox".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match worker.run_once(Timestamp::now()) {
                    // More may be waiting.
                    Ok(taken) if taken > 0 => continue,
                    Ok(_) => {}
                    Err(e) => crate::log::warn("inbox", "worker run failed", &[("error", &e)]),
                }
                std::thread::park_timeout(IDLE_WAIT);
            }
        })
}

/// Handles every inbound row due at `now`, oldest first, through `remote`.
pub fn process_due(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    now: Timestamp,
) -> Result<usize, String> {
    let rows = inbound::due(conn, now, BATCH).map_err(|e| format!("inbound queue: {e}"))?;
    for row in &rows {
        process(conn, remote, urls, row, now).map_err(|e| format!("inbound queue: {e}"))?;
    }
    Ok(rows.len())
}

fn process(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    row: &Inbound,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let cx = Context::new(urls, remote, now, Some(row.id));
    let parsed = serde_json::from_str(&row.body)
        .map_err(|_| "the stored body is not JSON")
        .and_then(activity::parse);
    let result = match parsed {
        Ok(activity) if activity.actor != row.actor_uri => Err(Failure::Permanent(
            "the actor is not the one verified".into(),
        )),
        Ok(activity) => handle(conn, &cx, &activity),
        Err(why) => Err(Failure::Permanent(why.into())),
    };
    if cx.marked() {
        return Ok(());
    }
    match result {
        Ok(outcome) => inbound::mark_processed(conn, row.id, outcome.note().as_deref(), now),
        Err(Failure::Permanent(why)) => inbound::mark_processed(conn, row.id, Some(&why), now),
        Err(Failure::Transient(why)) => match BACKOFF.after(row.attempts + 1) {
            Some(wait) => {
                let wait = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                inbound::retry_later(conn, row.id, &why, Timestamp(now.0.saturating_add(wait)))
            }
            None => {
                let note = format!("gave up after {} tries: {why}", row.attempts + 1);
                inbound::mark_processed(conn, row.id, Some(&note), now)
            }
        },
    }
}

#[cfg(test)]
mod tests;
