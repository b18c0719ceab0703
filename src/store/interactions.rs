//! Likes and boosts: by others of our posts (actor set), by those we follow of anyone's posts
//! (a boost we keep for the timeline), and by the owner (actor absent).

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Timestamp, Window};

use super::new_id;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Like,
    Announce,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Like => "like",
            Kind::Announce => "announce",
        }
    }
}

/// Records a like or boost; false when that actor already did the same to that object, or the
/// activity id was seen before.
pub fn insert(
    conn: &Connection,
    kind: Kind,
    actor_id: Option<i64>,
    object_uri: &str,
    activity_uri: &str,
    now: Timestamp,
) -> rusqlite::Result<Option<i64>> {
    let id = new_id(now);
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO interactions (id, kind, actor_id, object_uri, activity_uri, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            kind.as_str(),
            actor_id,
            object_uri,
            activity_uri,
            now.0
        ],
    )?;
    Ok((inserted == 1).then_some(id))
}

/// Removes the like or boost made by `activity_uri`, only when `actor_id` made it (an Undo).
pub fn delete_by_activity(
    conn: &Connection,
    kind: Option<Kind>,
    actor_id: i64,
    activity_uri: &str,
) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM interactions
         WHERE actor_id = ?1 AND activity_uri = ?2 AND (?3 IS NULL OR kind = ?3)",
        params![actor_id, activity_uri, kind.map(Kind::as_str)],
    )?;
    Ok(removed == 1)
}

/// Removes the owner's own like or boost of an object (actor absent); for the outbound side.
pub fn delete_own(conn: &Connection, kind: Kind, object_uri: &str) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM interactions WHERE actor_id IS NULL AND kind = ?1 AND object_uri = ?2",
        params![kind.as_str(), object_uri],
    )?;
    Ok(removed == 1)
}

/// Removes every like and boost of an object (it was deleted).
pub fn delete_for_object(conn: &Connection, object_uri: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM interactions WHERE object_uri = ?1",
        [object_uri],
    )
}

/// How many others liked or boosted an object.
pub fn count(conn: &Connection, object_uri: &str, kind: Kind) -> rusqlite::Result<u64> {
    conn.cached_row(
        "SELECT count(*) FROM interactions
         WHERE object_uri = ?1 AND kind = ?2 AND actor_id IS NOT NULL",
        params![object_uri, kind.as_str()],
        |row| row.get::<_, i64>(0).map(|n| n as u64),
    )
}

/// The id of the owner's own like or boost of an object, for its Undo.
pub fn own_activity(
    conn: &Connection,
    kind: Kind,
    object_uri: &str,
) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT activity_uri FROM interactions WHERE actor_id IS NULL AND kind = ?1 AND object_uri = ?2",
        params![kind.as_str(), object_uri],
        |row| row.get(0),
    )
    .optional()
}

/// The owner's own likes and boosts among `object_uris`: (object uri, kind), one query for a page.
pub fn own_among(
    conn: &Connection,
    object_uris: &[String],
) -> rusqlite::Result<Vec<(String, Kind)>> {
    let uris = serde_json::to_string(object_uris).unwrap_or_else(|_| "[]".into());
    let mut statement = conn.prepare_cached(
        "SELECT object_uri, kind FROM interactions
         WHERE object_uri IN (SELECT value FROM json_each(?1)) AND actor_id IS NULL",
    )?;
    let rows = statement.query_map([uris], |row| {
        let kind: String = row.get(1)?;
        Ok((row.get::<_, String>(0)?, kind))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (uri, kind) = row?;
        match kind.as_str() {
            "like" => out.push((uri, Kind::Like)),
            "announce" => out.push((uri, Kind::Announce)),
            _ => {}
        }
    }
    Ok(out)
}

/// A boost by someone we follow, for the home timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Boost {
    pub id: i64,
    pub actor_id: i64,
    pub object_uri: String,
    pub created_at: Timestamp,
}

/// Boosts by accounts we follow (accepted), newest first, keyset on the id.
pub fn boosts_by_followed(
    conn: &Connection,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<Boost>> {
    let mut statement = conn.prepare_cached(
        "SELECT interactions.id, interactions.actor_id, object_uri, interactions.created_at
         FROM interactions JOIN follows ON follows.actor_id = interactions.actor_id
         WHERE kind = 'announce' AND follows.direction = 'out' AND follows.state = 'accepted'
           AND interactions.id < ?1
         ORDER BY interactions.id DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![before.unwrap_or(i64::MAX), limit as i64], |row| {
        Ok(Boost {
            id: row.get(0)?,
            actor_id: row.get(1)?,
            object_uri: row.get(2)?,
            created_at: Timestamp(row.get(3)?),
        })
    })?;
    rows.collect()
}

/// Boosts in a window (see `model::Window`): by the accounts we follow, or by a list's members.
pub fn boosts_window(
    conn: &Connection,
    list: Option<i64>,
    window: &Window,
) -> rusqlite::Result<Vec<Boost>> {
    let by = if list.is_some() {
        "interactions.actor_id IN (SELECT actor_id FROM list_members WHERE list_id = ?4)"
    } else {
        "interactions.actor_id IN (SELECT actor_id FROM follows
                                   WHERE direction = 'out' AND state = 'accepted')"
    };
    let order = if window.ascending { "ASC" } else { "DESC" };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id, actor_id, object_uri, created_at FROM interactions
         WHERE kind = 'announce' AND id < ?1 AND id > ?2 AND {by}
         ORDER BY id {order} LIMIT ?3"
    ))?;
    let map = |row: &rusqlite::Row| {
        Ok(Boost {
            id: row.get(0)?,
            actor_id: row.get(1)?,
            object_uri: row.get(2)?,
            created_at: Timestamp(row.get(3)?),
        })
    };
    let limit = window.limit as i64;
    let rows = match list {
        Some(id) => statement.query_map(params![window.below, window.above, limit, id], map)?,
        None => statement.query_map(params![window.below, window.above, limit], map)?,
    };
    rows.collect()
}

/// The owner's likes, newest first by the like's id: (id, object uri).
pub fn own_likes(conn: &Connection, window: &Window) -> rusqlite::Result<Vec<(i64, String)>> {
    let order = if window.ascending { "ASC" } else { "DESC" };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id, object_uri FROM interactions
         WHERE kind = 'like' AND actor_id IS NULL AND id < ?1 AND id > ?2
         ORDER BY id {order} LIMIT ?3"
    ))?;
    let rows = statement.query_map(
        params![window.below, window.above, window.limit as i64],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests;
