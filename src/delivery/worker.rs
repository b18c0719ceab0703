//! The worker: reads what is due, sends it from a few threads at once, then records every
//! outcome in one transaction. The SQLite write lock is never held during network I/O.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;

use super::knock::{self, Known};
use super::{
    classify, is_host_failure, DeliveryOutcome, RunReport, BREAKER_MAX_PAUSE, BREAKER_PAUSE,
    BREAKER_THRESHOLD, MAX_AGE, MAX_RETRY_AFTER,
};
use crate::federation::client::{Client, FetchError, PostResponse};
use crate::federation::keys::SigningKey;
use crate::federation::signatures::{Scheme, Signer};
use crate::model::Timestamp;
use crate::store;
use crate::store::deliveries::Pending;

/// Deliveries read per run: a fan-out to 1,000 shared inboxes takes four runs.
pub(super) const BATCH: usize = 256;
/// Deliveries per host per run, sent one after another in queue order (so a Create goes before
/// its Delete in the same run), so that one host's backlog cannot fill a batch.
pub(super) const PER_HOST: usize = 32;
/// Sender threads; RSA signing (~1,400/s per core) and waiting on remote servers overlap.
const SENDERS: usize = 16;
/// The clock skew seen in answers is stored at most this often (for `perch doctor`).
const SKEW_EVERY: Duration = Duration::from_secs(60);

/// The delivery worker: its own connection, the guarded client, the owner's key and its id.
pub struct Worker {
    conn: Connection,
    client: Arc<Client>,
    key: Arc<SigningKey>,
    key_id: String,
    /// When the skew was last stored, so that a busy queue does not write it every run.
    skew_stored: Option<Timestamp>,
}

/// One try: the delivery, the raw answer and what it means.
pub(super) struct Attempt {
    delivery: Pending,
    result: Result<PostResponse, FetchError>,
    outcome: DeliveryOutcome,
    /// The signature scheme the host accepted, if it accepted one.
    worked: Option<Scheme>,
}

impl Worker {
    /// Takes an opened connection (moved to the worker's thread, used by nothing else) and the
    /// parts of the owner's signed client, as every queue worker does (see `domain::inbox::
    /// InboxWorker`): the caller opens the database, so a missing or broken one is reported at
    /// start-up where the configuration is known, and a test can hand in any connection.
    pub fn new(
        conn: Connection,
        client: Arc<Client>,
        key: Arc<SigningKey>,
        key_id: String,
    ) -> Worker {
        Worker {
            conn,
            client,
            key,
            key_id,
            skew_stored: None,
        }
    }

    /// Sends every delivery due at `now` (up to a batch), concurrently, then records all outcomes
    /// in one transaction.
    pub fn run_once(&mut self, now: Timestamp) -> Result<RunReport, String> {
        let queue_error = |e: rusqlite::Error| format!("cannot read the delivery queue: {e}");
        let due = store::deliveries::due(&self.conn, now, BATCH, PER_HOST).map_err(queue_error)?;
        if due.is_empty() {
            return Ok(RunReport::default());
        }
        let mut bodies = HashMap::new();
        for delivery in &due {
            if let Entry::Vacant(slot) = bodies.entry(delivery.activity_id) {
                // The foreign key makes a missing body impossible; such a row would be skipped.
                if let Some(body) = store::deliveries::body(&self.conn, delivery.activity_id)
                    .map_err(queue_error)?
                {
                    slot.insert(body);
                }
            }
        }
        let mut known: HashMap<String, Known> = HashMap::new();
        for delivery in &due {
            if !known.contains_key(&delivery.host) {
                let first = knock::known(&self.conn, &delivery.host, now).map_err(queue_error)?;
                known.insert(delivery.host.clone(), first);
            }
        }
        let attempts = self.send(&by_host(due), &bodies, &known);
        let worked: HashMap<String, Scheme> = attempts
            .iter()
            .filter_map(|a| Some((a.delivery.host.clone(), a.worked?)))
            .collect();
        let skew = self
            .skew_stored
            .is_none_or(|at| now.0.saturating_sub(at.0) >= millis(SKEW_EVERY))
            .then(|| median_skew(&attempts))
            .flatten();
        let report = store::write(&mut self.conn, |tx| {
            let report = record(tx, &attempts, now)?;
            knock::remember(tx, &known, &worked, now)?;
            if let Some(skew) = skew {
                store::settings::set_remote_date_skew(tx, skew, now)?;
            }
            Ok(report)
        })
        .map_err(|e: rusqlite::Error| format!("cannot record deliveries: {e}"))?;
        if skew.is_some() {
            self.skew_stored = Some(now);
        }
        Ok(report)
    }

