//! Polls: ours with their options and counted votes, the owner's votes in others' polls, and
//! the state the poll worker keeps (totals waiting for an Update, ends not yet announced).
//! Others' options and counts are read from their stored Question ([`question_of`]).

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::model::{Poll, PollOption, Timestamp};

/// A remote poll shows at most this many options, each title at most this long.
pub const MAX_REMOTE_OPTIONS: usize = 20;
pub const MAX_REMOTE_TITLE_CHARS: usize = 200;

/// A poll of ours, ready to store.
#[derive(Clone, Debug)]
pub struct NewPoll<'a> {
    pub options: &'a [String],
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: Timestamp,
}

/// What the worker and the vote checks need of a poll row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollRow {
    pub post_id: i64,
    pub uri: String,
    pub own: bool,
    pub multiple: bool,
    pub expires_at: Option<Timestamp>,
    pub ended: bool,
}

pub fn insert_own(
    conn: &Connection,
    post_id: i64,
    uri: &str,
    poll: &NewPoll,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO polls (post_id, uri, own, multiple, hide_totals, expires_at, created_at)
         VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)",
        params![
            post_id,
            uri,
            poll.multiple,
            poll.hide_totals,
            poll.expires_at.0,
            now.0
        ],
    )?;
    let mut option = conn.prepare_cached(
        "INSERT INTO poll_options (post_id, position, title) VALUES (?1, ?2, ?3)",
    )?;
    for (position, title) in poll.options.iter().enumerate() {
        option.execute(params![post_id, position as i64, title])?;
    }
    Ok(())
}

/// Keeps a row for someone else's poll the owner votes in (its end is announced to the owner);
/// an existing row is left as it is.
pub fn track_remote(
    conn: &Connection,
    post_id: i64,
    uri: &str,
    poll: &Poll,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO polls (post_id, uri, own, multiple, expires_at, created_at)
         VALUES (?1, ?2, 0, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![
            post_id,
            uri,
            poll.multiple,
            poll.expires_at.map(|t| t.0),
            now.0
        ],
    )?;
    Ok(())
}

pub fn get_row(conn: &Connection, uri: &str) -> rusqlite::Result<Option<PollRow>> {
    conn.prepare_cached(
        "SELECT post_id, uri, own, multiple, expires_at, ended_at IS NOT NULL
         FROM polls WHERE uri = ?1",
    )?
    .query_row([uri], |row| {
        Ok(PollRow {
            post_id: row.get(0)?,
            uri: row.get(1)?,
            own: row.get(2)?,
            multiple: row.get(3)?,
            expires_at: row.get::<_, Option<i64>>(4)?.map(Timestamp),
            ended: row.get(5)?,
        })
    })
    .optional()
}

/// Our polls on these posts (ids as a JSON array), with options and counts: (post id, poll).
pub fn of_own_posts(conn: &Connection, ids_json: &str) -> rusqlite::Result<Vec<(i64, Poll)>> {
    let mut polls: Vec<(i64, Poll)> = Vec::new();
    let mut statement = conn.prepare_cached(
        "SELECT post_id, multiple, hide_totals, expires_at,
                (SELECT count(DISTINCT actor_id) FROM poll_votes v WHERE v.post_id = polls.post_id),
                ended_at IS NOT NULL
         FROM polls WHERE own = 1 AND post_id IN (SELECT value FROM json_each(?1))
         ORDER BY post_id",
    )?;
    let mut rows = statement.query([ids_json])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        polls.push((
            id,
            Poll {
                id,
                own: true,
                multiple: row.get(1)?,
                hide_totals: row.get(2)?,
                expires_at: row.get::<_, Option<i64>>(3)?.map(Timestamp),
                voters_count: Some(row.get::<_, i64>(4)?.max(0) as u64),
                // Closed once the worker handled the end (its Update says so too).
                closed: row.get(5)?,
                ..Poll::default()
            },
        ));
    }
    let mut statement = conn.prepare_cached(
        "SELECT post_id, title, votes FROM poll_options
         WHERE post_id IN (SELECT value FROM json_each(?1)) ORDER BY post_id, position",
    )?;
    let mut rows = statement.query([ids_json])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if let Some((_, poll)) = polls.iter_mut().find(|(p, _)| *p == id) {
            poll.options.push(PollOption {
                title: row.get(1)?,
                votes: row.get::<_, i64>(2)?.max(0) as u64,
            });
        }
    }
    Ok(polls)
}

/// Whether this voter (None: the owner) has voted in the poll already.
pub fn has_voted(conn: &Connection, post_id: i64, actor_id: Option<i64>) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM poll_votes WHERE post_id = ?1 AND ifnull(actor_id, 0) = ifnull(?2, 0)",
    )?
    .exists(params![post_id, actor_id])
}

/// Counts one vote; false when this voter chose this option already (nothing changes). A vote
/// in one of our polls counts on its option and marks the totals for the next Update.
pub fn add_vote(
    conn: &Connection,
    post_id: i64,
    actor_id: Option<i64>,
    choice: usize,
    activity_uri: Option<&str>,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let inserted = conn.execute(
        "INSERT INTO poll_votes (post_id, actor_id, choice, activity_uri, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![post_id, actor_id, choice as i64, activity_uri, now.0],
    )? == 1;
    if inserted && actor_id.is_some() {
        conn.execute(
            "UPDATE poll_options SET votes = votes + 1 WHERE post_id = ?1 AND position = ?2",
            params![post_id, choice as i64],
        )?;
        conn.execute(
            "UPDATE polls SET changed_at = ifnull(changed_at, ?2) WHERE post_id = ?1 AND own = 1",
            params![post_id, now.0],
        )?;
    }
    Ok(inserted)
}

