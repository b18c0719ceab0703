//! Direct messages for the conversations list, and what the owner did to each conversation.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

/// A direct message, ours (`author: None`, no stored uri) or someone else's.
#[derive(Clone, Debug)]
pub struct DirectMessage {
    pub id: i64,
    pub uri: Option<String>,
    pub in_reply_to_uri: Option<String>,
    pub author: Option<i64>,
    /// When it reached us (ms): ours when written, others' when received. Ids follow the
    /// `published` dates, whole seconds from most servers, so they cannot order arrivals.
    pub arrived_at: i64,
}

/// The newest `limit` direct messages, newest first; those of blocked or muted accounts left out.
pub fn recent(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<DirectMessage>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, NULL, in_reply_to_uri, NULL, created_at FROM posts WHERE visibility = 'direct'
         UNION ALL
         SELECT r.id, r.uri, r.in_reply_to_uri, r.actor_id, r.received_at FROM remote_posts r
          WHERE r.visibility = 'direct'
            AND NOT EXISTS (SELECT 1 FROM actor_blocks b WHERE b.actor_id = r.actor_id
                            AND b.kind IN ('block', 'mute')
                            AND (b.expires_at IS NULL OR b.expires_at > unixepoch('subsec') * 1000))
         ORDER BY 1 DESC LIMIT ?1",
    )?;
    let rows = statement.query_map([limit as i64], |row| {
        Ok(DirectMessage {
            id: row.get(0)?,
            uri: row.get(1)?,
            in_reply_to_uri: row.get(2)?,
            author: row.get(3)?,
            arrived_at: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// The actors one of our posts mentions (its addressees, for a direct message).
pub fn mentioned(conn: &Connection, post_id: i64) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT actor_uri FROM post_mentions WHERE post_id = ?1")?;
    let rows = statement.query_map([post_id], |row| row.get(0))?;
    rows.collect()
}

/// `(read_at, removed_at)` of a conversation, zeros when the owner did nothing to it.
pub fn marks(conn: &Connection, root_id: i64) -> rusqlite::Result<(i64, i64)> {
    Ok(conn
        .cached_row(
            "SELECT read_at, removed_at FROM conversation_marks WHERE root_id = ?1",
            [root_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, 0)))
}

pub fn mark_read(conn: &Connection, root_id: i64, at: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO conversation_marks (root_id, read_at) VALUES (?1, ?2)
         ON CONFLICT (root_id) DO UPDATE SET read_at = max(read_at, excluded.read_at)",
        params![root_id, at],
    )?;
    Ok(())
}

/// Off the list, and read: a conversation that comes back shows only what came since.
pub fn remove(conn: &Connection, root_id: i64, at: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO conversation_marks (root_id, read_at, removed_at) VALUES (?1, ?2, ?2)
         ON CONFLICT (root_id) DO UPDATE SET
             removed_at = max(removed_at, excluded.removed_at),
             read_at = max(read_at, excluded.read_at)",
        params![root_id, at],
    )?;
    Ok(())
}