    /// When the next delivery is due (for sleeping), or None when the queue is empty.
    pub fn next_due(&self) -> Result<Option<Timestamp>, String> {
        store::deliveries::next_due(&self.conn)
            .map_err(|e| format!("cannot read the delivery queue: {e}"))
    }

    /// Sends the host groups from up to [`SENDERS`] threads; each thread takes whole groups.
    pub(super) fn send(
        &self,
        groups: &[Vec<Pending>],
        bodies: &HashMap<i64, String>,
        known: &HashMap<String, Known>,
    ) -> Vec<Attempt> {
        let signer = Signer {
            key: &self.key,
            key_id: &self.key_id,
        };
        let client = &self.client; // the connection must not be shared with the threads
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            while let Some(group) = groups.get(next.fetch_add(1, Ordering::Relaxed)) {
                let first = group
                    .first()
                    .and_then(|d| known.get(&d.host))
                    .map_or(Scheme::Cavage, |k| k.scheme);
                done.push(send_group(client, &signer, group, bodies, first));
            }
            done
        };
        let mut done: Vec<Vec<Attempt>> = Vec::new();
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..SENDERS.min(groups.len()))
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
                .collect();
            if handles.is_empty() {
                // No thread could be started: send from this one rather than not at all.
                done.extend(work());
            }
            for handle in handles {
                match handle.join() {
                    Ok(mine) => done.extend(mine),
                    // Unrecorded, so sent again next run: at least once still holds.
                    Err(_) => crate::log::warn(
                        "delivery",
                        "a sender thread failed; its deliveries will be retried",
                        &[],
                    ),
                }
            }
        });
        done.into_iter().flatten().collect()
    }
}

/// The batch split by host, each group in queue order.
pub(super) fn by_host(due: Vec<Pending>) -> Vec<Vec<Pending>> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Vec<Pending>> = Vec::new();
    for delivery in due {
        match index.get(&delivery.host) {
            Some(&i) => groups[i].push(delivery),
            None => {
                index.insert(delivery.host.clone(), groups.len());
                groups.push(vec![delivery]);
            }
        }
    }
    for group in &mut groups {
        group.sort_by_key(|d| d.id);
    }
    groups
}

/// Sends one host's deliveries in order. Stops at the first sign of the host being in trouble:
/// the rest wait for the next run rather than each paying the same timeout.
fn send_group(
    client: &Client,
    signer: &Signer,
    group: &[Pending],
    bodies: &HashMap<i64, String>,
    mut scheme: Scheme,
) -> Vec<Attempt> {
    let mut attempts = Vec::new();
    let mut gone: Vec<&str> = Vec::new();
    for delivery in group {
        if gone.contains(&delivery.inbox.as_str()) {
            continue; // removed with the 410 when recorded
        }
        let Some(body) = bodies.get(&delivery.activity_id) else {
            continue;
        };
        let (result, worked) =
            knock::post(client, &delivery.inbox, body.as_bytes(), signer, scheme);
        // The rest of the group knocks first with what just worked.
        if let Some(worked) = worked {
            scheme = worked;
        }
        let outcome = classify(&result, delivery.attempts + 1);
        let host_failed = is_host_failure(&result);
        if outcome == DeliveryOutcome::Gone {
            gone.push(&delivery.inbox);
        }
        attempts.push(Attempt {
            delivery: delivery.clone(),
            result,
            outcome,
            worked,
        });
        if host_failed {
            break;
        }
    }
    attempts
}

