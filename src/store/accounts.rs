//! What the client API keeps about accounts beyond the actor itself: the owner's private notes,
//! follow options (boosts shown, posts notified), finding actors by handle or name, the domains
//! we know, and the weekly figures of `/api/v1/instance/activity`.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Actor, Timestamp};

use super::actors::{from_row, COLUMNS};

/// The owner's private note on an account ("" when none).
pub fn note(conn: &Connection, actor_id: i64) -> rusqlite::Result<String> {
    Ok(conn
        .prepare_cached("SELECT note FROM account_notes WHERE actor_id = ?1")?
        .query_row([actor_id], |row| row.get(0))
        .optional()?
        .unwrap_or_default())
}

/// Sets the note; an empty one is removed.
pub fn set_note(
    conn: &Connection,
    actor_id: i64,
    note: &str,
    now: Timestamp,
) -> rusqlite::Result<()> {
    if note.is_empty() {
        conn.execute("DELETE FROM account_notes WHERE actor_id = ?1", [actor_id])?;
    } else {
        conn.execute(
            "INSERT INTO account_notes (actor_id, note, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (actor_id) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at",
            params![actor_id, note, now.0],
        )?;
    }
    Ok(())
}

/// Whether our follow shows their boosts and notifies of their posts; Mastodon's defaults
/// (true, false) when never set.
pub fn follow_options(conn: &Connection, actor_id: i64) -> rusqlite::Result<(bool, bool)> {
    Ok(conn
        .prepare_cached("SELECT reblogs, notify FROM follow_options WHERE actor_id = ?1")?
        .query_row([actor_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?
        .unwrap_or((true, false)))
}

pub fn set_follow_options(
    conn: &Connection,
    actor_id: i64,
    reblogs: bool,
    notify: bool,
) -> rusqlite::Result<()> {
    if reblogs && !notify {
        conn.execute("DELETE FROM follow_options WHERE actor_id = ?1", [actor_id])?;
    } else {
        conn.execute(
            "INSERT INTO follow_options (actor_id, reblogs, notify) VALUES (?1, ?2, ?3)
             ON CONFLICT (actor_id) DO UPDATE SET reblogs = excluded.reblogs, notify = excluded.notify",
            params![actor_id, reblogs, notify],
        )?;
    }
    Ok(())
}

/// The accounts whose boosts the owner asked not to see.
pub fn boosts_hidden(conn: &Connection) -> rusqlite::Result<HashSet<i64>> {
    let mut statement =
        conn.prepare_cached("SELECT actor_id FROM follow_options WHERE reblogs = 0")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// A stored actor by `user` and `domain` (host[:port]), case-insensitively.
pub fn by_handle(conn: &Connection, user: &str, domain: &str) -> rusqlite::Result<Option<Actor>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM actors
         WHERE lower(username) = lower(?1) AND lower(domain) = lower(?2)
         ORDER BY fetched_at DESC LIMIT 1"
    ))?
    .query_row(params![user, domain], |row| from_row(row, 0))
    .optional()
}

/// Stored actors whose username, domain or display name starts a word with `query`; the
/// accounts we follow or that follow us first.
pub fn search(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Vec<Actor>> {
    let escaped = query
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let prefix = format!("{escaped}%");
    let word = format!("% {escaped}%");
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM actors
         WHERE actors.username LIKE ?1 ESCAPE '\\'
            OR (actors.username || '@' || actors.domain) LIKE ?1 ESCAPE '\\'
            OR actors.display_name LIKE ?1 ESCAPE '\\'
            OR actors.display_name LIKE ?2 ESCAPE '\\'
         ORDER BY EXISTS (SELECT 1 FROM follows f WHERE f.actor_id = actors.id) DESC,
                  actors.fetched_at DESC
         LIMIT ?3"
    ))?;
    let rows = statement.query_map(params![prefix, word, limit as i64], |row| from_row(row, 0))?;
    rows.collect()
}

/// The domains of the actors we know, sorted.
pub fn known_domains(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT DISTINCT lower(domain) FROM actors ORDER BY 1 LIMIT ?1")?;
    let rows = statement.query_map([limit as i64], |row| row.get(0))?;
    rows.collect()
}

/// How many posts the owner published in the week from `start` (ms) on.
pub fn posts_between(conn: &Connection, start: Timestamp, end: Timestamp) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT count(*) FROM posts WHERE created_at >= ?1 AND created_at < ?2")?
        .query_row(params![start.0, end.0], |row| row.get::<_, i64>(0))
        .map(|n| n.max(0) as u64)
}

#[cfg(test)]
mod tests;
