//! The outgoing delivery queue: activity bodies (`outbound_activities`), one row per (activity,
//! inbox) (`deliveries`), and the per-host circuit breaker (`hosts`). Plain SQL only: what an
//! answer means, and when to try again, is decided in `crate::delivery`.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Timestamp;

/// A delivery that is due, as the worker needs it (the body is read once per activity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub activity_id: i64,
    pub inbox: String,
    /// `host[:port]` of the inbox: the circuit breaker's key.
    pub host: String,
    /// Tries made so far.
    pub attempts: u32,
    pub created_at: Timestamp,
}

/// A host's circuit breaker state; no row means the host is healthy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostRecord {
    /// Failures in a row since the last answer.
    pub failures: u32,
    pub failing_since: Option<Timestamp>,
    /// Nothing is sent to the host before this time.
    pub retry_at: Option<Timestamp>,
}

/// Stores an activity's body once, keyed by its id; a second call with the same `uri` keeps the
/// first body. Returns the row id.
pub fn insert_activity(
    conn: &Connection,
    uri: &str,
    body: &str,
    now: Timestamp,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO outbound_activities (uri, body, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (uri) DO NOTHING",
    )?
    .execute(params![uri, body, now.0])?;
    conn.prepare_cached("SELECT id FROM outbound_activities WHERE uri = ?1")?
        .query_row([uri], |row| row.get(0))
}

/// Queues one delivery, due now, or when the host's breaker opens again if that is later.
/// False when the (activity, inbox) pair was already queued.
pub fn insert(
    conn: &Connection,
    activity_id: i64,
    inbox: &str,
    host: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO deliveries (activity_id, inbox, host, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, max(?4, ifnull((SELECT retry_at FROM hosts WHERE host = ?3), 0)), ?4)
             ON CONFLICT (activity_id, inbox) DO NOTHING",
        )?
        .execute(params![activity_id, inbox, host, now.0])?;
    Ok(inserted == 1)
}

/// Up to `limit` deliveries due at `now`, oldest due first, at most `per_host` for each host (its
/// lowest ids), none for a host whose breaker is open.
pub fn due(
    conn: &Connection,
    now: Timestamp,
    limit: usize,
    per_host: usize,
) -> rusqlite::Result<Vec<Pending>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, activity_id, inbox, host, attempts, created_at FROM (
             SELECT d.*, row_number() OVER (PARTITION BY d.host ORDER BY d.id) AS place
             FROM deliveries d
             WHERE d.next_attempt_at <= ?1
               AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.host = d.host AND h.retry_at > ?1))
         WHERE place <= ?3
         ORDER BY next_attempt_at, id
         LIMIT ?2",
    )?;
    let rows = statement.query_map(params![now.0, limit as i64, per_host as i64], |row| {
        Ok(Pending {
            id: row.get(0)?,
            activity_id: row.get(1)?,
            inbox: row.get(2)?,
            host: row.get(3)?,
            attempts: row.get(4)?,
            created_at: Timestamp(row.get(5)?),
        })
    })?;
    rows.collect()
}

pub fn body(conn: &Connection, activity_id: i64) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT body FROM outbound_activities WHERE id = ?1")?
        .query_row([activity_id], |row| row.get(0))
        .optional()
}

/// The earliest time any delivery is due. Rows of a host whose breaker is open are kept due no
/// earlier than its `retry_at` (see [`postpone_host`]), so this needs no join.
pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<Timestamp>> {
    conn.prepare_cached("SELECT min(next_attempt_at) FROM deliveries")?
        .query_row([], |row| row.get::<_, Option<i64>>(0))
        .map(|at| at.map(Timestamp))
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<(u32, Timestamp)>> {
    conn.prepare_cached("SELECT attempts, next_attempt_at FROM deliveries WHERE id = ?1")?
        .query_row([id], |row| Ok((row.get(0)?, Timestamp(row.get(1)?))))
        .optional()
}

pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.cached_row("SELECT count(*) FROM deliveries", [], |row| {
        row.get::<_, i64>(0).map(|n| n as u64)
    })
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    let deleted = conn
        .prepare_cached("DELETE FROM deliveries WHERE id = ?1")?
        .execute([id])?;
    Ok(deleted == 1)
}

