//! The owner's bookmarks: private, never federated; any post we can show, by its id.

use super::CachedRow;
use rusqlite::{params, Connection};

use crate::model::Timestamp;

/// Bookmarks a post; false when it was bookmarked already.
pub fn add(conn: &Connection, object_uri: &str, now: Timestamp) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT INTO bookmarks (object_uri, created_at) VALUES (?1, ?2)
         ON CONFLICT (object_uri) DO NOTHING",
        params![object_uri, now.0],
    )? == 1)
}

pub fn remove(conn: &Connection, object_uri: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM bookmarks WHERE object_uri = ?1", [object_uri])? == 1)
}

pub fn contains(conn: &Connection, object_uri: &str) -> rusqlite::Result<bool> {
    conn.cached_row(
        "SELECT EXISTS (SELECT 1 FROM bookmarks WHERE object_uri = ?1)",
        [object_uri],
        |row| row.get(0),
    )
}

/// Bookmarks in a window keyed by their time (see `model::Window`): (object uri, time).
pub fn window(
    conn: &Connection,
    window: &crate::model::Window,
) -> rusqlite::Result<Vec<(String, i64)>> {
    let order = if window.ascending { "ASC" } else { "DESC" };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT object_uri, created_at FROM bookmarks WHERE created_at < ?1 AND created_at > ?2
         ORDER BY created_at {order} LIMIT ?3"
    ))?;
    let rows = statement.query_map(
        params![window.below, window.above, window.limit as i64],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    rows.collect()
}

/// Bookmarked ids, newest bookmark first, older than `before` (a bookmark time) when given.
pub fn list(
    conn: &Connection,
    before: Option<Timestamp>,
    limit: usize,
) -> rusqlite::Result<Vec<(String, Timestamp)>> {
    let mut statement = conn.prepare_cached(
        "SELECT object_uri, created_at FROM bookmarks
         WHERE ?1 IS NULL OR created_at < ?1
         ORDER BY created_at DESC, object_uri LIMIT ?2",
    )?;
    let rows = statement.query_map(params![before.map(|t| t.0), limit as i64], |row| {
        Ok((row.get(0)?, Timestamp(row.get(1)?)))
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests;
