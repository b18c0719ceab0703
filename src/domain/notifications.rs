//! The owner's notifications: a page of them, which marks the newest read, and the unread count
//! the navigation shows.

use rusqlite::Connection;

use crate::error::Result;
use crate::model::{NotificationsPage, Timestamp};
use crate::store::notifications;

use super::profile;

/// One page, newest first, older than `max_id` when given. Seeing the newest page marks
/// everything on it read.
pub fn page(
    conn: &Connection,
    username: &str,
    max_id: Option<i64>,
    limit: usize,
    now: Timestamp,
) -> Result<NotificationsPage> {
    let mut items = notifications::list(conn, max_id, limit + 1)?;
    if max_id.is_none() {
        notifications::mark_read(conn, items.first().map(|n| n.id), now)?;
    }
    let older = (items.len() > limit).then(|| items[limit - 1].id);
    items.truncate(limit);
    Ok(NotificationsPage {
        profile: profile::get(conn, username)?,
        items,
        older,
    })
}

/// How many notifications the owner has not seen.
pub fn unread(conn: &Connection) -> Result<u64> {
    Ok(notifications::unread_count(conn)?)
}
