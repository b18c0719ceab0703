//! Stored images and their bytes.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{Media, Timestamp};

pub struct NewMedia<'a> {
    pub id: i64,
    pub mime: &'a str,
    pub width: u32,
    pub height: u32,
    pub blurhash: &'a str,
    pub description: &'a str,
    pub data: &'a [u8],
    pub preview: Option<(&'a str, &'a [u8])>,
}

pub fn insert(conn: &Connection, media: &NewMedia, now: Timestamp) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO media (id, mime, width, height, blurhash, description, data, preview_mime, preview, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            media.id,
            media.mime,
            media.width,
            media.height,
            media.blurhash,
            media.description,
            media.data,
            media.preview.map(|(mime, _)| mime),
            media.preview.map(|(_, bytes)| bytes),
            now.0
        ],
    )?;
    Ok(())
}

const COLUMNS: &str =
    "id, mime, width, height, blurhash, description, preview IS NOT NULL, focus_x, focus_y";

fn from_row(row: &Row) -> rusqlite::Result<Media> {
    Ok(Media {
        id: row.get(0)?,
        mime: row.get(1)?,
        width: row.get(2)?,
        height: row.get(3)?,
        blurhash: row.get(4)?,
        description: row.get(5)?,
        has_preview: row.get(6)?,
        focus: (row.get(7)?, row.get(8)?),
    })
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Media>> {
    conn.cached_row(
        &format!("SELECT {COLUMNS} FROM media WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// The attachments of a post, in order.
pub fn of_post(conn: &Connection, post_id: i64) -> rusqlite::Result<Vec<Media>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM media WHERE post_id = ?1 ORDER BY position"
    ))?;
    let rows = statement.query_map([post_id], from_row)?;
    rows.collect()
}

/// The attachments of the posts whose ids `ids_json` lists (a JSON array), as (post id, media),
/// each post's in order.
pub fn of_posts(conn: &Connection, ids_json: &str) -> rusqlite::Result<Vec<(i64, Media)>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, post_id FROM media
         WHERE post_id IS NOT NULL AND post_id IN (SELECT value FROM json_each(?1))
         ORDER BY post_id, position"
    ))?;
    let rows = statement.query_map([ids_json], |row| Ok((row.get(9)?, from_row(row)?)))?;
    rows.collect()
}

/// Stored bytes with their type, and the visibility of the post they belong to (None for
/// avatars, headers and not-yet-attached uploads).
pub struct MediaBytes {
    pub mime: String,
    pub data: Vec<u8>,
    pub post_visibility: Option<String>,
}

/// The bytes to serve; `preview` picks the small version when there is one.
pub fn bytes(conn: &Connection, id: i64, preview: bool) -> rusqlite::Result<Option<MediaBytes>> {
    let sql = if preview {
        "SELECT ifnull(m.preview_mime, m.mime), ifnull(m.preview, m.data), p.visibility
         FROM media m LEFT JOIN posts p ON p.id = m.post_id WHERE m.id = ?1"
    } else {
        "SELECT m.mime, m.data, p.visibility FROM media m LEFT JOIN posts p ON p.id = m.post_id WHERE m.id = ?1"
    };
    conn.cached_row(sql, [id], |row| {
        Ok(MediaBytes {
            mime: row.get(0)?,
            data: row.get(1)?,
            post_visibility: row.get(2)?,
        })
    })
    .optional()
}

pub fn attach(conn: &Connection, id: i64, post_id: i64, position: usize) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE media SET post_id = ?2, position = ?3 WHERE id = ?1 AND post_id IS NULL",
        params![id, post_id, position as i64],
    )?;
    Ok(changed == 1)
}

/// Changes the alt text of an attachment of `post_id`; false when it is not one.
pub fn set_description(
    conn: &Connection,
    id: i64,
    post_id: i64,
    description: &str,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE media SET description = ?3 WHERE id = ?1 AND post_id = ?2",
        params![id, post_id, description],
    )?;
    Ok(changed == 1)
}

/// The position after a post's last attachment (0 when it has none).
pub fn next_position(conn: &Connection, post_id: i64) -> rusqlite::Result<usize> {
    let next: i64 = conn.cached_row(
        "SELECT ifnull(max(position) + 1, 0) FROM media WHERE post_id = ?1",
        [post_id],
        |row| row.get(0),
    )?;
    Ok(next as usize)
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM media WHERE id = ?1", [id])?;
    Ok(())
}

/// Whether `id` is an upload that belongs to nothing yet: on no post, and neither the avatar nor
/// the header (which also have no post).
pub fn is_free_upload(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.cached_row(
        "SELECT EXISTS (SELECT 1 FROM media WHERE id = ?1 AND post_id IS NULL
            AND id NOT IN (SELECT ifnull(avatar_media_id, 0) FROM profile
                           UNION SELECT ifnull(header_media_id, 0) FROM profile))",
        [id],
        |row| row.get(0),
    )
}

/// Changes an image's alt text and focal point (uploads not yet attached, and attachments).
pub fn describe(
    conn: &Connection,
    id: i64,
    description: Option<&str>,
    focus: Option<(f64, f64)>,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE media SET description = ifnull(?2, description),
                          focus_x = ifnull(?3, focus_x), focus_y = ifnull(?4, focus_y)
         WHERE id = ?1",
        params![id, description, focus.map(|f| f.0), focus.map(|f| f.1)],
    )?;
    Ok(changed == 1)
}
