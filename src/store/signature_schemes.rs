//! Which HTTP signature scheme each host takes, as last learned.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Timestamp;

/// The scheme stored for `host` (`draft-cavage` or `rfc9421`) and when it was learned.
pub fn get(conn: &Connection, host: &str) -> rusqlite::Result<Option<(String, Timestamp)>> {
    conn.cached_row(
        "SELECT scheme, learned_at FROM signature_schemes WHERE host = ?1",
        [host],
        |row| Ok((row.get(0)?, Timestamp(row.get(1)?))),
    )
    .optional()
}

pub fn set(conn: &Connection, host: &str, scheme: &str, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO signature_schemes (host, scheme, learned_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (host) DO UPDATE SET scheme = excluded.scheme, learned_at = excluded.learned_at",
        params![host, scheme, now.0],
    )?;
    Ok(())
}
