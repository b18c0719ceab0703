//! Where the owner stopped reading (Mastodon's markers), shared by the apps and the web page:
//! the notifications marker *is* the web page's read state (the newest notification read), so
//! reading in one place marks it read in the other. The home marker is kept in settings.

use rusqlite::Connection;

use crate::error::Result;
use crate::model::Timestamp;
use crate::store::{notifications, settings};

const HOME_KEY: &str = "marker.home";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub last_read_id: i64,
    pub version: i64,
    pub updated_at: Timestamp,
}

fn home(conn: &Connection) -> Result<Option<Marker>> {
    let Some(bytes) = settings::get(conn, HOME_KEY)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut parts = text.split(' ').map(|p| p.parse::<i64>().ok());
    Ok(match (parts.next(), parts.next(), parts.next()) {
        (Some(Some(id)), Some(Some(version)), Some(Some(at))) => Some(Marker {
            last_read_id: id,
            version,
            updated_at: Timestamp(at),
        }),
        _ => None,
    })
}

fn notifications_marker(conn: &Connection) -> Result<Option<Marker>> {
    Ok(notifications::last_read(conn)?.map(|(id, at)| Marker {
        last_read_id: id,
        // Read times only grow, so they serve as the version.
        version: at.0,
        updated_at: at,
    }))
}

/// The home and notifications markers, those asked for and set.
pub fn get(
    conn: &Connection,
    want_home: bool,
    want_notifications: bool,
) -> Result<(Option<Marker>, Option<Marker>)> {
    Ok((
        if want_home { home(conn)? } else { None },
        if want_notifications {
            notifications_marker(conn)?
        } else {
            None
        },
    ))
}

/// Moves the markers given. The notifications one marks everything up to it read (as the web
/// page's notifications view does); it never marks anything unread again.
pub fn set(
    conn: &Connection,
    home_id: Option<i64>,
    notifications_id: Option<i64>,
    now: Timestamp,
) -> Result<(Option<Marker>, Option<Marker>)> {
    if let Some(id) = home_id {
        let version = home(conn)?.map_or(0, |m| m.version) + 1;
        settings::set(
            conn,
            HOME_KEY,
            format!("{id} {version} {}", now.0).as_bytes(),
        )?;
    }
    if let Some(id) = notifications_id {
        notifications::mark_read(conn, Some(id), now)?;
    }
    get(conn, home_id.is_some(), notifications_id.is_some())
}
