//! The owner's notifications: follows, requests, mentions, replies, likes, boosts, reports.

use rusqlite::{params, Connection};

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
    let rows = statement.query_map(params![before.unwrap_or(i64::MAX), limit as i64], |row| {
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
    })?;
    rows.filter_map(Result::transpose).collect()
}

pub fn unread_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
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
