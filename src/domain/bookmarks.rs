//! Bookmarks: posts the owner keeps to find again, private to them.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Extras, Profile, Timestamp};
use crate::store::bookmarks;
use crate::urls::Urls;

use super::profile;
use super::timeline::{self, Entry};

/// One page of bookmarked posts.
pub struct BookmarksPage {
    pub profile: Profile,
    pub entries: Vec<Entry>,
    /// The `before` key of the next (older) page.
    pub older: Option<i64>,
}

/// Newest bookmark first. A bookmarked post that was deleted since is left out, its bookmark
/// kept.
pub fn page(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    before: Option<i64>,
    limit: usize,
) -> Result<BookmarksPage> {
    let marks = bookmarks::list(conn, before.map(Timestamp), limit + 1)?;
    let older = (marks.len() > limit).then(|| marks[limit - 1].1 .0);
    let mut entries = Vec::new();
    for (uri, _) in marks.into_iter().take(limit) {
        if let Some(shown) = timeline::find(conn, urls, &uri)? {
            entries.push(timeline::entry(conn, urls, 0, shown, None)?);
        }
    }
    Ok(BookmarksPage {
        profile: profile::get(conn, username)?,
        entries,
        older,
    })
}

/// Bookmarks a post we can show again, by the id we know it by.
pub fn add(conn: &Connection, urls: &Urls, uri: &str, now: Timestamp) -> Result<()> {
    let shown = timeline::find(conn, urls, uri)?.ok_or_else(Error::not_found)?;
    bookmarks::add(conn, &shown.uri(urls), now)?;
    Ok(())
}

pub fn remove(conn: &Connection, uri: &str) -> Result<()> {
    bookmarks::remove(conn, uri)?;
    Ok(())
}

/// Saved posts for the API (bookmarks or favourites), newest saved first, each with its key
/// (the bookmark's time, the like's id) for paging.
pub struct Saved {
    pub owner: timeline::Owner,
    pub entries: Vec<(i64, Entry)>,
    /// What the API shows beside each entry, in order.
    pub extras: Vec<Extras>,
}

fn saved(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    range: &crate::model::Range,
    keys: Vec<(i64, String)>,
) -> Result<Saved> {
    let mut keys = keys;
    keys.truncate(range.limit);
    if range.min_id.is_some() {
        keys.reverse();
    }
    let mut entries = Vec::new();
    for (key, uri) in keys {
        if let Some(shown) = timeline::find(conn, urls, &uri)? {
            entries.push((key, timeline::entry(conn, urls, 0, shown, None)?));
        }
    }
    let plain: Vec<Entry> = entries.iter().map(|(_, e)| e.clone()).collect();
    Ok(Saved {
        owner: timeline::feeds::owner(conn, username)?,
        extras: crate::domain::statuses::extras_for(conn, urls, &plain)?,
        entries,
    })
}

/// The owner's bookmarks, paged by the time each was made.
pub fn bookmarked(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    range: &crate::model::Range,
) -> Result<Saved> {
    let keys = bookmarks::window(conn, &range.window())?
        .into_iter()
        .map(|(uri, at)| (at, uri))
        .collect();
    saved(conn, urls, username, range, keys)
}

/// The posts the owner liked, paged by the like's id.
pub fn favourited(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    range: &crate::model::Range,
) -> Result<Saved> {
    let keys = crate::store::interactions::own_likes(conn, &range.window())?;
    saved(conn, urls, username, range, keys)
}
