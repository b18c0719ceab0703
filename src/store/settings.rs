//! Single values: keys, secrets and switches.

use rusqlite::{params, Connection, OptionalExtension};

pub const PRIVATE_KEY: &str = "private_key_pkcs8";
pub const PUBLIC_KEY_PEM: &str = "public_key_pem";
pub const ROCKET_SECRET: &str = "rocket_secret_key";
pub const PASSWORD_HASH: &str = "password_hash";
pub const SETUP_TOKEN_HASH: &str = "setup_token_hash";

pub fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
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

pub fn delete(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}
