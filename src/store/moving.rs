//! The owner's other accounts: the aliases named in `alsoKnownAs` and the `movedTo` target,
//! kept as JSON under two settings keys. Every change also touches the profile row, so the
//! actor document and the profile page kept by `web::cache` are built again.

use rusqlite::Connection;

use crate::model::{OtherAccount, Timestamp};

use super::{profile, settings};

pub const ALSO_KNOWN_AS: &str = "also_known_as";
pub const MOVED_TO: &str = "moved_to";

/// The aliases, in the order they were added (none when unset or unreadable).
pub fn aliases(conn: &Connection) -> rusqlite::Result<Vec<OtherAccount>> {
    let value = settings::get(conn, ALSO_KNOWN_AS)?;
    Ok(value
        .and_then(|v| serde_json::from_slice(&v).ok())
        .unwrap_or_default())
}

pub fn set_aliases(
    conn: &Connection,
    aliases: &[OtherAccount],
    now: Timestamp,
) -> rusqlite::Result<()> {
    let json = serde_json::to_vec(aliases).unwrap_or_else(|_| b"[]".to_vec());
    settings::set(conn, ALSO_KNOWN_AS, &json)?;
    profile::touch(conn, now)
}

/// Where the owner moved to, if they did.
pub fn moved_to(conn: &Connection) -> rusqlite::Result<Option<OtherAccount>> {
    let value = settings::get(conn, MOVED_TO)?;
    Ok(value.and_then(|v| serde_json::from_slice(&v).ok()))
}

/// Records the move (`Some`) or takes it back (`None`).
pub fn set_moved_to(
    conn: &Connection,
    target: Option<&OtherAccount>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    match target {
        Some(target) => {
            let json = serde_json::to_vec(target).unwrap_or_default();
            settings::set(conn, MOVED_TO, &json)?;
        }
        None => settings::delete(conn, MOVED_TO)?,
    }
    profile::touch(conn, now)
}

#[cfg(test)]
mod tests;