/// The owner's choices in the polls on these remote posts (ids as a JSON array).
pub fn own_votes(conn: &Connection, post_id: i64) -> rusqlite::Result<Vec<usize>> {
    let mut statement = conn.prepare_cached(
        "SELECT choice FROM poll_votes WHERE post_id = ?1 AND actor_id IS NULL ORDER BY choice",
    )?;
    let rows = statement.query_map([post_id], |row| row.get::<_, i64>(0))?;
    rows.map(|r| r.map(|c| c.max(0) as usize)).collect()
}

/// Our polls whose totals changed and whose last Update is at least `gap_ms` old at `now`.
pub fn due_updates(
    conn: &Connection,
    now: Timestamp,
    gap_ms: i64,
    limit: usize,
) -> rusqlite::Result<Vec<i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT post_id FROM polls
         WHERE changed_at IS NOT NULL AND own = 1 AND (sent_at IS NULL OR sent_at <= ?1)
         ORDER BY changed_at LIMIT ?2",
    )?;
    let rows = statement.query_map(params![now.0 - gap_ms, limit as i64], |row| row.get(0))?;
    rows.collect()
}

/// The totals of this poll went out at `now`.
pub fn mark_sent(conn: &Connection, post_id: i64, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE polls SET changed_at = NULL, sent_at = ?2 WHERE post_id = ?1",
        params![post_id, now.0],
    )?;
    Ok(())
}

/// Polls past their end at `now` whose end was not handled yet.
pub fn due_ends(conn: &Connection, now: Timestamp, limit: usize) -> rusqlite::Result<Vec<PollRow>> {
    let mut statement = conn.prepare_cached(
        "SELECT post_id, uri, own, multiple, expires_at FROM polls
         WHERE ended_at IS NULL AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2",
    )?;
    let rows = statement.query_map(params![now.0, limit as i64], |row| {
        Ok(PollRow {
            post_id: row.get(0)?,
            uri: row.get(1)?,
            own: row.get(2)?,
            multiple: row.get(3)?,
            expires_at: row.get::<_, Option<i64>>(4)?.map(Timestamp),
            ended: false,
        })
    })?;
    rows.collect()
}

pub fn mark_ended(conn: &Connection, post_id: i64, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE polls SET ended_at = ?2 WHERE post_id = ?1",
        params![post_id, now.0],
    )?;
    Ok(())
}

/// The earliest time the worker has something to do: an end, or a throttled Update.
pub fn next_due(conn: &Connection, gap_ms: i64) -> rusqlite::Result<Option<Timestamp>> {
    conn.cached_row(
        "SELECT min(t) FROM (
            SELECT min(expires_at) AS t FROM polls WHERE ended_at IS NULL
            UNION ALL
            SELECT min(ifnull(sent_at + ?1, changed_at)) FROM polls WHERE changed_at IS NOT NULL)",
        [gap_ms],
        |row| row.get::<_, Option<i64>>(0),
    )
    .map(|t| t.map(Timestamp))
}

/// Forgets the poll of a deleted post, with its votes.
pub fn delete(conn: &Connection, uri: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM polls WHERE uri = ?1", [uri])?;
    Ok(())
}

/// The poll a stored `Question` carries: `oneOf` (single choice) or `anyOf` (multiple), each
/// option a `name` with `replies.totalItems`; `endTime`, or `closed` once it ended;
/// `votersCount` (Mastodon's extension). None for any other object. Capped as remote input is.
pub fn question_of(object: &Value, post_id: i64, own_votes: Vec<usize>) -> Option<Poll> {
    if object.get("type").and_then(Value::as_str) != Some("Question") {
        return None;
    }
    let (items, multiple) = match (object.get("oneOf"), object.get("anyOf")) {
        (Some(Value::Array(items)), _) => (items, false),
        (_, Some(Value::Array(items))) => (items, true),
        _ => return None,
    };
    let options: Vec<PollOption> = items
        .iter()
        .take(MAX_REMOTE_OPTIONS)
        .filter_map(|item| {
            let name = item.get("name").and_then(Value::as_str)?;
            let title: String = name
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_REMOTE_TITLE_CHARS)
                .collect();
            let votes = item
                .get("replies")
                .and_then(|r| r.get("totalItems"))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            Some(PollOption { title, votes })
        })
        .collect();
    if options.is_empty() {
        return None;
    }
    let time = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .and_then(Timestamp::parse_rfc3339)
    };
    let closed = time("closed");
    let closed_flag =
        closed.is_some() || object.get("closed").and_then(Value::as_bool) == Some(true);
    Some(Poll {
        id: post_id,
        own: false,
        multiple,
        hide_totals: false,
        expires_at: time("endTime").or(closed),
        closed: closed_flag,
        voters_count: object.get("votersCount").and_then(Value::as_u64),
        own_votes: own_votes
            .into_iter()
            .filter(|choice| *choice < options.len())
            .collect(),
        options,
    })
}

#[cfg(test)]
mod tests;
