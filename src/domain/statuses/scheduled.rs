//! Scheduled statuses: kept with their request until their time, then published by
//! [`ScheduledWorker`] (a queue worker of the delivery worker's shape) through
//! `domain::posts::publish_extra`. Their images stay free uploads until then.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use crate::delivery::Backoff;
use crate::domain::actors::Remote;
use crate::error::{Error, Result};
use crate::federation::client::Client;
use crate::federation::keys::SigningKey;
use crate::model::{Media, Range, Timestamp};
use crate::store::{self, media as stored_media, statuses as stored};
use crate::urls::Urls;

use super::create::{self, NewStatus, MIN_SCHEDULE_AHEAD_MS};

/// Tries after a passing failure (the database busy, say); then the post is given up.
const RETRY: Backoff = Backoff::new(&[
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
]);
/// Scheduled posts published per run.
const BATCH: usize = 20;
/// The longest nap between runs: a post is published within this of its time.
const POLL: Duration = Duration::from_secs(5);

/// A scheduled status with its images.
#[derive(Clone, Debug)]
pub struct ScheduledView {
    pub id: i64,
    pub scheduled_at: Timestamp,
    pub params: NewStatus,
    pub media: Vec<Media>,
}

fn view(conn: &Connection, row: stored::Scheduled) -> Result<ScheduledView> {
    let params: NewStatus = serde_json::from_str(&row.params)
        .map_err(|e| Error::internal(format!("a scheduled status is unreadable: {e}")))?;
    let mut media = Vec::new();
    for id in &params.media_ids {
        media.extend(stored_media::get(conn, *id)?);
    }
    Ok(ScheduledView {
        id: row.id,
        scheduled_at: row.scheduled_at,
        params,
        media,
    })
}

fn check_time(at: Timestamp, now: Timestamp) -> Result<()> {
    if at.0 < now.0 + MIN_SCHEDULE_AHEAD_MS {
        return Err(Error::new(
            422,
            "Validation failed: Scheduled at must be at least 5 minutes in the future",
        ));
    }
    Ok(())
}

/// Keeps `new` to publish at `at` (at least five minutes ahead). Its text and images are
/// checked now, so that a refusal comes while the owner is there to see it.
pub fn schedule(
    conn: &mut Connection,
    _urls: &Urls,
    new: &NewStatus,
    at: Timestamp,
    now: Timestamp,
) -> Result<ScheduledView> {
    check_time(at, now)?;
    if new.text.trim().is_empty() {
        return Err(Error::new(422, "Validation failed: Text can't be blank"));
    }
    if new.text.chars().count() > crate::model::MAX_POST_CHARS {
        return Err(Error::new(422, "Validation failed: the post is too long"));
    }
    crate::domain::attachments::check_count(0, new.media_ids.len())?;
    for id in &new.media_ids {
        if !stored_media::is_free_upload(conn, *id)? {
            return Err(Error::new(
                422,
                format!("media {id} is unknown or attached already"),
            ));
        }
    }
    let row = stored::Scheduled {
        id: store::new_id(now),
        scheduled_at: at,
        params: serde_json::to_string(new).map_err(Error::internal)?,
        attempts: 0,
    };
    store::write(conn, |tx| stored::schedule(tx, &row, now))?;
    view(conn, row)
}

pub fn get(conn: &Connection, _urls: &Urls, id: i64) -> Result<ScheduledView> {
    let row = stored::scheduled(conn, id)?.ok_or_else(Error::not_found)?;
    view(conn, row)
}

pub fn list(conn: &Connection, range: &Range) -> Result<Vec<ScheduledView>> {
    stored::scheduled_page(conn, range)?
        .into_iter()
        .map(|row| view(conn, row))
        .collect()
}

pub fn reschedule(
    conn: &mut Connection,
    id: i64,
    at: Timestamp,
    now: Timestamp,
) -> Result<ScheduledView> {
    check_time(at, now)?;
    let row = stored::scheduled(conn, id)?.ok_or_else(Error::not_found)?;
    store::write(conn, |tx| stored::reschedule(tx, id, at, &row.params))?;
    view(
        conn,
        stored::scheduled(conn, id)?.ok_or_else(Error::not_found)?,
    )
}

pub fn cancel(conn: &mut Connection, id: i64) -> Result<()> {
    if !store::write(conn, |tx| stored::unschedule(tx, id))? {
        return Err(Error::not_found());
    }
    Ok(())
}

/// Publishes scheduled statuses when their time comes: an opened connection, the owner's
/// signed-client parts (for mentions), the URLs. `run_once(now)` steps it by hand.
pub struct ScheduledWorker {
    conn: Connection,
    client: Arc<Client>,
    key: Arc<SigningKey>,
    key_id: String,
    urls: Urls,
}

impl ScheduledWorker {
    pub fn new(
        conn: Connection,
        client: Arc<Client>,
        key: Arc<SigningKey>,
        key_id: String,
        urls: Urls,
    ) -> ScheduledWorker {
        ScheduledWorker {
            conn,
            client,
            key,
            key_id,
            urls,
        }
    }

    /// Publishes what is due at `now`; returns how many were published.
    pub fn run_once(&mut self, now: Timestamp) -> std::result::Result<usize, String> {
        let due = stored::due(&self.conn, now, BATCH).map_err(|e| format!("scheduled: {e}"))?;
        let remote = Remote::new(&self.client, &self.key, &self.key_id);
        let mut published = 0;
        for row in due {
            let result = serde_json::from_str::<NewStatus>(&row.params)
                .map_err(|e| Error::new(422, format!("unreadable: {e}")))
                .and_then(|new| {
                    create::publish(&mut self.conn, &self.urls, Some(&remote), &new, now)
                });
            let (id, attempts) = (row.id, row.attempts + 1);
            let outcome = match &result {
                Ok(_) => store::write(&mut self.conn, |tx| stored::unschedule(tx, id).map(|_| ())),
                Err(e) => {
                    let retry = (e.status >= 500).then(|| RETRY.after(attempts)).flatten();
                    crate::log::warn(
                        "scheduled",
                        if retry.is_some() {
                            "publishing failed, will retry"
                        } else {
                            "publishing failed, given up"
                        },
                        &[("id", &id), ("error", e)],
                    );
                    store::write(&mut self.conn, |tx| match retry {
                        Some(wait) => {
                            let at = Timestamp(now.0 + wait.as_millis() as i64);
                            stored::retry_later(tx, id, at, &e.message)
                        }
                        None => stored::unschedule(tx, id).map(|_| ()),
                    })
                }
            };
            outcome.map_err(|e: rusqlite::Error| format!("scheduled: {e}"))?;
            published += usize::from(result.is_ok());
        }
        Ok(published)
    }

    pub fn next_due(&self) -> std::result::Result<Option<Timestamp>, String> {
        stored::next_due(&self.conn).map_err(|e| format!("scheduled: {e}"))
    }
}

/// Runs the worker on its own thread until `stop` is set.
pub fn spawn(
    mut worker: ScheduledWorker,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("perch-scheduled".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Err(e) = worker.run_once(Timestamp::now()) {
                    crate::log::warn("scheduled", "worker run failed", &[("error", &e)]);
                }
                let pause = match worker.next_due() {
                    Ok(Some(due)) => {
                        let wait = due.0.saturating_sub(Timestamp::now().0).max(0) as u64;
                        Duration::from_millis(wait).min(POLL)
                    }
                    _ => POLL,
                };
                std::thread::park_timeout(pause);
            }
        })
}
