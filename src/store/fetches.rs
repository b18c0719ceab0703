//! The remote-fetch queue (backfill and threads): requests, their single GETs, the URLs fetched
//! and the per-host and overall budgets.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Timestamp;

/// What asked for the fetching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    Follow,
    Profile,
    Thread,
    Forwarded,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Follow => "follow",
            RequestKind::Profile => "profile",
            RequestKind::Thread => "thread",
            RequestKind::Forwarded => "forwarded",
        }
    }

    fn parse(text: &str) -> RequestKind {
        match text {
            "follow" => RequestKind::Follow,
            "profile" => RequestKind::Profile,
            "forwarded" => RequestKind::Forwarded,
            _ => RequestKind::Thread,
        }
    }
}

/// One queued GET with its request.
#[derive(Clone, Debug)]
pub struct Pending {
    pub id: i64,
    pub request_id: i64,
    pub kind: RequestKind,
    pub subject: String,
    pub posts_left: i64,
    pub step: String,
    pub url: String,
    pub host: String,
    pub level: i64,
    pub attempts: u32,
}

/// Opens a request unless one for the same subject was opened after `not_before`; an older one
/// is replaced (with whatever it still had queued). Returns the new request's id.
pub fn open_request(
    conn: &Connection,
    kind: RequestKind,
    subject: &str,
    posts: i64,
    not_before: Timestamp,
    now: Timestamp,
) -> rusqlite::Result<Option<i64>> {
    let recent: Option<i64> = conn
        .cached_row(
            "SELECT id FROM fetch_requests WHERE kind = ?1 AND subject = ?2 AND created_at > ?3",
            params![kind.as_str(), subject, not_before.0],
            |row| row.get(0),
        )
        .optional()?;
    if recent.is_some() {
        return Ok(None);
    }
    conn.execute(
        "DELETE FROM fetch_requests WHERE kind = ?1 AND subject = ?2",
        params![kind.as_str(), subject],
    )?;
    conn.execute(
        "INSERT INTO fetch_requests (kind, subject, posts_left, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![kind.as_str(), subject, posts, now.0],
    )?;
    Ok(Some(conn.last_insert_rowid()))
}

/// Queues one GET for a request; false when that request has it queued already.
pub fn enqueue(
    conn: &Connection,
    request_id: i64,
    step: &str,
    url: &str,
    host: &str,
    level: i64,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO fetches (request_id, step, url, host, level, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![request_id, step, url, host, level, now.0],
    )?;
    Ok(inserted == 1)
}

/// The GETs due at `now`, oldest first.
pub fn due(conn: &Connection, now: Timestamp, limit: usize) -> rusqlite::Result<Vec<Pending>> {
    let mut statement = conn.prepare_cached(
        "SELECT f.id, f.request_id, r.kind, r.subject, r.posts_left, f.step, f.url, f.host,
                f.level, f.attempts
         FROM fetches f JOIN fetch_requests r ON r.id = f.request_id
         WHERE f.next_attempt_at <= ?1 ORDER BY f.next_attempt_at, f.id LIMIT ?2",
    )?;
    let rows = statement.query_map(params![now.0, limit as i64], |row| {
        Ok(Pending {
            id: row.get(0)?,
            request_id: row.get(1)?,
            kind: RequestKind::parse(&row.get::<_, String>(2)?),
            subject: row.get(3)?,
            posts_left: row.get(4)?,
            step: row.get(5)?,
            url: row.get(6)?,
            host: row.get(7)?,
            level: row.get(8)?,
            attempts: row.get(9)?,
        })
    })?;
    rows.collect()
}

/// When the next GET is due, if any is queued.
pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<Timestamp>> {
    let at: Option<i64> =
        conn.cached_row("SELECT min(next_attempt_at) FROM fetches", [], |row| {
            row.get(0)
        })?;
    Ok(at.map(Timestamp))
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM fetches WHERE id = ?1", [id])?;
    Ok(())
}

/// Moves a GET to `at`; `attempts` counts failed tries (unchanged when only postponed).
pub fn reschedule(
    conn: &Connection,
    id: i64,
    attempts: u32,
    at: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE fetches SET attempts = ?2, next_attempt_at = ?3 WHERE id = ?1",
        params![id, attempts, at.0],
    )?;
    Ok(())
}

