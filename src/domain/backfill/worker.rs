//! The fetch worker: takes queued GETs oldest first (so threads are walked breadth first), does
//! each through the budgets, and records its outcome and the GETs it leads to in one
//! transaction. The write lock is never held during a GET.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use crate::delivery::Backoff;
use crate::federation::client::Client;
use crate::federation::keys::SigningKey;
use crate::model::Timestamp;
use crate::store::{self, fetches};
use crate::urls::Urls;

use super::super::actors::{Fetch, Remote};
use super::super::transfer;
use super::polite::{Polite, DAY_MS};
use super::steps::{self, Cx};
use super::{queue, Step};

/// GETs taken per run; few, so that a stop is seen soon even when remote servers are slow.
const BATCH: usize = 4;
/// Waits before each retry of a GET that failed on the network or a 5xx.
const BACKOFF: Backoff = Backoff::new(&[
    Duration::from_secs(60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(60 * 60),
]);
/// Longest sleep between runs when idle.
const IDLE_WAIT: Duration = Duration::from_millis(500);
/// How often an idle worker forgets URLs fetched more than a day ago.
const FORGET_EVERY_MS: i64 = 3_600_000;

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Queued GETs taken (done, given up or postponed).
    pub taken: usize,
    /// Requests sent to remote servers.
    pub requests: u32,
    /// Posts and boosts stored.
    pub stored: i64,
    /// GETs put back because a budget was spent.
    pub postponed: usize,
}

/// The worker, made like `delivery::Worker`: its own connection, the owner's signed-client
/// parts, then our URLs.
pub struct Worker {
    conn: Connection,
    client: Arc<Client>,
    key: Arc<SigningKey>,
    key_id: String,
    urls: Urls,
    forgotten_at: Timestamp,
    /// CSV imports queued on the settings page are worked through here too, at their pace.
    imports: transfer::Pace,
}

impl Worker {
    pub fn new(
        conn: Connection,
        client: Arc<Client>,
        key: Arc<SigningKey>,
        key_id: String,
        urls: Urls,
    ) -> Worker {
        Worker {
            conn,
            client,
            key,
            key_id,
            urls,
            forgotten_at: Timestamp(0),
            imports: transfer::Pace::default(),
        }
    }

    /// Does the GETs due at `now` (a few); nothing while backfill is switched off.
    pub fn run_once(&mut self, now: Timestamp) -> Result<RunReport, String> {
        let remote = Remote::new(&self.client, &self.key, &self.key_id);
        let report = run_due(&mut self.conn, &remote, &self.urls, now)?;
        if report.taken == 0 && now.0 - self.forgotten_at.0 >= FORGET_EVERY_MS {
            fetches::forget_urls(&self.conn, Timestamp(now.0 - DAY_MS))
                .map_err(|e| format!("fetch queue: {e}"))?;
            self.forgotten_at = now;
        }
        Ok(report)
    }

    /// Applies the next lines of a queued CSV import (whether or not backfill is on).
    pub fn run_imports(&mut self, now: Timestamp) -> Result<transfer::Progress, String> {
        let remote = Remote::new(&self.client, &self.key, &self.key_id);
        transfer::run_imports(&mut self.conn, &remote, &self.urls, now, &mut self.imports)
            .map_err(|e| format!("import: {}", e.message))
    }

    /// When the next GET is due, or None when the queue is empty.
    pub fn next_due(&self) -> Result<Option<Timestamp>, String> {
        fetches::next_due(&self.conn).map_err(|e| format!("fetch queue: {e}"))
    }
}

/// Runs the worker on its own thread until `stop` is set; it finishes the GET in hand first.
pub fn spawn(mut worker: Worker, stop: Arc<AtomicBool>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("perch-backfill".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let imported = match worker.run_imports(Timestamp::now()) {
                    Ok(progress) => matches!(progress, transfer::Progress::Applied(_)),
                    Err(e) => {
                        crate::log::warn("import", "worker run failed", &[("error", &e)]);
                        false
                    }
                };
                match worker.run_once(Timestamp::now()) {
                    Ok(report) if report.taken > report.postponed => continue,
                    Ok(_) => {}
                    Err(e) => crate::log::warn("backfill", "worker run failed", &[("error", &e)]),
                }
                if !imported {
                    std::thread::park_timeout(IDLE_WAIT);
                }
            }
        })
}

/// Does the GETs due at `now` through `remote`: the worker's run, for tests with any remote.
pub fn run_due(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    now: Timestamp,
) -> Result<RunReport, String> {
    let queue_error = |e: rusqlite::Error| format!("fetch queue: {e}");
    let mut report = RunReport::default();
    if !super::enabled(conn).map_err(queue_error)? {
        return Ok(report);
    }
    for job in fetches::due(conn, now, BATCH).map_err(queue_error)? {
        report.taken += 1;
        let step = Step::parse(&job.step);
        let wants_posts = !matches!(step, Some(Step::Featured | Step::Replies | Step::Context));
        let (Some(step), true) = (step, job.posts_left > 0 || !wants_posts) else {
            // Its request has all the posts it may have (or the step is unknown).
            fetches::delete(conn, job.id).map_err(queue_error)?;
            continue;
        };
        let polite = Polite::new(remote, conn, now, &job.url);
        let cx = Cx {
            conn,
            remote: &polite,
            urls,
            job: &job,
            now,
        };
        let result = steps::run(&cx, step);
        report.requests += polite.requests.get();
        let wait_until = polite.wait_until.get();
        let transient = polite.transient.get();
        store::write(conn, |tx| {
            if let Some(until) = wait_until {
                // A budget was spent: the whole step again once it is renewed.
                report.postponed += 1;
                return fetches::reschedule(tx, job.id, job.attempts, until);
            }
            match result {
                Ok(done) => {
                    fetches::delete(tx, job.id)?;
                    for (step, url, level) in &done.children {
                        queue(tx, job.request_id, *step, url, *level, now)?;
                    }
                    fetches::spend_posts(tx, job.request_id, done.spent.max(done.stored))?;
                    report.stored += done.stored;
                    Ok(())
                }
                Err(why) if transient => match BACKOFF.after(job.attempts + 1) {
                    Some(wait) => {
                        let at = Timestamp(now.0.saturating_add(wait.as_millis() as i64));
                        fetches::reschedule(tx, job.id, job.attempts + 1, at)
                    }
                    None => {
                        crate::log::info(
                            "backfill",
                            "gave up",
                            &[("url", &job.url), ("why", &why)],
                        );
                        fetches::record_url(tx, &job.url, true, now)?;
                        fetches::delete(tx, job.id)
                    }
                },
                Err(why) => {
                    crate::log::info(
                        "backfill",
                        "nothing kept",
                        &[("step", &job.step), ("url", &job.url), ("why", &why)],
                    );
                    fetches::delete(tx, job.id)
                }
            }
        })
        .map_err(queue_error)?;
    }
    Ok(report)
}
