//! Single values: keys, secrets and switches.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Timestamp;

pub const PRIVATE_KEY: &str = "private_key_pkcs8";
pub const PUBLIC_KEY_PEM: &str = "public_key_pem";
/// The owner's Ed25519 key (PKCS#8), for object integrity proofs; stored as the RSA key is.
pub const ED25519_KEY: &str = "ed25519_private_key_pkcs8";
pub const ROCKET_SECRET: &str = "rocket_secret_key";
pub const PASSWORD_HASH: &str = "password_hash";
pub const SETUP_TOKEN_HASH: &str = "setup_token_hash";
/// `SKEW_SECONDS SEEN_AT_MILLIS`: how far our clock was ahead of remote answers' `Date`, and when.
/// "1" when the followers and following collections show only their counts.
pub const HIDE_NETWORK: &str = "hide_network";
pub const LAST_REMOTE_DATE_SKEW: &str = "last_remote_date_skew";

pub fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.cached_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
        row.get(0)
    })
    .optional()
}

pub fn set(conn: &Connection, key: &str, value: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Inserts only when the key is absent; true when it was inserted.
pub fn set_if_missing(conn: &Connection, key: &str, value: &[u8]) -> rusqlite::Result<bool> {
    let inserted = conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        params![key, value],
    )?;
    Ok(inserted == 1)
}

/// Records the skew seen at `seen_at` (written by the delivery worker, read by `perch doctor`).
pub fn set_remote_date_skew(
    conn: &Connection,
    skew: i64,
    seen_at: Timestamp,
) -> rusqlite::Result<()> {
    set(
        conn,
        LAST_REMOTE_DATE_SKEW,
        format!("{skew} {}", seen_at.0).as_bytes(),
    )
}

/// The last recorded skew and when it was seen; None when none was (or the value is unreadable).
pub fn remote_date_skew(conn: &Connection) -> rusqlite::Result<Option<(i64, Timestamp)>> {
    let Some(value) = get(conn, LAST_REMOTE_DATE_SKEW)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&value);
    let parsed = text
        .split_once(' ')
        .and_then(|(skew, seen)| Some((skew.parse().ok()?, Timestamp(seen.parse().ok()?))));
    Ok(parsed)
}

pub fn delete(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}
