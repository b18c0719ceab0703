//! Follows both ways, and the actors at their other end.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Actor, FollowState, Timestamp};

use super::{actors, new_id};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// They follow us.
    In,
    /// We follow them.
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

pub fn count(conn: &Connection, direction: Direction, state: FollowState) -> rusqlite::Result<u64> {
    // Accepted ones are what pages and collections show: kept by triggers, O(1).
    if state == FollowState::Accepted {
        let counters = super::counters::get(conn)?;
        return Ok(match direction {
            Direction::In => counters.followers,
            Direction::Out => counters.following,
        });
    }
    conn.cached_row(
        "SELECT count(*) FROM follows WHERE direction = ?1 AND state = ?2",
        params![direction.as_str(), state.as_str()],
        |row| row.get::<_, i64>(0).map(|n| n as u64),
    )
}

/// Actor ids at the other end of accepted follows, newest first, by keyset on the follow's id.
pub fn actor_uris(
    conn: &Connection,
    direction: Direction,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut statement = conn.prepare_cached(
        "SELECT follows.id, actors.uri FROM follows JOIN actors ON actors.id = follows.actor_id
         WHERE direction = ?1 AND state = 'accepted' AND follows.id < ?2
         ORDER BY follows.id DESC LIMIT ?3",
    )?;
    let rows = statement.query_map(
        params![direction.as_str(), before.unwrap_or(i64::MAX), limit as i64],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    rows.collect()
}

/// One follow, either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Follow {
    pub id: i64,
    pub actor_id: i64,
    pub direction: Direction,
    pub state: FollowState,
    /// The Follow activity's id: theirs for 'in', ours for 'out'.
    pub activity_uri: String,
    pub created_at: Timestamp,
}

pub fn get(
    conn: &Connection,
    actor_id: i64,
    direction: Direction,
) -> rusqlite::Result<Option<Follow>> {
    conn.cached_row(
        "SELECT id, state, activity_uri, created_at FROM follows
         WHERE actor_id = ?1 AND direction = ?2",
        params![actor_id, direction.as_str()],
        |row| {
            let state: String = row.get(1)?;
            Ok(Follow {
                id: row.get(0)?,
                actor_id,
                direction,
                // The column's CHECK allows only the three states.
                state: FollowState::parse(&state).unwrap_or(FollowState::Rejected),
                activity_uri: row.get(2)?,
                created_at: Timestamp(row.get(3)?),
            })
        },
    )
    .optional()
}

/// Records a follow, or replaces the one with that actor in that direction (a newer Follow).
pub fn upsert(
    conn: &Connection,
    actor_id: i64,
    direction: Direction,
    state: FollowState,
    activity_uri: &str,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO follows (id, actor_id, direction, state, activity_uri, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (actor_id, direction) DO UPDATE SET
                state = excluded.state, activity_uri = excluded.activity_uri",
        params![
            new_id(now),
            actor_id,
            direction.as_str(),
            state.as_str(),
            activity_uri,
            now.0
        ],
    )?;
    Ok(())
}

pub fn set_state(
    conn: &Connection,
    actor_id: i64,
    direction: Direction,
    state: FollowState,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE follows SET state = ?3 WHERE actor_id = ?1 AND direction = ?2",
        params![actor_id, direction.as_str(), state.as_str()],
    )?;
    Ok(changed == 1)
}

pub fn delete(conn: &Connection, actor_id: i64, direction: Direction) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM follows WHERE actor_id = ?1 AND direction = ?2",
        params![actor_id, direction.as_str()],
    )?;
    Ok(removed == 1)
}

/// Removes the follow only when it was made by `activity_uri`: an Undo of an older Follow must
/// not end a newer one.
pub fn delete_matching(
    conn: &Connection,
    actor_id: i64,
    direction: Direction,
    activity_uri: &str,
) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM follows WHERE actor_id = ?1 AND direction = ?2 AND activity_uri = ?3",
        params![actor_id, direction.as_str(), activity_uri],
    )?;
    Ok(removed == 1)
}

/// Whether we follow this actor and they accepted.
pub fn is_following(conn: &Connection, actor_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM follows
                        WHERE actor_id = ?1 AND direction = 'out' AND state = 'accepted')",
    )?
    .query_row([actor_id], |row| row.get(0))
}

/// Follows in one direction and state with their actors, newest first by keyset on the follow's
/// id: followers, following, pending follow requests.
pub fn list(
    conn: &Connection,
    direction: Direction,
    state: FollowState,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<(Follow, Actor)>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT follows.id, follows.activity_uri, follows.created_at, {}
         FROM follows JOIN actors ON actors.id = follows.actor_id
         WHERE direction = ?1 AND state = ?2 AND follows.id < ?3
         ORDER BY follows.id DESC LIMIT ?4",
        actors::COLUMNS
    ))?;
    let rows = statement.query_map(
        params![
            direction.as_str(),
            state.as_str(),
            before.unwrap_or(i64::MAX),
            limit as i64
        ],
        |row| {
            let actor = actors::from_row(row, 3)?;
            Ok((
                Follow {
                    id: row.get(0)?,
                    actor_id: actor.id,
                    direction,
                    state,
                    activity_uri: row.get(1)?,
                    created_at: Timestamp(row.get(2)?),
                },
                actor,
            ))
        },
    )?;
    rows.collect()
}

/// Removes every follow, either way, with accounts on `domain` or below it.
pub fn delete_in_domain(conn: &Connection, domain: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM follows WHERE actor_id IN
           (SELECT id FROM actors WHERE domain = ?1 OR domain LIKE '%.' || ?1
                                     OR domain LIKE ?1 || ':%' OR domain LIKE '%.' || ?1 || ':%')",
        [domain],
    )
}

/// Removes the follows of us (accepted or requested) by every actor whose inbox or shared inbox
/// is `inbox`: it answered 410 Gone, so they can no longer be reached. Returns how many.
pub fn delete_followers_at_inbox(conn: &Connection, inbox: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "DELETE FROM follows WHERE direction = 'in' AND actor_id IN
           (SELECT id FROM actors WHERE inbox = ?1 OR shared_inbox = ?1)",
    )?
    .execute([inbox])
}

/// Where to deliver to every accepted follower: their shared inbox where they have one, else
/// their own, each once; blocked accounts (either way) and blocked domains left out.
pub fn follower_inboxes(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT coalesce(actors.shared_inbox, actors.inbox), actors.domain
         FROM follows JOIN actors ON actors.id = follows.actor_id
         WHERE follows.direction = 'in' AND follows.state = 'accepted'
           AND NOT EXISTS (SELECT 1 FROM actor_blocks b WHERE b.actor_id = actors.id
                           AND b.kind IN ('block', 'blocked_by'))",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut inboxes = std::collections::BTreeSet::new();
    for row in rows {
        let (inbox, domain) = row?;
        let inbox_host = url::Url::parse(&inbox)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        // The inbox's host counts too: a shared inbox may live elsewhere than its actor.
        if !actors::is_domain_blocked(conn, &domain)?
            && !actors::is_domain_blocked(conn, &inbox_host)?
        {
            inboxes.insert(inbox);
        }
    }
    Ok(inboxes.into_iter().collect())
}

#[cfg(test)]
mod tests;
