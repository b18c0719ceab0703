//! Images attached to the owner's posts: checked and re-encoded before anything is written, then
//! stored with the post in its transaction.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::store::{self, media as stored_media};

use crate::media::{self, MediaKind, Processed};

pub use crate::model::{MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARS};

/// One uploaded file with its alt text, as the compose form sent it.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub data: Vec<u8>,
    pub description: String,
}

/// An upload made safe to store.
pub struct Prepared {
    processed: Processed,
    description: String,
}

/// The four-images rule: a post keeping `existing` images may take `added` more.
pub fn check_count(existing: usize, added: usize) -> Result<()> {
    if existing.saturating_add(added) > MAX_ATTACHMENTS {
        return Err(Error::new(
            422,
            format!("a post takes at most {MAX_ATTACHMENTS} images"),
        ));
    }
    Ok(())
}

/// Checks and re-encodes every upload (metadata gone), or says which one was refused and why.
pub fn prepare(uploads: &[Upload]) -> Result<Vec<Prepared>> {
    check_count(0, uploads.len())?;
    uploads
        .iter()
        .enumerate()
        .map(|(i, upload)| {
            let description = upload.description.trim();
            if description.chars().count() > MAX_DESCRIPTION_CHARS {
                return Err(Error::new(
                    422,
                    format!(
                        "image {}: the description is longer than {MAX_DESCRIPTION_CHARS} characters",
                        i + 1
                    ),
                ));
            }
            let processed = media::process(&upload.data, MediaKind::Attachment)
                .map_err(|e| Error::new(422, format!("image {}: {e}", i + 1)))?;
            Ok(Prepared {
                processed,
                description: description.to_string(),
            })
        })
        .collect()
}

/// Stores one prepared image on no post (an API upload); returns its id.
pub fn store_free(conn: &Connection, item: &Prepared, now: Timestamp) -> Result<i64> {
    let id = store::new_id(now);
    let original = &item.processed.original;
    stored_media::insert(
        conn,
        &stored_media::NewMedia {
            id,
            mime: original.mime,
            width: original.width,
            height: original.height,
            blurhash: &item.processed.blurhash,
            description: &item.description,
            data: &original.bytes,
            preview: item
                .processed
                .preview
                .as_ref()
                .map(|p| (p.mime, p.bytes.as_slice())),
        },
        now,
    )?;
    Ok(id)
}

/// Stores prepared images as the attachments of `post_id`, in order after `first_position`, in
/// the caller's transaction.
pub fn attach(
    conn: &Connection,
    post_id: i64,
    prepared: &[Prepared],
    first_position: usize,
    now: Timestamp,
) -> Result<()> {
    for (offset, item) in prepared.iter().enumerate() {
        let position = first_position + offset;
        let id = store::new_id(now);
        let original = &item.processed.original;
        stored_media::insert(
            conn,
            &stored_media::NewMedia {
                id,
                mime: original.mime,
                width: original.width,
                height: original.height,
                blurhash: &item.processed.blurhash,
                description: &item.description,
                data: &original.bytes,
                preview: item
                    .processed
                    .preview
                    .as_ref()
                    .map(|p| (p.mime, p.bytes.as_slice())),
            },
            now,
        )?;
        if !stored_media::attach(conn, id, post_id, position)? {
            return Err(Error::internal("a fresh upload was attached already"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
