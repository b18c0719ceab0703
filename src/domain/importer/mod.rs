//! The one way a remote post comes in by its URL (search, boosts, replies, backfill): fetch the
//! object, prove its origin, store it.

use std::fmt;

use rusqlite::Connection;

use crate::federation::vocab::{parse_note, same_authority};
use crate::model::{RemotePost, Timestamp};
use crate::store::remote_posts::{self, NewRemotePost};
use crate::urls::Urls;

use super::actors::{self, ActorError, Fetch};

/// Why a URL gave no post.
#[derive(Debug)]
pub enum Refused {
    /// The URL is ours: what we hold is looked up locally, never fetched.
    Ours,
    /// Nothing could be fetched there.
    Unreachable,
    /// The document there is not a post Perch keeps.
    NotAPost,
    /// Its author is missing, on another host than the post, or ours.
    ForeignAuthor,
    /// Its author could not be had.
    Author(ActorError),
    Database(rusqlite::Error),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Ours => f.write_str("that is this server's own address"),
            Refused::Unreachable => f.write_str("nothing could be fetched there"),
            Refused::NotAPost => f.write_str("the document there is not a post"),
            Refused::ForeignAuthor => f.write_str("the post's author is not on the post's server"),
            Refused::Author(e) => e.fmt(f),
            Refused::Database(e) => e.fmt(f),
        }
    }
}

impl From<rusqlite::Error> for Refused {
    fn from(e: rusqlite::Error) -> Refused {
        Refused::Database(e)
    }
}

/// Fetches the post at `url` and its author (the author is stored), and returns the post's row,
/// not yet stored: for callers that store it with other rows in one transaction. A document
/// cannot speak for another server, so its author must be on the post's own host.
pub fn fetch(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    url: &str,
    now: Timestamp,
) -> Result<NewRemotePost, Refused> {
    if same_authority(url, urls.origin()) {
        return Err(Refused::Ours);
    }
    let document = remote.get_activity(url).map_err(|_| Refused::Unreachable)?;
    row_of(conn, remote, urls, &document, now)
}

/// The row for a post embedded in a document fetched from `fetched_from` (an outbox page, a
/// `replies` or `context` collection, a `featured`): the fetch proved that document's origin, so
/// an embedded object is taken only when its id is on that same origin; anything else is fetched
/// by its id through [`fetch`]. The author is fetched and stored as there.
pub fn adopt(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    object: &serde_json::Value,
    fetched_from: &str,
    now: Timestamp,
) -> Result<NewRemotePost, Refused> {
    let id = crate::federation::vocab::id_of(object).ok_or(Refused::NotAPost)?;
    if same_authority(&id, urls.origin()) {
        return Err(Refused::Ours);
    }
    if !object.is_object() || !same_authority(&id, fetched_from) {
        return fetch(conn, remote, urls, &id, now);
    }
    row_of(conn, remote, urls, object, now)
}

/// The row for a post document whose origin is proven.
fn row_of(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    document: &serde_json::Value,
    now: Timestamp,
) -> Result<NewRemotePost, Refused> {
    let note = parse_note(document).map_err(|_| Refused::NotAPost)?;
    let author_uri = note
        .attributed_to
        .clone()
        .filter(|author| same_authority(author, &note.uri))
        .filter(|author| !same_authority(author, urls.origin()))
        .ok_or(Refused::ForeignAuthor)?;
    let author = actors::get_or_fetch(conn, remote, &author_uri, now).map_err(Refused::Author)?;
    Ok(super::inbox::note_row(&note, &author, now))
}

/// The post at `url`: the stored copy when we hold it, else fetched, proven and stored.
pub fn import(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    url: &str,
    now: Timestamp,
) -> Result<RemotePost, Refused> {
    if let Some(post) = remote_posts::get_by_uri(conn, url)? {
        return Ok(post);
    }
    let row = fetch(conn, remote, urls, url, now)?;
    remote_posts::insert(conn, &row, now)?;
    remote_posts::get_by_uri(conn, &row.uri)?.ok_or(Refused::NotAPost)
}

#[cfg(test)]
mod tests;
