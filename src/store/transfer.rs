//! The whole lists Perch exports as CSV (no page limits: an export is everything), and the
//! look-ups an import needs.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Actor;

use super::actors::{from_row, COLUMNS};

/// A stored actor by its handle's parts, without asking the network.
pub fn actor_by_handle(
    conn: &Connection,
    username: &str,
    domain: &str,
) -> rusqlite::Result<Option<Actor>> {
    conn.cached_row(
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
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM follows JOIN actors ON actors.id = follows.actor_id
         WHERE direction = ?1 AND (state = 'accepted' OR (?2 AND state = 'pending'))
         ORDER BY follows.id"
    ))?;
    let rows = statement.query_map(params![direction, with_pending], |row| from_row(row, 0))?;
    rows.collect()
}

/// Blocked (`block`) or muted (`mute`) accounts, oldest first.
pub fn restricted_actors(conn: &Connection, kind: &str) -> rusqlite::Result<Vec<Actor>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM actor_blocks JOIN actors ON actors.id = actor_blocks.actor_id
         WHERE actor_blocks.kind = ?1 ORDER BY actor_blocks.created_at, actors.id"
    ))?;
    let rows = statement.query_map([kind], |row| from_row(row, 0))?;
    rows.collect()
}

pub fn blocked_domains(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached("SELECT domain FROM domain_blocks ORDER BY domain")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// Bookmarked ids, oldest bookmark first.
pub fn bookmarks(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT object_uri FROM bookmarks ORDER BY created_at, object_uri")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// Every (list title, member) pair, by list then member.
pub fn list_members(conn: &Connection) -> rusqlite::Result<Vec<(String, Actor)>> {
    let mut statement = conn.prepare_cached(&format!(
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
    conn.cached_row(
        "SELECT id FROM lists WHERE title = ?1 ORDER BY id LIMIT 1",
        [title],
        |row| row.get(0),
    )
    .optional()
}

/// The post an archive's object id was imported as, if it was.
pub fn archived_post(conn: &Connection, object_uri: &str) -> rusqlite::Result<Option<i64>> {
    conn.cached_row(
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
    let mut statement =
        conn.prepare_cached("SELECT id FROM posts WHERE id > ?1 ORDER BY id LIMIT ?2")?;
    let rows = statement.query_map(params![after, limit as i64], |row| row.get(0))?;
    rows.collect()
}

/// What the owner liked, oldest first.
pub fn own_likes(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT object_uri FROM interactions WHERE kind = 'like' AND actor_id IS NULL ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

pub use crate::model::ImportJob;

/// A data line of an import, not yet applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: i64,
    /// The row's cells as a JSON array of strings.
    pub cells: String,
}

pub fn insert_import_job(
    conn: &Connection,
    kind: &str,
    overwrite: bool,
    background: bool,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO import_jobs (kind, overwrite, background, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![kind, overwrite, background, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// One line of a job: pending, or skipped with why (a line that could not be read).
pub fn insert_import_row(
    conn: &Connection,
    job: i64,
    line: i64,
    cells: &str,
    skipped: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO import_rows (job_id, line, cells, state, reason)
         VALUES (?1, ?2, ?3, CASE WHEN ?4 IS NULL THEN 'pending' ELSE 'skipped' END, ?4)",
    )?
    .execute(params![job, line, cells, skipped])?;
    Ok(())
}

const JOB_COLUMNS: &str = "id, kind, overwrite, created_at, finished_at, removed,
    (SELECT count(*) FROM import_rows WHERE job_id = import_jobs.id),
    (SELECT count(*) FROM import_rows WHERE job_id = import_jobs.id AND state = 'done'),
    (SELECT count(*) FROM import_rows WHERE job_id = import_jobs.id AND state = 'skipped')";

fn job_from_row(row: &rusqlite::Row) -> rusqlite::Result<ImportJob> {
    Ok(ImportJob {
        id: row.get(0)?,
        kind: row.get(1)?,
        overwrite: row.get(2)?,
        created_at: row.get(3)?,
        finished_at: row.get(4)?,
        removed: row.get(5)?,
        total: row.get(6)?,
        done: row.get(7)?,
        skipped: row.get(8)?,
    })
}

pub fn import_job(conn: &Connection, id: i64) -> rusqlite::Result<Option<ImportJob>> {
    conn.cached_row(
        &format!("SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = ?1"),
        [id],
        job_from_row,
    )
    .optional()
}

/// The oldest background import not finished: the one the worker works on.
pub fn unfinished_import_job(conn: &Connection) -> rusqlite::Result<Option<ImportJob>> {
    conn.cached_row(
        &format!(
            "SELECT {JOB_COLUMNS} FROM import_jobs WHERE finished_at IS NULL AND background
             ORDER BY id LIMIT 1"
        ),
        [],
        job_from_row,
    )
    .optional()
}

/// The newest imports first, for the settings page.
pub fn recent_import_jobs(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<ImportJob>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {JOB_COLUMNS} FROM import_jobs ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = statement.query_map([limit as i64], job_from_row)?;
    rows.collect()
}

pub fn pending_import_rows(
    conn: &Connection,
    job: i64,
    limit: usize,
) -> rusqlite::Result<Vec<ImportRow>> {
    let mut statement = conn.prepare_cached(
        "SELECT line, cells FROM import_rows WHERE job_id = ?1 AND state = 'pending'
         ORDER BY line LIMIT ?2",
    )?;
    let rows = statement.query_map(params![job, limit as i64], |row| {
        Ok(ImportRow {
            line: row.get(0)?,
            cells: row.get(1)?,
        })
    })?;
    rows.collect()
}

/// Marks a line applied (with what it named) or skipped (with why).
pub fn finish_import_row(
    conn: &Connection,
    job: i64,
    line: i64,
    outcome: Result<(&str, Option<i64>), &str>,
) -> rusqlite::Result<()> {
    let (state, reason, target, list) = match outcome {
        Ok((target, list)) => ("done", None, Some(target), list),
        Err(reason) => ("skipped", Some(reason), None, None),
    };
    conn.prepare_cached(
        "UPDATE import_rows SET state = ?3, reason = ?4, target = ?5, list_id = ?6
         WHERE job_id = ?1 AND line = ?2",
    )?
    .execute(params![job, line, state, reason, target, list])?;
    Ok(())
}

/// What the applied lines of a job named, with their lists.
pub fn import_targets(conn: &Connection, job: i64) -> rusqlite::Result<Vec<(String, Option<i64>)>> {
    let mut statement = conn.prepare_cached(
        "SELECT target, list_id FROM import_rows WHERE job_id = ?1 AND state = 'done'",
    )?;
    let rows = statement.query_map([job], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// Skipped lines of a job with why, by line number.
pub fn skipped_import_rows(
    conn: &Connection,
    job: i64,
    limit: usize,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut statement = conn.prepare_cached(
        "SELECT line, ifnull(reason, '') FROM import_rows
         WHERE job_id = ?1 AND state = 'skipped' ORDER BY line LIMIT ?2",
    )?;
    let rows = statement.query_map(params![job, limit as i64], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    rows.collect()
}

pub fn finish_import_job(
    conn: &Connection,
    job: i64,
    removed: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE import_jobs SET finished_at = ?2, removed = ?3 WHERE id = ?1",
        params![job, now, removed],
    )?;
    Ok(())
}
