//! The client API's statuses: a post (ours, one we hold, or a boost) found by its API id, with
//! what Mastodon shows beside it ([`Extras`]), and what the owner does to it.
//!
//! Ids: our posts, remote posts and boosts (rows of `interactions`) all take `store::new_id`
//! ids, time-sortable, from one per-process sequence with a random start. Within one process
//! they never collide; ids minted in the same millisecond by two processes (the CLI and the
//! server) collide with odds of 1 in 65,536 per pair. An id is looked up in posts, then remote
//! posts, then boosts, and the first that has it wins (`store::statuses::place`).

pub mod create;
pub mod extras;
pub mod scheduled;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Actor, Extras, Media, Range, Timestamp};
use crate::store::statuses::{self as stored, Place};
use crate::store::{self, actors, posts, remote_posts};
use crate::urls::Urls;

use super::interactions::{self, Kind};
use super::timeline::{Entry, Shown};
use super::{bookmarks, pins, threads};

pub use extras::extras_for;

pub use super::timeline::feeds::{owner, Owner};

/// A status as the API shows it. An `Entry` whose id differs from its post's, with no
/// `boosted_by`, is the owner's own boost (the API wraps it with the owner's account).
pub type View = (Entry, Extras);

fn plain(id: i64, shown: Shown, boosted_by: Option<Actor>) -> Entry {
    Entry {
        id,
        shown,
        boosted_by,
        liked: false,
        boosted: false,
        bookmarked: false,
        reactions: Vec::new(),
        filtered: Vec::new(),
    }
}

/// The entry an API id names, without its extras; None when we hold nothing by that id.
fn entry(conn: &Connection, urls: &Urls, id: i64) -> Result<Option<Entry>> {
    Ok(match stored::place(conn, id)? {
        None => None,
        Some(Place::Own) => posts::get(conn, id)?.map(|p| plain(id, Shown::Own(p), None)),
        Some(Place::Remote) => remote_posts::get_many(conn, &[id])?
            .pop()
            .map(|p| plain(id, Shown::Remote(Box::new(p)), None)),
        Some(Place::Boost {
            actor_id,
            object_uri,
        }) => {
            let Some(shown) = super::timeline::find(conn, urls, &object_uri)? else {
                return Ok(None);
            };
            let by = match actor_id {
                Some(actor) => Some(actors::get(conn, actor)?.ok_or_else(Error::not_found)?),
                None => None,
            };
            Some(plain(id, shown, by))
        }
    })
}

/// One status by its API id (the owner's view: every visibility).
pub fn get(conn: &Connection, urls: &Urls, id: i64) -> Result<View> {
    let entry = entry(conn, urls, id)?.ok_or_else(Error::not_found)?;
    let extras = extras_for(conn, urls, std::slice::from_ref(&entry))?;
    Ok((entry, extras.into_iter().next().unwrap_or_default()))
}

/// Several statuses by id, in the order asked, leaving out those we do not hold; posts in one
/// query per table, extras in one batch.
pub fn get_many(conn: &Connection, urls: &Urls, ids: &[i64]) -> Result<Vec<View>> {
    let own = posts::get_many(conn, ids)?;
    let held = remote_posts::get_many(conn, ids)?;
    let mut entries = Vec::new();
    for &id in ids {
        let found = if let Some(post) = own.iter().find(|p| p.id == id) {
            Some(plain(id, Shown::Own(post.clone()), None))
        } else if let Some(post) = held.iter().find(|p| p.id == id) {
            Some(plain(id, Shown::Remote(Box::new(post.clone())), None))
        } else {
            entry(conn, urls, id)?
        };
        entries.extend(found);
    }
    let extras = extras_for(conn, urls, &entries)?;
    Ok(entries.into_iter().zip(extras).collect())
}

/// The object id of the post a status is about (a boost's target).
pub fn uri_of(conn: &Connection, urls: &Urls, id: i64) -> Result<String> {
    let entry = entry(conn, urls, id)?.ok_or_else(Error::not_found)?;
    Ok(entry.shown.uri(urls))
}

/// The post a status is about, by the id it has as a status of its own.
fn target(conn: &Connection, urls: &Urls, id: i64) -> Result<(i64, String)> {
    let entry = entry(conn, urls, id)?.ok_or_else(Error::not_found)?;
    let own_id = match &entry.shown {
        Shown::Own(post) => post.id,
        Shown::Remote(post) => post.id,
    };
    Ok((own_id, entry.shown.uri(urls)))
}

/// What the owner can do to a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Favourite,
    Unfavourite,
    Reblog,
    Unreblog,
    Bookmark,
    Unbookmark,
    Pin,
    Unpin,
    Mute,
    Unmute,
}

