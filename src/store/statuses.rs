//! What the client API keeps about statuses: which table an id is in, the counts and the owner's
//! state for many posts at once, scheduled posts, idempotency keys, muted conversations, and
//! who liked or boosted a post.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Actor, Range, Timestamp};

use super::actors;

/// Where an API status id points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Own,
    Remote,
    /// A boost: by the owner (no actor) or by someone we follow, of `object_uri`.
    Boost {
        actor_id: Option<i64>,
        object_uri: String,
    },
}

/// Looks an id up in our posts, then remote posts, then boosts (the first that has it).
pub fn place(conn: &Connection, id: i64) -> rusqlite::Result<Option<Place>> {
    let kind: Option<i64> = conn
        .cached_row(
            "SELECT 1 FROM posts WHERE id = ?1
             UNION ALL SELECT 2 FROM remote_posts WHERE id = ?1 LIMIT 1",
            [id],
            |row| row.get(0),
        )
        .optional()?;
    match kind {
        Some(1) => return Ok(Some(Place::Own)),
        Some(_) => return Ok(Some(Place::Remote)),
        None => {}
    }
    conn.cached_row(
        "SELECT actor_id, object_uri FROM interactions WHERE id = ?1 AND kind = 'announce'",
        [id],
        |row| {
            Ok(Place::Boost {
                actor_id: row.get(0)?,
                object_uri: row.get(1)?,
            })
        },
    )
    .optional()
}

fn json(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

/// Replies we hold (ours and others') to each of `uris`: (uri, count).
pub fn reply_counts(conn: &Connection, uris: &[String]) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut statement = conn.prepare_cached(
        "SELECT uri, sum(n) FROM (
            SELECT in_reply_to_uri AS uri, count(*) AS n FROM posts
            WHERE in_reply_to_uri IN (SELECT value FROM json_each(?1)) GROUP BY in_reply_to_uri
            UNION ALL
            SELECT in_reply_to_uri, count(*) FROM remote_posts
            WHERE in_reply_to_uri IN (SELECT value FROM json_each(?1)) GROUP BY in_reply_to_uri)
         GROUP BY uri",
    )?;
    let rows = statement.query_map([json(uris)], |row| {
        Ok((row.get(0)?, row.get::<_, i64>(1)? as u64))
    })?;
    rows.collect()
}

/// Likes and boosts of each of `uris`, the owner's own included: (uri, kind, count, owner's).
pub fn interaction_counts(
    conn: &Connection,
    uris: &[String],
) -> rusqlite::Result<Vec<(String, String, u64, bool)>> {
    let mut statement = conn.prepare_cached(
        "SELECT object_uri, kind, count(*), max(actor_id IS NULL) FROM interactions
         WHERE object_uri IN (SELECT value FROM json_each(?1)) GROUP BY object_uri, kind",
    )?;
    let rows = statement.query_map([json(uris)], |row| {
        Ok((
            row.get(0)?,
            row.get(1)?,
            row.get::<_, i64>(2)? as u64,
            row.get(3)?,
        ))
    })?;
    rows.collect()
}

/// Which of `uris` the owner bookmarked.
pub fn bookmarked(conn: &Connection, uris: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT object_uri FROM bookmarks WHERE object_uri IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = statement.query_map([json(uris)], |row| row.get(0))?;
    rows.collect()
}