/// Takes `posts` from a request's budget of posts.
pub fn spend_posts(conn: &Connection, request_id: i64, posts: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE fetch_requests SET posts_left = posts_left - ?2 WHERE id = ?1",
        params![request_id, posts],
    )?;
    Ok(())
}

/// A request's budget of posts left (None once it is gone).
pub fn posts_left(conn: &Connection, request_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.cached_row(
        "SELECT posts_left FROM fetch_requests WHERE id = ?1",
        [request_id],
        |row| row.get(0),
    )
    .optional()
}

/// GETs still queued for requests about `subject` (a post or an actor).
pub fn pending_for(conn: &Connection, subject: &str) -> rusqlite::Result<u64> {
    conn.cached_row(
        "SELECT count(*) FROM fetches f JOIN fetch_requests r ON r.id = f.request_id
         WHERE r.subject = ?1",
        [subject],
        |row| row.get::<_, i64>(0),
    )
    .map(|n| n.max(0) as u64)
}

/// GETs queued in all.
pub fn pending(conn: &Connection) -> rusqlite::Result<u64> {
    conn.cached_row("SELECT count(*) FROM fetches", [], |row| {
        row.get::<_, i64>(0)
    })
    .map(|n| n.max(0) as u64)
}

/// When `url` was last fetched and whether that failed.
pub fn url_state(conn: &Connection, url: &str) -> rusqlite::Result<Option<(Timestamp, bool)>> {
    conn.cached_row(
        "SELECT fetched_at, failed FROM fetched_urls WHERE url = ?1",
        [url],
        |row| Ok((Timestamp(row.get(0)?), row.get(1)?)),
    )
    .optional()
}

pub fn record_url(
    conn: &Connection,
    url: &str,
    failed: bool,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO fetched_urls (url, fetched_at, failed) VALUES (?1, ?2, ?3)
         ON CONFLICT (url) DO UPDATE SET fetched_at = excluded.fetched_at, failed = excluded.failed",
        params![url, now.0, failed],
    )?;
    Ok(())
}

/// Forgets URLs fetched before `before`.
pub fn forget_urls(conn: &Connection, before: Timestamp) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM fetched_urls WHERE fetched_at < ?1", [before.0])
}

/// Takes one request from `scope`'s budget of `limit` per window of `window_ms`. Returns None
/// when taken, or when the window ends if the budget is spent.
pub fn take_budget(
    conn: &Connection,
    scope: &str,
    window_ms: i64,
    limit: i64,
    now: Timestamp,
) -> rusqlite::Result<Option<Timestamp>> {
    let current: Option<(i64, i64)> = conn
        .cached_row(
            "SELECT window_start, used FROM fetch_budget WHERE scope = ?1",
            [scope],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (start, used) = match current {
        Some((start, used)) if now.0 < start + window_ms => (start, used),
        _ => (now.0, 0),
    };
    if used >= limit {
        return Ok(Some(Timestamp(start + window_ms)));
    }
    conn.execute(
        "INSERT INTO fetch_budget (scope, window_start, used) VALUES (?1, ?2, ?3)
         ON CONFLICT (scope) DO UPDATE SET window_start = excluded.window_start, used = excluded.used",
        params![scope, start, used + 1],
    )?;
    Ok(None)
}

/// Marks a post as kept for a thread or a profile only (kept off the home timeline).
pub fn mark_context(conn: &Connection, post_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO context_posts (post_id) VALUES (?1)",
        [post_id],
    )?;
    Ok(())
}

/// Replaces an account's pinned posts, in order.
pub fn set_pins(conn: &Connection, actor_id: i64, uris: &[String]) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM remote_pins WHERE actor_id = ?1", [actor_id])?;
    for (position, uri) in uris.iter().enumerate() {
        conn.execute(
            "INSERT OR IGNORE INTO remote_pins (actor_id, post_uri, position) VALUES (?1, ?2, ?3)",
            params![actor_id, uri, position as i64],
        )?;
    }
    Ok(())
}

/// An account's pinned posts' ids, in order.
pub fn pins(conn: &Connection, actor_id: i64) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn
        .prepare_cached("SELECT post_uri FROM remote_pins WHERE actor_id = ?1 ORDER BY position")?;
    let rows = statement.query_map([actor_id], |row| row.get(0))?;
    rows.collect()
}

#[cfg(test)]
mod tests;