/// Does `action` to the post status `id` is about; returns that post's status, or for a
/// reblog the owner's boost of it.
pub fn act(
    conn: &mut Connection,
    urls: &Urls,
    id: i64,
    action: Action,
    now: Timestamp,
) -> Result<View> {
    let (post_id, uri) = target(conn, urls, id)?;
    match action {
        Action::Favourite => interactions::like(conn, urls, &uri, now)?,
        Action::Unfavourite => interactions::undo(conn, urls, Kind::Like, &uri, now)?,
        Action::Reblog => {
            interactions::boost(conn, urls, &uri, now)?;
            if let Some(boost) = stored::own_boost(conn, &uri)? {
                return get(conn, urls, boost);
            }
        }
        Action::Unreblog => interactions::undo(conn, urls, Kind::Announce, &uri, now)?,
        Action::Bookmark => bookmarks::add(conn, urls, &uri, now)?,
        Action::Unbookmark => bookmarks::remove(conn, &uri)?,
        Action::Pin | Action::Unpin => {
            if !uri.starts_with(&format!("{}/", urls.origin())) {
                return Err(Error::new(
                    422,
                    "Validation failed: only your own posts can be pinned",
                ));
            }
            pins::set(conn, urls, post_id, action == Action::Pin, now)?;
        }
        Action::Mute => {
            let root = extras::root(conn, urls, &uri)?;
            store::write(conn, |tx| stored::mute_conversation(tx, &root, now))?;
        }
        Action::Unmute => {
            let root = extras::root(conn, urls, &uri)?;
            store::write(conn, |tx| stored::unmute_conversation(tx, &root))?;
        }
    }
    get(conn, urls, post_id)
}

/// Deletes one of our posts; returns it as it was, its source kept ("delete and redraft").
pub fn delete(conn: &mut Connection, urls: &Urls, id: i64, now: Timestamp) -> Result<View> {
    let view = get(conn, urls, id)?;
    if !matches!(&view.0.shown, Shown::Own(post) if post.id == id) {
        return Err(Error::not_found());
    }
    super::posts::delete(conn, urls, id, now)?;
    Ok(view)
}

/// One version of a post, for `/history`.
#[derive(Clone, Debug)]
pub struct Version {
    pub written: Timestamp,
    pub content_html: String,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub media: Vec<Media>,
}

/// Every version of a status, oldest first, the current one last. Earlier versions of our
/// posts carry no images (only their alt texts are kept); remote posts have one version.
pub fn history(conn: &Connection, urls: &Urls, id: i64) -> Result<(Entry, Vec<Version>)> {
    let (post_id, _) = target(conn, urls, id)?;
    let (entry, _) = get(conn, urls, post_id)?;
    let mut versions = Vec::new();
    let current = match &entry.shown {
        Shown::Own(post) => {
            for old in posts::history(conn, post.id)? {
                versions.push(Version {
                    written: old.written,
                    sensitive: old.summary.is_some(),
                    content_html: old.content_html,
                    summary: old.summary,
                    media: Vec::new(),
                });
            }
            Version {
                written: post.updated_at.unwrap_or(post.created_at),
                content_html: post.content_html.clone(),
                summary: post.summary.clone(),
                sensitive: post.sensitive,
                media: post.media.clone(),
            }
        }
        Shown::Remote(post) => Version {
            written: post.updated_at.unwrap_or(post.published_at),
            content_html: post.content_html.clone(),
            summary: post.summary.clone(),
            sensitive: post.sensitive,
            media: Vec::new(),
        },
    };
    versions.push(current);
    Ok((entry, versions))
}

/// The ancestors and descendants of a status that we hold, each with its extras. The owner asked,
/// so what is missing is queued for the backfill worker, as when they open the thread's page.
pub fn context(
    conn: &Connection,
    urls: &Urls,
    id: i64,
    now: Timestamp,
) -> Result<(Vec<View>, Vec<View>)> {
    let uri = uri_of(conn, urls, id)?;
    super::backfill::request_thread(conn, urls, &uri, now)?;
    let (above, below) = threads::context(conn, urls, &uri)?;
    let with_extras = |shown: Vec<Shown>| -> Result<Vec<View>> {
        let entries: Vec<Entry> = shown
            .into_iter()
            .map(|s| {
                let id = match &s {
                    Shown::Own(p) => p.id,
                    Shown::Remote(p) => p.id,
                };
                plain(id, s, None)
            })
            .collect();
        let entries = super::filters::apply(conn, "thread", entries, now)?;
        let extras = extras_for(conn, urls, &entries)?;
        Ok(entries.into_iter().zip(extras).collect())
    };
    Ok((with_extras(above)?, with_extras(below)?))
}

/// Accounts that liked (`Kind::Like`) or boosted a status, newest first, with their paging keys.
pub fn interacted(
    conn: &Connection,
    urls: &Urls,
    id: i64,
    kind: Kind,
    range: &Range,
) -> Result<Vec<(i64, Actor)>> {
    let (_, uri) = target(conn, urls, id)?;
    Ok(stored::interacted(conn, &uri, kind.as_str(), range)?)
}

#[cfg(test)]
mod tests;
