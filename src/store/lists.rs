//! The owner's lists (timelines of chosen accounts) and the tags they follow.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Actor, List, Timestamp};

use super::{actors, new_id};

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<List> {
    Ok(List {
        id: row.get(0)?,
        title: row.get(1)?,
        replies_policy: row.get(2)?,
        exclusive: row.get(3)?,
    })
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<List>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, title, replies_policy, exclusive FROM lists ORDER BY title, id",
    )?;
    let rows = statement.query_map([], from_row)?;
    rows.collect()
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<List>> {
    conn.prepare_cached("SELECT id, title, replies_policy, exclusive FROM lists WHERE id = ?1")?
        .query_row([id], from_row)
        .optional()
}

pub fn insert(
    conn: &Connection,
    title: &str,
    replies_policy: &str,
    exclusive: bool,
    now: Timestamp,
) -> rusqlite::Result<i64> {
    let id = new_id(now);
    conn.execute(
        "INSERT INTO lists (id, title, replies_policy, exclusive, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, title, replies_policy, exclusive, now.0],
    )?;
    Ok(id)
}

pub fn update(conn: &Connection, list: &List) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE lists SET title = ?2, replies_policy = ?3, exclusive = ?4 WHERE id = ?1",
        params![list.id, list.title, list.replies_policy, list.exclusive],
    )? == 1)
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM lists WHERE id = ?1", [id])? == 1)
}

/// A list's members, by actor id, `after` the given one (keyset), at most `limit`.
pub fn members(
    conn: &Connection,
    list_id: i64,
    after: i64,
    limit: usize,
) -> rusqlite::Result<Vec<Actor>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {} FROM list_members JOIN actors ON actors.id = list_members.actor_id
         WHERE list_members.list_id = ?1 AND actors.id > ?2 ORDER BY actors.id LIMIT ?3",
        actors::COLUMNS
    ))?;
    let rows = statement.query_map(params![list_id, after, limit as i64], |row| {
        actors::from_row(row, 0)
    })?;
    rows.collect()
}

/// Adds an account; false when it was a member already.
pub fn add_member(conn: &Connection, list_id: i64, actor_id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO list_members (list_id, actor_id) VALUES (?1, ?2)",
        params![list_id, actor_id],
    )? == 1)
}

pub fn remove_member(conn: &Connection, list_id: i64, actor_id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM list_members WHERE list_id = ?1 AND actor_id = ?2",
        params![list_id, actor_id],
    )? == 1)
}

/// The lists an account is on.
pub fn of_actor(conn: &Connection, actor_id: i64) -> rusqlite::Result<Vec<List>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, title, replies_policy, exclusive FROM lists
         WHERE id IN (SELECT list_id FROM list_members WHERE actor_id = ?1) ORDER BY title, id",
    )?;
    let rows = statement.query_map([actor_id], from_row)?;
    rows.collect()
}

/// The members of exclusive lists: their posts stay off the home timeline.
pub fn exclusive_members(conn: &Connection) -> rusqlite::Result<std::collections::HashSet<i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT actor_id FROM list_members
         WHERE list_id IN (SELECT id FROM lists WHERE exclusive)",
    )?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// Follows a tag (without `#`); false when it was followed already.
pub fn follow_tag(conn: &Connection, tag: &str, now: Timestamp) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO followed_tags (tag, created_at) VALUES (?1, ?2)",
        params![tag, now.0],
    )? == 1)
}

pub fn unfollow_tag(conn: &Connection, tag: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM followed_tags WHERE tag = ?1", [tag])? == 1)
}

pub fn followed_tags(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached("SELECT tag FROM followed_tags ORDER BY tag")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

pub fn follows_tag(conn: &Connection, tag: &str) -> rusqlite::Result<bool> {
    conn.cached_row(
        "SELECT EXISTS (SELECT 1 FROM followed_tags WHERE tag = ?1)",
        [tag],
        |row| row.get(0),
    )
}

#[cfg(test)]
mod tests;
