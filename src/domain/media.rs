//! Images uploaded through the client API before a status uses them: the web page's pipeline
//! (`domain::attachments`, `crate::media`: metadata stripped, re-encoded, blurhash, preview,
//! the same limits). An upload belongs to no post until a status names it.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Media, Timestamp};
use crate::store::{self, media as stored_media};

use super::attachments::{self, Upload, MAX_DESCRIPTION_CHARS};

fn check_description(description: Option<&str>) -> Result<()> {
    if description.is_some_and(|d| d.trim().chars().count() > MAX_DESCRIPTION_CHARS) {
        return Err(Error::new(
            422,
            format!("Validation failed: the description is longer than {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Checks, cleans and stores an upload; it is free until a status attaches it.
pub fn upload(
    conn: &mut Connection,
    data: Vec<u8>,
    description: &str,
    focus: Option<(f64, f64)>,
    now: Timestamp,
) -> Result<Media> {
    check_description(Some(description))?;
    let prepared = attachments::prepare(&[Upload {
        data,
        description: description.to_string(),
    }])
    .map_err(|e| Error::new(e.status, e.message.replacen("image 1: ", "", 1)))?;
    let id = store::write(conn, |tx| {
        let id = attachments::store_free(tx, &prepared[0], now)?;
        if let Some(focus) = focus {
            stored_media::describe(tx, id, None, Some(focus))?;
        }
        Ok::<_, Error>(id)
    })?;
    get(conn, id)
}

pub fn get(conn: &Connection, id: i64) -> Result<Media> {
    stored_media::get(conn, id)?.ok_or_else(Error::not_found)
}

/// Changes an image's alt text and focal point.
pub fn describe(
    conn: &Connection,
    id: i64,
    description: Option<&str>,
    focus: Option<(f64, f64)>,
) -> Result<Media> {
    check_description(description)?;
    if !stored_media::describe(conn, id, description.map(str::trim), focus)? {
        return Err(Error::not_found());
    }
    get(conn, id)
}