/// The remote posts we hold among `uris`: (uri, row id, author's id).
pub fn remote_ids(conn: &Connection, uris: &[String]) -> rusqlite::Result<Vec<(String, i64, i64)>> {
    let mut statement = conn.prepare_cached(
        "SELECT uri, id, actor_id FROM remote_posts WHERE uri IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = statement.query_map([json(uris)], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })?;
    rows.collect()
}

/// What the post `uri` (ours or held) replies to, when we hold it.
pub fn parent_of(
    conn: &Connection,
    uri: &str,
    own_id: Option<i64>,
) -> rusqlite::Result<Option<String>> {
    let parent: Option<Option<String>> = match own_id {
        Some(id) => conn
            .cached_row(
                "SELECT in_reply_to_uri FROM posts WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?,
        None => conn
            .cached_row(
                "SELECT in_reply_to_uri FROM remote_posts WHERE uri = ?1",
                [uri],
                |r| r.get(0),
            )
            .optional()?,
    };
    Ok(parent.flatten())
}

pub fn any_muted_conversation(conn: &Connection) -> rusqlite::Result<bool> {
    conn.cached_row(
        "SELECT EXISTS (SELECT 1 FROM conversation_mutes)",
        [],
        |row| row.get(0),
    )
}

pub fn muted_conversations(conn: &Connection, roots: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT root_uri FROM conversation_mutes WHERE root_uri IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = statement.query_map([json(roots)], |row| row.get(0))?;
    rows.collect()
}

pub fn mute_conversation(conn: &Connection, root: &str, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO conversation_mutes (root_uri, created_at) VALUES (?1, ?2)
         ON CONFLICT (root_uri) DO NOTHING",
        params![root, now.0],
    )?;
    Ok(())
}

pub fn unmute_conversation(conn: &Connection, root: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM conversation_mutes WHERE root_uri = ?1", [root])?;
    Ok(())
}

/// Remote accounts that liked or boosted `uri` (`kind` "like" or "announce"), newest first,
/// paged by the interaction's id: (interaction id, actor).
pub fn interacted(
    conn: &Connection,
    uri: &str,
    kind: &str,
    range: &Range,
) -> rusqlite::Result<Vec<(i64, Actor)>> {
    let ascending = range.min_id.is_some();
    let sql = format!(
        "SELECT interactions.id, {} FROM interactions JOIN actors ON actors.id = interactions.actor_id
         WHERE object_uri = ?1 AND interactions.kind = ?2
           AND interactions.id < ?3 AND interactions.id > ?4
         ORDER BY interactions.id {} LIMIT ?5",
        actors::COLUMNS,
        if ascending { "ASC" } else { "DESC" }
    );
    let lower = range.min_id.or(range.since_id).unwrap_or(i64::MIN);
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            uri,
            kind,
            range.max_id.unwrap_or(i64::MAX),
            lower,
            range.limit as i64
        ],
        |row| Ok((row.get(0)?, actors::from_row(row, 1)?)),
    )?;
    let mut found: Vec<(i64, Actor)> = rows.collect::<rusqlite::Result<_>>()?;
    if ascending {
        found.reverse();
    }
    Ok(found)
}

/// A scheduled post as stored: its request (JSON) and when it is due.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduled {
    pub id: i64,
    pub scheduled_at: Timestamp,
    pub params: String,
    pub attempts: u32,
}

const SCHEDULED: &str = "SELECT id, scheduled_at, params, attempts FROM scheduled_statuses";

fn scheduled_row(row: &rusqlite::Row) -> rusqlite::Result<Scheduled> {
    Ok(Scheduled {
        id: row.get(0)?,
        scheduled_at: Timestamp(row.get(1)?),
        params: row.get(2)?,
        attempts: row.get(3)?,
    })
}

pub fn schedule(conn: &Connection, item: &Scheduled, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO scheduled_statuses (id, scheduled_at, params, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?2, ?4)",
        params![item.id, item.scheduled_at.0, item.params, now.0],
    )?;
    Ok(())
}

pub fn scheduled(conn: &Connection, id: i64) -> rusqlite::Result<Option<Scheduled>> {
    conn.cached_row(&format!("{SCHEDULED} WHERE id = ?1"), [id], scheduled_row)
        .optional()
}

/// Scheduled posts by id, newest first, as Mastodon pages them.
pub fn scheduled_page(conn: &Connection, range: &Range) -> rusqlite::Result<Vec<Scheduled>> {
    let ascending = range.min_id.is_some();
    let sql = format!(
        "{SCHEDULED} WHERE id < ?1 AND id > ?2 ORDER BY id {} LIMIT ?3",
        if ascending { "ASC" } else { "DESC" }
    );
    let lower = range.min_id.or(range.since_id).unwrap_or(i64::MIN);
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![range.max_id.unwrap_or(i64::MAX), lower, range.limit as i64],
        scheduled_row,
    )?;
    let mut found: Vec<Scheduled> = rows.collect::<rusqlite::Result<_>>()?;
    if ascending {
        found.reverse();
    }
    Ok(found)
}

