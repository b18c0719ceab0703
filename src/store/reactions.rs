//! Emoji reactions: others' to our posts (actor set) and the owner's to anyone's (actor absent).

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{ReactionCount, Timestamp};

use super::new_id;

/// Most distinct reactions listed under one post.
pub const MAX_LISTED: usize = 40;

/// A reaction to record: by `actor_id` (None: the owner) to `object_uri`.
pub struct NewReaction<'a> {
    pub actor_id: Option<i64>,
    pub object_uri: &'a str,
    pub content: &'a str,
    pub emoji_url: Option<&'a str>,
    pub activity_uri: &'a str,
    /// The owner's: the activity type sent for it.
    pub sent_as: Option<&'a str>,
}

/// Records a reaction; None when that actor already reacted so to that object, or the activity
/// id was seen before.
pub fn insert(
    conn: &Connection,
    new: &NewReaction,
    now: Timestamp,
) -> rusqlite::Result<Option<i64>> {
    let id = new_id(now);
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO reactions
                (id, actor_id, object_uri, content, emoji_url, activity_uri, sent_as, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            new.actor_id,
            new.object_uri,
            new.content,
            new.emoji_url,
            new.activity_uri,
            new.sent_as,
            now.0
        ],
    )?;
    Ok((inserted == 1).then_some(id))
}

/// Removes the reaction made by `activity_uri`, only when `actor_id` made it (an Undo).
pub fn delete_by_activity(
    conn: &Connection,
    actor_id: i64,
    activity_uri: &str,
) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM reactions WHERE actor_id = ?1 AND activity_uri = ?2",
        params![actor_id, activity_uri],
    )?;
    Ok(removed == 1)
}

/// Removes every reaction to an object (it was deleted).
pub fn delete_for_object(conn: &Connection, object_uri: &str) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM reactions WHERE object_uri = ?1", [object_uri])
}

/// The id of the owner's own reaction `content` to an object and the type it was sent as,
/// for its Undo.
pub fn own_activity(
    conn: &Connection,
    object_uri: &str,
    content: &str,
) -> rusqlite::Result<Option<(String, Option<String>)>> {
    conn.cached_row(
        "SELECT activity_uri, sent_as FROM reactions
         WHERE actor_id IS NULL AND object_uri = ?1 AND content = ?2",
        params![object_uri, content],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .optional()
}

/// Removes the owner's own reaction `content` to an object.
pub fn delete_own(conn: &Connection, object_uri: &str, content: &str) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM reactions WHERE actor_id IS NULL AND object_uri = ?1 AND content = ?2",
        params![object_uri, content],
    )?;
    Ok(removed == 1)
}

/// The reactions to an object, each with its count (everyone's, the owner's included) and
/// whether the owner is among them; the most frequent first, then the earliest.
pub fn counts(conn: &Connection, object_uri: &str) -> rusqlite::Result<Vec<ReactionCount>> {
    let mut one = counts_among(conn, &[object_uri.to_string()])?;
    Ok(one.remove(object_uri).unwrap_or_default())
}

/// [`counts`] for a page of posts in one query: each post's reactions, most given first.
pub fn counts_among(
    conn: &Connection,
    object_uris: &[String],
) -> rusqlite::Result<std::collections::HashMap<String, Vec<ReactionCount>>> {
    let uris = serde_json::to_string(object_uris).unwrap_or_else(|_| "[]".into());
    let mut statement = conn.prepare_cached(
        "SELECT object_uri, content, count(*), max(actor_id IS NULL), min(id)
         FROM reactions WHERE object_uri IN (SELECT value FROM json_each(?1))
         GROUP BY object_uri, content ORDER BY object_uri, count(*) DESC, min(id)",
    )?;
    let rows = statement.query_map([uris], |row| {
        Ok((
            row.get::<_, String>(0)?,
            ReactionCount {
                content: row.get(1)?,
                count: row.get::<_, i64>(2)? as u64,
                mine: row.get(3)?,
            },
        ))
    })?;
    let mut out: std::collections::HashMap<String, Vec<ReactionCount>> = Default::default();
    for row in rows {
        let (uri, count) = row?;
        let listed = out.entry(uri).or_default();
        if listed.len() < MAX_LISTED {
            listed.push(count);
        }
    }
    Ok(out)
}

/// The software a host runs as last learned from its NodeInfo (empty: none could be read), and
/// when.
pub fn peer_software(
    conn: &Connection,
    host: &str,
) -> rusqlite::Result<Option<(String, Timestamp)>> {
    conn.cached_row(
        "SELECT software, checked_at FROM peer_software WHERE host = ?1",
        [host],
        |row| Ok((row.get(0)?, Timestamp(row.get(1)?))),
    )
    .optional()
}

pub fn set_peer_software(
    conn: &Connection,
    host: &str,
    software: &str,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO peer_software (host, software, checked_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (host) DO UPDATE SET software = excluded.software, checked_at = excluded.checked_at",
        params![host, software, now.0],
    )?;
    Ok(())
}
