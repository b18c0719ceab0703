//! The whole lists Perch exports as CSV (no page limits: an export is everything), and the
//! look-ups an import needs.

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Actor;

use super::actors::{from_row, COLUMNS};

/// A stored actor by its handle's parts, without asking the network.
pub fn actor_by_handle(
    conn: &Connection,
    username: &str,
    domain: &str,
) -> rusqlite::Result<Option<Actor>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM actors WHERE username = ?1 AND domain = ?2 COLLATE NOCASE
             ORDER BY fetched_at DESC LIMIT 1"
        ),
        params![username, domain],
        |row| from_row(row, 0),
    )
    .optional()
}

/// Accounts at the other end of follows in `direction` ('in' or 'out'), pending ones too when
/// asked (an export of following keeps requests not yet accepted), oldest first.
pub fn follow_actors(
    conn: &Connection,
    direction: &str,
    with_pending: bool,
) -> rusqlite::Result<Vec<Actor>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM follows JOIN actors ON actors.id = follows.actor_id
         WHERE direction = ?1 AND (state = 'accepted' OR (?2 AND state = 'pending'))
         ORDER BY follows.id"
    ))?;
    let rows = statement.query_map(params![direction, with_pending], |row| from_row(row, 0))?;
    rows.collect()
}

/// Blocked (`block`) or muted (`mute`) accounts, oldest first.
pub fn restricted_actors(conn: &Connection, kind: &str) -> rusqlite::Result<Vec<Actor>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM actor_blocks JOIN actors ON actors.id = actor_blocks.actor_id
         WHERE actor_blocks.kind = ?1 ORDER BY actor_blocks.created_at, actors.id"
    ))?;
    let rows = statement.query_map([kind], |row| from_row(row, 0))?;
    rows.collect()
}

pub fn blocked_domains(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare("SELECT domain FROM domain_blocks ORDER BY domain")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// Bookmarked ids, oldest bookmark first.
pub fn bookmarks(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare("SELECT object_uri FROM bookmarks ORDER BY created_at, object_uri")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// Every (list title, member) pair, by list then member.
pub fn list_members(conn: &Connection) -> rusqlite::Result<Vec<(String, Actor)>> {
    let mut statement = conn.prepare(&format!(
        "SELECT lists.title, {COLUMNS} FROM lists
         JOIN list_members ON list_members.list_id = lists.id
         JOIN actors ON actors.id = list_members.actor_id
         ORDER BY lists.id, actors.id"
    ))?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, from_row(row, 1)?)))?;
    rows.collect()
}

/// The list with this title, if any (titles are not unique in Mastodon; the first wins).
pub fn list_by_title(conn: &Connection, title: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM lists WHERE title = ?1 ORDER BY id LIMIT 1",
        [title],
        |row| row.get(0),
    )
    .optional()
}

/// The post an archive's object id was imported as, if it was.
pub fn archived_post(conn: &Connection, object_uri: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT post_id FROM archive_posts WHERE object_uri = ?1",
        [object_uri],
        |row| row.get(0),
    )
    .optional()
}

pub fn remember_archived(
    conn: &Connection,
    object_uri: &str,
    post_id: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO archive_posts (object_uri, post_id) VALUES (?1, ?2)",
        params![object_uri, post_id],
    )?;
    Ok(())
}

/// The owner's post ids, oldest first, from `after` on (an export reads them in pages).
pub fn post_ids_after(conn: &Connection, after: i64, limit: usize) -> rusqlite::Result<Vec<i64>> {
    let mut statement = conn.prepare("SELECT id FROM posts WHERE id > ?1 ORDER BY id LIMIT ?2")?;
    let rows = statement.query_map(params![after, limit as i64], |row| row.get(0))?;
    rows.collect()
}

/// What the owner liked, oldest first.
pub fn own_likes(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare(
        "SELECT object_uri FROM interactions WHERE kind = 'like' AND actor_id IS NULL ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}
