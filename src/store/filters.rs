//! The owner's filters (Mastodon's filters v2), their keywords and filtered posts.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{FilterKeyword, FilterRule, FilterStatus, Timestamp};

pub struct NewFilter<'a> {
    pub title: &'a str,
    pub contexts: &'a [String],
    pub action: &'a str,
    pub expires_at: Option<Timestamp>,
}

fn keywords_of(conn: &Connection, filter_id: i64) -> rusqlite::Result<Vec<FilterKeyword>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, keyword, whole_word FROM filter_keywords WHERE filter_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([filter_id], |row| {
        Ok(FilterKeyword {
            id: row.get(0)?,
            keyword: row.get(1)?,
            whole_word: row.get(2)?,
        })
    })?;
    rows.collect()
}

fn statuses_of(conn: &Connection, filter_id: i64) -> rusqlite::Result<Vec<FilterStatus>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, status_id FROM filter_statuses WHERE filter_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([filter_id], |row| {
        Ok(FilterStatus {
            id: row.get(0)?,
            status_id: row.get(1)?,
        })
    })?;
    rows.collect()
}

fn complete(conn: &Connection, rows: Vec<FilterRule>) -> rusqlite::Result<Vec<FilterRule>> {
    rows.into_iter()
        .map(|mut filter| {
            filter.keywords = keywords_of(conn, filter.id)?;
            filter.statuses = statuses_of(conn, filter.id)?;
            Ok(filter)
        })
        .collect()
}

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<FilterRule> {
    let contexts: String = row.get(2)?;
    Ok(FilterRule {
        id: row.get(0)?,
        title: row.get(1)?,
        contexts: contexts
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        action: row.get(3)?,
        expires_at: row.get::<_, Option<i64>>(4)?.map(Timestamp),
        keywords: Vec::new(),
        statuses: Vec::new(),
    })
}

const COLUMNS: &str = "id, title, contexts, action, expires_at";

/// Every filter, oldest first; with `active_at`, only those not expired then.
pub fn all(conn: &Connection, active_at: Option<Timestamp>) -> rusqlite::Result<Vec<FilterRule>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM filters WHERE ?1 IS NULL OR expires_at IS NULL OR expires_at > ?1 \
         ORDER BY id"
    );
    let rows = {
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map([active_at.map(|t| t.0)], from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    complete(conn, rows)
}

/// Whether the owner has any filter at all: timelines skip the work when not.
pub fn any(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM filters)")?
        .query_row([], |r| r.get(0))
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<FilterRule>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM filters WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    Ok(complete(conn, row.into_iter().collect())?.pop())
}

pub fn count(conn: &Connection) -> rusqlite::Result<usize> {
    conn.cached_row("SELECT count(*) FROM filters", [], |r| r.get::<_, i64>(0))
        .map(|n| n as usize)
}

pub fn insert(conn: &Connection, filter: &NewFilter, now: Timestamp) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO filters (title, contexts, action, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            filter.title,
            filter.contexts.join(","),
            filter.action,
            filter.expires_at.map(|t| t.0),
            now.0
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn update(conn: &Connection, id: i64, filter: &NewFilter) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE filters SET title = ?2, contexts = ?3, action = ?4, expires_at = ?5 WHERE id = ?1",
        params![
            id,
            filter.title,
            filter.contexts.join(","),
            filter.action,
            filter.expires_at.map(|t| t.0)
        ],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM filters WHERE id = ?1", [id])? > 0)
}

pub fn keyword_count(conn: &Connection, filter_id: i64) -> rusqlite::Result<usize> {
    conn.cached_row(
        "SELECT count(*) FROM filter_keywords WHERE filter_id = ?1",
        [filter_id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as usize)
}

pub fn add_keyword(
    conn: &Connection,
    filter_id: i64,
    keyword: &str,
    whole_word: bool,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO filter_keywords (filter_id, keyword, whole_word) VALUES (?1, ?2, ?3)",
        params![filter_id, keyword, whole_word],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The keyword and the filter it belongs to.
pub fn keyword(conn: &Connection, id: i64) -> rusqlite::Result<Option<(i64, FilterKeyword)>> {
    conn.prepare_cached(
        "SELECT filter_id, id, keyword, whole_word FROM filter_keywords WHERE id = ?1",
    )?
    .query_row([id], |row| {
        Ok((
            row.get(0)?,
            FilterKeyword {
                id: row.get(1)?,
                keyword: row.get(2)?,
                whole_word: row.get(3)?,
            },
        ))
    })
    .optional()
}

pub fn update_keyword(
    conn: &Connection,
    id: i64,
    keyword: &str,
    whole_word: bool,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE filter_keywords SET keyword = ?2, whole_word = ?3 WHERE id = ?1",
        params![id, keyword, whole_word],
    )?;
    Ok(())
}

pub fn delete_keyword(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM filter_keywords WHERE id = ?1", [id])? > 0)
}

pub fn status_count(conn: &Connection, filter_id: i64) -> rusqlite::Result<usize> {
    conn.cached_row(
        "SELECT count(*) FROM filter_statuses WHERE filter_id = ?1",
        [filter_id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as usize)
}

/// Adds a post to a filter; the id of the row, new or already there.
pub fn add_status(conn: &Connection, filter_id: i64, status_id: i64) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT OR IGNORE INTO filter_statuses (filter_id, status_id) VALUES (?1, ?2)",
        params![filter_id, status_id],
    )?;
    conn.cached_row(
        "SELECT id FROM filter_statuses WHERE filter_id = ?1 AND status_id = ?2",
        params![filter_id, status_id],
        |r| r.get(0),
    )
}

/// The filtered post and the filter it belongs to.
pub fn status(conn: &Connection, id: i64) -> rusqlite::Result<Option<(i64, FilterStatus)>> {
    conn.prepare_cached("SELECT filter_id, id, status_id FROM filter_statuses WHERE id = ?1")?
        .query_row([id], |row| {
            Ok((
                row.get(0)?,
                FilterStatus {
                    id: row.get(1)?,
                    status_id: row.get(2)?,
                },
            ))
        })
        .optional()
}

pub fn delete_status(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM filter_statuses WHERE id = ?1", [id])? > 0)
}
