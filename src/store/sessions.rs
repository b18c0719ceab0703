//! Browser sessions and failed-login records.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Timestamp;

pub fn insert(
    conn: &Connection,
    token_hash: &str,
    csrf: &str,
    user_agent: &str,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (token_hash, csrf_token, created_at, last_seen_at, user_agent)
         VALUES (?1, ?2, ?3, ?3, ?4)",
        params![token_hash, csrf, now.0, user_agent],
    )?;
    Ok(())
}

/// The CSRF token of a live session: one seen after `not_before`.
pub fn get(
    conn: &Connection,
    token_hash: &str,
    not_before: Timestamp,
) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT csrf_token FROM sessions WHERE token_hash = ?1 AND last_seen_at >= ?2",
        params![token_hash, not_before.0],
        |row| row.get(0),
    )
    .optional()
}

/// Marks a session as used; cheap enough to call on every request, since it writes at most
/// once a minute per session.
pub fn touch(conn: &Connection, token_hash: &str, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2 - 60000",
        params![token_hash, now.0],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

/// Removes the sessions unused since `before` (they no longer log anyone in).
pub fn forget_idle(conn: &Connection, before: Timestamp) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM sessions WHERE last_seen_at < ?1", [before.0])
}

/// Ends every session but `keep`.
pub fn delete_others(conn: &Connection, keep: Option<&str>) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM sessions WHERE token_hash IS NOT ?1", [keep])
}

pub fn record_login_failure(
    conn: &Connection,
    address: &str,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO login_failures (address, created_at) VALUES (?1, ?2)",
        params![address, now.0],
    )?;
    Ok(())
}

/// Failed logins since `since`: from `address`, and in all.
pub fn login_failures_since(
    conn: &Connection,
    address: &str,
    since: Timestamp,
) -> rusqlite::Result<(u64, u64)> {
    conn.cached_row(
        "SELECT count(*) FILTER (WHERE address = ?1), count(*) FROM login_failures WHERE created_at >= ?2",
        params![address, since.0],
        |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
    )
}

pub fn forget_login_failures(conn: &Connection, before: Timestamp) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM login_failures WHERE created_at < ?1",
        [before.0],
    )
}

#[cfg(test)]
mod tests;
