//! The inbound queue: verified activities waiting for the inbox worker. Rows stay after
//! processing, without their body, so that a replayed activity id is recognised and changes
//! nothing.

use super::CachedRow;
use rusqlite::{params, Connection};

use crate::model::Timestamp;

use super::{new_id, write};

/// One queued activity.
#[derive(Clone, Debug)]
pub struct Inbound {
    pub id: i64,
    pub activity_uri: String,
    pub actor_uri: String,
    pub body: String,
    pub attempts: u32,
}

/// A verified activity to queue.
#[derive(Clone, Debug)]
pub struct NewInbound {
    pub activity_uri: String,
    pub actor_uri: String,
    pub body: String,
    pub received_at: Timestamp,
}

/// Queues a verified activity; false when its id was seen before (a replay).
pub fn insert(
    conn: &Connection,
    activity_uri: &str,
    actor_uri: &str,
    body: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO inbound (id, activity_uri, actor_uri, body, received_at, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (activity_uri) DO NOTHING",
        )?
        .execute(params![new_id(now), activity_uri, actor_uri, body, now.0])?;
    Ok(inserted == 1)
}

/// Queues several activities in one transaction (one commit for all); for each, whether it was
/// new. An id seen earlier in the same batch counts as a replay too.
pub fn insert_all(conn: &mut Connection, rows: &[NewInbound]) -> rusqlite::Result<Vec<bool>> {
    write(conn, |tx| {
        rows.iter()
            .map(|row| {
                insert(
                    tx,
                    &row.activity_uri,
                    &row.actor_uri,
                    &row.body,
                    row.received_at,
                )
            })
            .collect()
    })
}

/// Unprocessed rows whose time has come, oldest first.
pub fn due(conn: &Connection, now: Timestamp, limit: usize) -> rusqlite::Result<Vec<Inbound>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, activity_uri, actor_uri, body, attempts FROM inbound
         WHERE processed_at IS NULL AND next_attempt_at <= ?1
         ORDER BY id LIMIT ?2",
    )?;
    let rows = statement.query_map(params![now.0, limit as i64], |row| {
        Ok(Inbound {
            id: row.get(0)?,
            activity_uri: row.get(1)?,
            actor_uri: row.get(2)?,
            body: row.get(3)?,
            attempts: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// Done with a row; `note` says why it was refused or ignored, if it was. The body (up to 1 MB
/// of someone else's JSON) is dropped: only the id is needed from now on, to recognise replays.
pub fn mark_processed(
    conn: &Connection,
    id: i64,
    note: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE inbound SET processed_at = ?2, error = ?3, attempts = attempts + 1, body = ''
         WHERE id = ?1 AND processed_at IS NULL",
    )?
    .execute(params![id, now.0, note])?;
    Ok(())
}

/// Tries a row again at `at`, after a failure that may pass (the network).
pub fn retry_later(conn: &Connection, id: i64, error: &str, at: Timestamp) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE inbound SET attempts = attempts + 1, error = ?2, next_attempt_at = ?3
         WHERE id = ?1 AND processed_at IS NULL",
    )?
    .execute(params![id, error, at.0])?;
    Ok(())
}

/// Forgets the rows handled before `before`; returns how many went.
pub fn forget_processed(conn: &Connection, before: Timestamp) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM inbound WHERE processed_at < ?1")?
        .execute([before.0])
}

/// How many rows wait for the worker (processed or not yet due included).
pub fn pending_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.cached_row(
        "SELECT count(*) FROM inbound WHERE processed_at IS NULL",
        [],
        |row| row.get::<_, i64>(0).map(|n| n as u64),
    )
}

/// The outcome recorded for an activity: `(processed, note)`, for tests and diagnostics.
pub fn status(
    conn: &Connection,
    activity_uri: &str,
) -> rusqlite::Result<Option<(bool, Option<String>)>> {
    use rusqlite::OptionalExtension;
    conn.cached_row(
        "SELECT processed_at IS NOT NULL, error FROM inbound WHERE activity_uri = ?1",
        [activity_uri],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}

#[cfg(test)]
mod tests;
