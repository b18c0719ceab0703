//! The owner's blocks and mutes of accounts, blocked domains and muted words. (`blocked_by`
//! rows, written when others block us, live in `actors`.)

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Actor, Timestamp};

use super::actors;

/// What the owner did about an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restriction {
    /// They see nothing of us and we nothing of them; they are told (Block).
    Block,
    /// We see nothing of them; nobody is told.
    Mute,
}

impl Restriction {
    fn as_str(self) -> &'static str {
        match self {
            Restriction::Block => "block",
            Restriction::Mute => "mute",
        }
    }
}

/// Records a block or mute; false when it was there already. `activity_uri` is the Block sent.
pub fn add(
    conn: &Connection,
    actor_id: i64,
    kind: Restriction,
    activity_uri: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT INTO actor_blocks (actor_id, kind, created_at, activity_uri) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (actor_id, kind) DO NOTHING",
        params![actor_id, kind.as_str(), now.0, activity_uri],
    )? == 1)
}

/// Whether a row still holds: a mute with a duration lapses at `expires_at` (ms) by itself.
const IN_FORCE: &str = "(expires_at IS NULL OR expires_at > unixepoch('subsec') * 1000)";

/// Mutes an account until `expires_at` (None: until lifted); muting again sets the new end.
pub fn mute_until(
    conn: &Connection,
    actor_id: i64,
    expires_at: Option<Timestamp>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO actor_blocks (actor_id, kind, created_at, expires_at) VALUES (?1, 'mute', ?2, ?3)
         ON CONFLICT (actor_id, kind) DO UPDATE SET expires_at = excluded.expires_at",
        params![actor_id, now.0, expires_at.map(|t| t.0)],
    )?;
    Ok(())
}

/// When the mute of this actor ends: None when not muted, Some(None) when it does not end.
pub fn mute_expiry(
    conn: &Connection,
    actor_id: i64,
) -> rusqlite::Result<Option<Option<Timestamp>>> {
    conn.prepare_cached(&format!(
        "SELECT expires_at FROM actor_blocks WHERE actor_id = ?1 AND kind = 'mute' AND {IN_FORCE}"
    ))?
    .query_row([actor_id], |row| row.get::<_, Option<i64>>(0))
    .optional()
    .map(|found| found.map(|at| at.map(Timestamp)))
}

/// Lifts a block or mute; returns whether it existed, with the Block activity's id if any.
pub fn remove(
    conn: &Connection,
    actor_id: i64,
    kind: Restriction,
) -> rusqlite::Result<Option<Option<String>>> {
    let activity = conn
        .cached_row(
            "DELETE FROM actor_blocks WHERE actor_id = ?1 AND kind = ?2 RETURNING activity_uri",
            params![actor_id, kind.as_str()],
            |row| row.get::<_, Option<String>>(0),
        )
        .optional()?;
    Ok(activity)
}

/// Whether the owner blocked (or muted) this actor: the one answer to "is this actor blocked?".
pub fn has(conn: &Connection, actor_id: i64, kind: Restriction) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        &format!("SELECT EXISTS (SELECT 1 FROM actor_blocks WHERE actor_id = ?1 AND kind = ?2 AND {IN_FORCE})"),
    )?
    .query_row(params![actor_id, kind.as_str()], |row| row.get(0))
}

/// Which of `actor_ids` are blocked or muted now: one query for a page of posts.
pub fn restricted_among(conn: &Connection, actor_ids: &[i64]) -> rusqlite::Result<Vec<i64>> {
    let ids = serde_json::to_string(actor_ids).unwrap_or_else(|_| "[]".into());
    let mut statement = conn.prepare_cached(&format!(
        "SELECT DISTINCT actor_id FROM actor_blocks
         WHERE actor_id IN (SELECT value FROM json_each(?1)) AND {IN_FORCE}"
    ))?;
    let rows = statement.query_map([ids], |row| row.get(0))?;
    rows.collect()
}

/// `has`, by the actor's id (its URI), for activities from actors we may not hold.
pub fn has_uri(conn: &Connection, uri: &str, kind: Restriction) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM actor_blocks JOIN actors ON actors.id = actor_blocks.actor_id
                        WHERE actors.uri = ?1 AND actor_blocks.kind = ?2
                          AND (actor_blocks.expires_at IS NULL
                               OR actor_blocks.expires_at > unixepoch('subsec') * 1000))",
    )?
    .query_row(params![uri, kind.as_str()], |row| row.get(0))
}

/// The accounts blocked or muted, most recent first.
pub fn list(conn: &Connection, kind: Restriction) -> rusqlite::Result<Vec<Actor>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT actor_id FROM actor_blocks WHERE kind = ?1 AND {IN_FORCE}
         ORDER BY created_at DESC LIMIT 1000"
    ))?;
    let ids = statement
        .query_map([kind.as_str()], |row| row.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut found = Vec::new();
    for id in ids {
        found.extend(actors::get(conn, id)?);
    }
    Ok(found)
}

/// Blocks a domain (lower-case host name, no port); false when it was blocked already.
pub fn block_domain(conn: &Connection, domain: &str, now: Timestamp) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT INTO domain_blocks (domain, created_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![domain, now.0],
    )? == 1)
}

pub fn unblock_domain(conn: &Connection, domain: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM domain_blocks WHERE domain = ?1", [domain])? == 1)
}

pub fn blocked_domains(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT domain FROM domain_blocks ORDER BY domain LIMIT 1000")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

pub fn add_muted_word(conn: &Connection, word: &str, now: Timestamp) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT INTO muted_words (word, created_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![word, now.0],
    )? == 1)
}

pub fn remove_muted_word(conn: &Connection, word: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM muted_words WHERE word = ?1", [word])? == 1)
}

pub fn muted_words(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT word FROM muted_words ORDER BY word LIMIT 1000")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

#[cfg(test)]
mod tests;
