//! The owner's notifications: follows, requests, mentions, replies, likes, boosts, reports.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Notification, NotificationKind, Timestamp};

use super::{actors, new_id};

/// Adds a notification; false when one of this kind for this activity exists (a replay).
pub fn insert(
    conn: &Connection,
    kind: NotificationKind,
    actor_id: Option<i64>,
    object_uri: Option<&str>,
    activity_uri: Option<&str>,
    content: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO notifications
                (id, kind, actor_id, object_uri, activity_uri, content, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            new_id(now),
            kind.as_str(),
            actor_id,
            object_uri,
            activity_uri,
            content,
            now.0
        ],
    )?;
    Ok(inserted == 1)
}

fn notification_row(row: &rusqlite::Row) -> rusqlite::Result<Option<Notification>> {
    // Kinds written by a newer Perch are skipped rather than shown wrongly.
    let Some(kind) = NotificationKind::parse(&row.get::<_, String>(1)?) else {
        return Ok(None);
    };
    let has_actor: bool = row.get(7)?;
    Ok(Some(Notification {
        id: row.get(0)?,
        kind,
        actor: if has_actor {
            Some(actors::from_row(row, 8)?)
        } else {
            None
        },
        object_uri: row.get(2)?,
        activity_uri: row.get(3)?,
        content: row.get(4)?,
        created_at: Timestamp(row.get(5)?),
        read: row.get(6)?,
    }))
}

/// Notifications newest first, by keyset on the id (`before` = the last id of the previous page).
pub fn list(
    conn: &Connection,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<Notification>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT notifications.id, notifications.kind, notifications.object_uri,
                notifications.activity_uri, notifications.content, notifications.created_at,
                notifications.read_at IS NOT NULL, actors.id IS NOT NULL, {}
         FROM notifications LEFT JOIN actors ON actors.id = notifications.actor_id
         WHERE notifications.id < ?1
         ORDER BY notifications.id DESC LIMIT ?2",
        actors::COLUMNS
    ))?;
    let rows = statement.query_map(
        params![before.unwrap_or(i64::MAX), limit as i64],
        notification_row,
    )?;
    rows.filter_map(Result::transpose).collect()
}

/// Which notifications an API list shows: kinds in `only` (all when empty) and not in
/// `except`, from one account when given.
pub struct Selection<'a> {
    pub only: &'a [&'a str],
    pub except: &'a [&'a str],
    pub actor_id: Option<i64>,
}

/// Notifications in a window (see `model::Window`).
pub fn window(
    conn: &Connection,
    selection: &Selection,
    window: &crate::model::Window,
) -> rusqlite::Result<Vec<Notification>> {
    let order = if window.ascending { "ASC" } else { "DESC" };
    let only = serde_json::to_string(selection.only).unwrap_or_else(|_| "[]".into());
    let except = serde_json::to_string(selection.except).unwrap_or_else(|_| "[]".into());
    let mut statement = conn.prepare_cached(&format!(
        "SELECT notifications.id, notifications.kind, notifications.object_uri,
                notifications.activity_uri, notifications.content, notifications.created_at,
                notifications.read_at IS NOT NULL, actors.id IS NOT NULL, {}
         FROM notifications LEFT JOIN actors ON actors.id = notifications.actor_id
         WHERE notifications.id < ?1 AND notifications.id > ?2
           AND (json_array_length(?4) = 0
                OR notifications.kind IN (SELECT value FROM json_each(?4)))
           AND notifications.kind NOT IN (SELECT value FROM json_each(?5))
           AND (?6 IS NULL OR notifications.actor_id = ?6)
         ORDER BY notifications.id {order} LIMIT ?3",
        actors::COLUMNS
    ))?;
    let rows = statement.query_map(
        params![
            window.below,
            window.above,
            window.limit as i64,
            only,
            except,
            selection.actor_id
        ],
        notification_row,
    )?;
    rows.filter_map(Result::transpose).collect()
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM notifications WHERE id = ?1", [id])? == 1)
}

pub fn delete_all(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM notifications", [])
}

/// The newest notification read and when: the notifications marker.
pub fn last_read(conn: &Connection) -> rusqlite::Result<Option<(i64, Timestamp)>> {
    conn.cached_row(
        "SELECT id, read_at FROM notifications WHERE read_at IS NOT NULL
         ORDER BY id DESC LIMIT 1",
        [],
        |row| Ok((row.get(0)?, Timestamp(row.get(1)?))),
    )
    .optional()
}

pub fn unread_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.cached_row(
        "SELECT count(*) FROM notifications WHERE read_at IS NULL",
        [],
        |row| row.get::<_, i64>(0).map(|n| n as u64),
    )
}

/// Marks every notification up to and including `up_to` (all when absent) as read.
pub fn mark_read(conn: &Connection, up_to: Option<i64>, now: Timestamp) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE notifications SET read_at = ?2 WHERE read_at IS NULL AND id <= ?1",
        params![up_to.unwrap_or(i64::MAX), now.0],
    )
}

/// Whether a notification of `kind` about `object_uri` exists (dismissed ones are gone).
pub fn exists_for_object(
    conn: &Connection,
    kind: NotificationKind,
    object_uri: &str,
) -> rusqlite::Result<bool> {
    conn.cached_row(
        "SELECT EXISTS (SELECT 1 FROM notifications WHERE kind = ?1 AND object_uri = ?2)",
        params![kind.as_str(), object_uri],
        |row| row.get(0),
    )
}

/// Removes the notifications about an object that is gone.
pub fn delete_for_object(conn: &Connection, object_uri: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM notifications WHERE object_uri = ?1",
        [object_uri],
    )
}

/// Removes an actor's follow-request notifications (the request was withdrawn or refused).
pub fn delete_follow_requests(conn: &Connection, actor_id: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM notifications WHERE actor_id = ?1 AND kind = 'follow_request'",
        [actor_id],
    )
}

/// Removes the notification a given activity caused (its Undo came).
pub fn delete_for_activity(
    conn: &Connection,
    actor_id: i64,
    activity_uri: &str,
) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM notifications WHERE actor_id = ?1 AND activity_uri = ?2",
        params![actor_id, activity_uri],
    )
}

#[cfg(test)]
mod tests;
