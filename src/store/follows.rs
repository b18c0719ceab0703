//! Follows both ways, and the actors at their other end.

use rusqlite::{params, Connection};

use crate::model::FollowState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// They follow us.
    In,
    /// We follow them.
    Out,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

pub fn count(conn: &Connection, direction: Direction, state: FollowState) -> rusqlite::Result<u64> {
    conn.query_row(
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