/// Applies a run's outcomes: rows delivered or dropped are deleted, failed ones rescheduled;
/// hosts' breakers are updated; bodies nothing needs any more are removed.
fn record(tx: &Connection, attempts: &[Attempt], now: Timestamp) -> rusqlite::Result<RunReport> {
    let mut report = RunReport::default();
    let mut failed_hosts: Vec<&str> = Vec::new();
    let expired_before = Timestamp(now.0.saturating_sub(millis(MAX_AGE)));
    for Attempt {
        delivery,
        result,
        outcome,
        ..
    } in attempts
    {
        let host = delivery.host.as_str();
        if is_host_failure(result) {
            let record = store::deliveries::record_host_failure(tx, host, now)?;
            let mut pause = None;
            if record.failures >= BREAKER_THRESHOLD {
                pause = Some(breaker_pause(record.failures));
            }
            // A host asking us to wait (429, 503) means all of its inboxes.
            if let Ok(PostResponse {
                retry_after: Some(wait),
                ..
            }) = result
            {
                pause = pause.max(Some((*wait).min(MAX_RETRY_AFTER)));
            }
            if let Some(pause) = pause {
                store::deliveries::pause_host(tx, host, later(now, pause))?;
            }
            if !failed_hosts.contains(&host) {
                failed_hosts.push(host);
            }
        } else if result.is_ok() {
            store::deliveries::clear_host(tx, host)?;
        }

        match outcome {
            DeliveryOutcome::Delivered => {
                store::deliveries::delete(tx, delivery.id)?;
                report.delivered += 1;
            }
            DeliveryOutcome::Gone => {
                store::deliveries::delete(tx, delivery.id)?;
                let others = store::deliveries::delete_for_inbox(tx, &delivery.inbox)?;
                crate::log::info(
                    "delivery",
                    "410 Gone for an inbox; deliveries to it dropped",
                    &[("host", &host), ("dropped", &(1 + others))],
                );
                report.dropped += 1 + others;
                if !report.gone_inboxes.contains(&delivery.inbox) {
                    // Nobody behind that inbox can be reached any more: their follows of us go.
                    let removed = store::follows::delete_followers_at_inbox(tx, &delivery.inbox)?;
                    if removed > 0 {
                        crate::log::info(
                            "delivery",
                            "410 Gone; followers at that inbox removed",
                            &[("host", &host), ("removed", &removed)],
                        );
                    }
                    report.followers_removed += removed;
                    report.gone_inboxes.push(delivery.inbox.clone());
                }
            }
            DeliveryOutcome::Dropped { .. } => {
                store::deliveries::delete(tx, delivery.id)?;
                let tries = delivery.attempts + 1;
                crate::log::info(
                    "delivery",
                    "dropped a delivery",
                    &[
                        ("host", &host),
                        ("try", &tries),
                        ("error", &describe(result)),
                    ],
                );
                report.dropped += 1;
            }
            DeliveryOutcome::Retry { .. } if delivery.created_at < expired_before => {
                store::deliveries::delete(tx, delivery.id)?;
                crate::log::info(
                    "delivery",
                    "dropped a delivery queued too long ago",
                    &[
                        ("host", &host),
                        ("max_days", &(MAX_AGE.as_secs() / 86_400)),
                        ("error", &describe(result)),
                    ],
                );
                report.dropped += 1;
            }
            DeliveryOutcome::Retry { after } => {
                crate::log::info(
                    "delivery",
                    "failed; will retry",
                    &[
                        ("host", &host),
                        ("try", &(delivery.attempts + 1)),
                        ("error", &describe(result)),
                    ],
                );
                let status = result.as_ref().ok().map(|response| response.status);
                store::deliveries::reschedule(
                    tx,
                    delivery.id,
                    delivery.attempts + 1,
                    later(now, *after),
                    status,
                    Some(&describe(result)),
                )?;
                report.retried += 1;
            }
        }
    }

    // After the rows above, so that a rescheduled row is also kept behind its host's pause.
    for host in failed_hosts {
        let retry_at = store::deliveries::host(tx, host)?.and_then(|record| record.retry_at);
        if let Some(until) = retry_at.filter(|&until| until > now) {
            report.postponed += store::deliveries::postpone_host(tx, host, until)?;
        }
        let expired = store::deliveries::delete_older_for_host(tx, host, expired_before)?;
        if expired > 0 {
            crate::log::info(
                "delivery",
                "host failing; deliveries queued too long ago dropped",
                &[
                    ("host", &host),
                    ("max_days", &(MAX_AGE.as_secs() / 86_400)),
                    ("dropped", &expired),
                ],
            );
            report.dropped += expired;
        }
    }
    store::deliveries::delete_finished_activities(tx)?;
    Ok(report)
}

/// The breaker's pause after `failures` in a row: doubling from [`BREAKER_PAUSE`], capped.
pub(super) fn breaker_pause(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(BREAKER_THRESHOLD).min(16);
    (BREAKER_PAUSE * (1u32 << doublings)).min(BREAKER_MAX_PAUSE)
}

/// The middle of the answers' clock skews: one remote server with a wrong clock is not ours.
pub(super) fn median_skew(attempts: &[Attempt]) -> Option<i64> {
    let mut skews: Vec<i64> = attempts
        .iter()
        .filter_map(|a| a.result.as_ref().ok()?.date_skew)
        .collect();
    skews.sort_unstable();
    skews.get(skews.len() / 2).copied()
}

/// One line for the log and `last_error`: the status or the error, never the body.
fn describe(result: &Result<PostResponse, FetchError>) -> String {
    match result {
        Ok(response) => format!("HTTP {}", response.status),
        Err(error) => error.to_string(),
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn later(now: Timestamp, wait: Duration) -> Timestamp {
    Timestamp(now.0.saturating_add(millis(wait)))
}