pub fn reschedule(
    conn: &Connection,
    id: i64,
    at: Timestamp,
    params: &str,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE scheduled_statuses SET scheduled_at = ?2, next_attempt_at = ?2, params = ?3,
                attempts = 0, last_error = NULL WHERE id = ?1",
        params![id, at.0, params],
    )? == 1)
}

pub fn unschedule(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM scheduled_statuses WHERE id = ?1", [id])? == 1)
}

/// Scheduled posts due at `now`, the earliest first.
pub fn due(conn: &Connection, now: Timestamp, limit: usize) -> rusqlite::Result<Vec<Scheduled>> {
    let mut statement = conn.prepare_cached(&format!(
        "{SCHEDULED} WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2"
    ))?;
    let rows = statement.query_map(params![now.0, limit as i64], scheduled_row)?;
    rows.collect()
}

pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<Timestamp>> {
    conn.cached_row(
        "SELECT min(next_attempt_at) FROM scheduled_statuses",
        [],
        |row| row.get::<_, Option<i64>>(0).map(|t| t.map(Timestamp)),
    )
}

/// A failed try: the next one at `retry_at`.
pub fn retry_later(
    conn: &Connection,
    id: i64,
    retry_at: Timestamp,
    error: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE scheduled_statuses SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
         WHERE id = ?1",
        params![id, retry_at.0, error],
    )?;
    Ok(())
}

/// What an idempotency key already did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUse {
    /// Not seen within the hour: now reserved for this request.
    Fresh,
    /// A request with this key is still running.
    Running,
    Posted(i64),
    Scheduled(i64),
}

/// Reserves `key_hash` unless it was used after `since` (older uses are forgotten first).
pub fn reserve_key(
    conn: &Connection,
    key_hash: &str,
    since: Timestamp,
    now: Timestamp,
) -> rusqlite::Result<KeyUse> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [since.0],
    )?;
    let inserted = conn.execute(
        "INSERT INTO idempotency_keys (key_hash, created_at) VALUES (?1, ?2)
         ON CONFLICT (key_hash) DO NOTHING",
        params![key_hash, now.0],
    )?;
    if inserted == 1 {
        return Ok(KeyUse::Fresh);
    }
    let (post, scheduled): (Option<i64>, Option<i64>) = conn.cached_row(
        "SELECT post_id, scheduled_id FROM idempotency_keys WHERE key_hash = ?1",
        [key_hash],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(match (post, scheduled) {
        (Some(id), _) => KeyUse::Posted(id),
        (None, Some(id)) => KeyUse::Scheduled(id),
        (None, None) => KeyUse::Running,
    })
}

pub fn finish_key(
    conn: &Connection,
    key_hash: &str,
    post_id: Option<i64>,
    scheduled_id: Option<i64>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE idempotency_keys SET post_id = ?2, scheduled_id = ?3 WHERE key_hash = ?1",
        params![key_hash, post_id, scheduled_id],
    )?;
    Ok(())
}

pub fn release_key(conn: &Connection, key_hash: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE key_hash = ?1",
        [key_hash],
    )?;
    Ok(())
}

/// When the owner's latest post was written (the account's `last_status_at`).
pub fn last_post_at(conn: &Connection) -> rusqlite::Result<Option<Timestamp>> {
    // Ids sort by time (imported posts' too, from their dates): the newest row, by the key.
    conn.cached_row(
        "SELECT max(created_at) FROM (SELECT created_at FROM posts ORDER BY id DESC LIMIT 1)",
        [],
        |row| row.get::<_, Option<i64>>(0).map(|t| t.map(Timestamp)),
    )
}

/// The id of the owner's own boost of `uri`.
pub fn own_boost(conn: &Connection, uri: &str) -> rusqlite::Result<Option<i64>> {
    conn.cached_row(
        "SELECT id FROM interactions WHERE actor_id IS NULL AND kind = 'announce' AND object_uri = ?1",
        [uri],
        |row| row.get(0),
    )
    .optional()
}