/// Records a failed try: the new try count, when to try next and why it failed.
pub fn reschedule(
    conn: &Connection,
    id: i64,
    attempts: u32,
    next_attempt_at: Timestamp,
    last_status: Option<u16>,
    last_error: Option<&str>,
) -> rusqlite::Result<bool> {
    let updated = conn
        .prepare_cached(
            "UPDATE deliveries SET attempts = ?2, next_attempt_at = ?3, last_status = ?4,
             last_error = ?5 WHERE id = ?1",
        )?
        .execute(params![
            id,
            attempts,
            next_attempt_at.0,
            last_status,
            last_error
        ])?;
    Ok(updated == 1)
}

/// Removes every pending delivery to `inbox` (it answered 410 Gone). Returns how many.
pub fn delete_for_inbox(conn: &Connection, inbox: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM deliveries WHERE inbox = ?1")?
        .execute([inbox])
}

/// Moves every delivery to `host` due before `until` to `until`, leaving its try count alone.
/// Returns how many moved.
pub fn postpone_host(conn: &Connection, host: &str, until: Timestamp) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE deliveries SET next_attempt_at = ?2 WHERE host = ?1 AND next_attempt_at < ?2",
    )?
    .execute(params![host, until.0])
}

/// Removes the deliveries to `host` queued before `created_before`. Returns how many.
pub fn delete_older_for_host(
    conn: &Connection,
    host: &str,
    created_before: Timestamp,
) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM deliveries WHERE host = ?1 AND created_at < ?2")?
        .execute(params![host, created_before.0])
}

/// Removes the bodies no delivery needs any more. Returns how many.
pub fn delete_finished_activities(conn: &Connection) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "DELETE FROM outbound_activities WHERE NOT EXISTS
         (SELECT 1 FROM deliveries WHERE deliveries.activity_id = outbound_activities.id)",
    )?
    .execute([])
}

pub fn activity_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.cached_row("SELECT count(*) FROM outbound_activities", [], |row| {
        row.get::<_, i64>(0).map(|n| n as u64)
    })
}

pub fn host(conn: &Connection, host: &str) -> rusqlite::Result<Option<HostRecord>> {
    conn.prepare_cached("SELECT failures, failing_since, retry_at FROM hosts WHERE host = ?1")?
        .query_row([host], host_record)
        .optional()
}

/// Counts one more failure in a row for `host` and returns its record.
pub fn record_host_failure(
    conn: &Connection,
    host: &str,
    now: Timestamp,
) -> rusqlite::Result<HostRecord> {
    conn.prepare_cached(
        "INSERT INTO hosts (host, failures, failing_since) VALUES (?1, 1, ?2)
         ON CONFLICT (host) DO UPDATE SET failures = failures + 1,
             failing_since = ifnull(failing_since, excluded.failing_since)
         RETURNING failures, failing_since, retry_at",
    )?
    .query_row(params![host, now.0], host_record)
}

/// Opens the breaker of a host (which must have a record) until `until`, or leaves a later time.
pub fn pause_host(conn: &Connection, host: &str, until: Timestamp) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE hosts SET retry_at = max(ifnull(retry_at, 0), ?2) WHERE host = ?1",
    )?
    .execute(params![host, until.0])?;
    Ok(())
}

/// The host answered: forget its failures.
pub fn clear_host(conn: &Connection, host: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM hosts WHERE host = ?1")?
        .execute([host])?;
    Ok(())
}

fn host_record(row: &rusqlite::Row) -> rusqlite::Result<HostRecord> {
    Ok(HostRecord {
        failures: row.get(0)?,
        failing_since: row.get::<_, Option<i64>>(1)?.map(Timestamp),
        retry_at: row.get::<_, Option<i64>>(2)?.map(Timestamp),
    })
}

#[cfg(test)]
mod tests;
