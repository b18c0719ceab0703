//! The owner's profile row.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Field, Profile, Timestamp};

use super::{media, moving};

/// Creates the profile row if it is missing; true when it was created.
pub fn create_if_missing(
    conn: &Connection,
    display_name: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let inserted = conn.execute(
        "INSERT INTO profile (id, display_name, created_at, updated_at) VALUES (1, ?1, ?2, ?2)
         ON CONFLICT (id) DO NOTHING",
        params![display_name, now.0],
    )?;
    Ok(inserted == 1)
}

pub fn get(conn: &Connection, username: &str) -> rusqlite::Result<Option<Profile>> {
    let row = conn
        .cached_row(
            "SELECT display_name, bio_source, bio_html, avatar_media_id, header_media_id, fields_json,
                    manually_approves_followers, discoverable, created_at, updated_at, bot
             FROM profile WHERE id = 1",
            [],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<i64>>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, bool>(6)?,
                    row.get::<_, bool>(7)?,
                    row.get::<_, i64>(8)?,
                    row.get::<_, i64>(9)?,
                    row.get::<_, bool>(10)?,
                ))
            },
        )
        .optional()?;
    let Some((
        display_name,
        bio_source,
        bio_html,
        avatar,
        header,
        fields,
        manual,
        discoverable,
        created,
        updated,
        bot,
    )) = row
    else {
        return Ok(None);
    };
    let avatar = match avatar {
        Some(id) => media::get(conn, id)?,
        None => None,
    };
    let header = match header {
        Some(id) => media::get(conn, id)?,
        None => None,
    };
    Ok(Some(Profile {
        username: username.to_string(),
        display_name,
        bio_source,
        bio_html,
        avatar,
        header,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        manually_approves_followers: manual,
        discoverable,
        bot,
        created_at: Timestamp(created),
        updated_at: Timestamp(updated),
        also_known_as: moving::aliases(conn)?,
        moved_to: moving::moved_to(conn)?,
    }))
}

/// Marks the profile changed (the actor document is built from more than this row).
pub fn touch(conn: &Connection, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE profile SET updated_at = ?1 WHERE id = 1",
        params![now.0],
    )?;
    Ok(())
}

/// The editable part of the profile.
pub struct ProfileUpdate<'a> {
    pub display_name: &'a str,
    pub bio_source: &'a str,
    pub bio_html: &'a str,
    pub fields: &'a [Field],
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub bot: bool,
}

pub fn update(conn: &Connection, update: &ProfileUpdate, now: Timestamp) -> rusqlite::Result<()> {
    let fields = serde_json::to_string(update.fields).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "UPDATE profile SET display_name = ?1, bio_source = ?2, bio_html = ?3, fields_json = ?4,
                manually_approves_followers = ?5, discoverable = ?6, updated_at = ?7, bot = ?8
         WHERE id = 1",
        params![
            update.display_name,
            update.bio_source,
            update.bio_html,
            fields,
            update.manually_approves_followers,
            update.discoverable,
            now.0,
            update.bot
        ],
    )?;
    Ok(())
}

#[derive(Clone, Copy, Debug)]
pub enum Picture {
    Avatar,
    Header,
}

/// Points the avatar or header at a stored image, deleting the one it replaces.
pub fn set_picture(
    conn: &Connection,
    picture: Picture,
    media_id: Option<i64>,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let column = match picture {
        Picture::Avatar => "avatar_media_id",
        Picture::Header => "header_media_id",
    };
    let previous: Option<i64> = conn.cached_row(
        &format!("SELECT {column} FROM profile WHERE id = 1"),
        [],
        |row| row.get(0),
    )?;
    conn.execute(
        &format!("UPDATE profile SET {column} = ?1, updated_at = ?2 WHERE id = 1"),
        params![media_id, now.0],
    )?;
    if let Some(old) = previous.filter(|old| Some(*old) != media_id) {
        media::delete(conn, old)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
