//! The owner's home timeline: our posts, posts we keep from others, and boosts by those we
//! follow, merged newest first by id (all ids are time-sortable) with keyset paging.

use rusqlite::Connection;

use crate::error::Result;
use crate::model::{Actor, Page, Profile, RemotePost};
use crate::store::interactions::{self, Kind};
use crate::store::moderation::{self, Restriction};
use crate::store::posts;
use crate::store::{actors, remote_posts};

use super::moderation::Filter;

pub use crate::model::{Entry, Shown};
pub use feeds::{Feed, Owner, Statuses};

pub mod feeds;

/// Whether the owner keeps this account out: blocked, muted, or on a blocked domain.
fn shut_out(conn: &Connection, actor: &Actor) -> Result<bool> {
    Ok(moderation::has(conn, actor.id, Restriction::Block)?
        || moderation::has(conn, actor.id, Restriction::Mute)?
        || actors::is_domain_blocked(conn, &actor.domain)?)
}

/// Whether a remote post stays off the timeline: its author is shut out or it has a muted word.
fn hidden(conn: &Connection, filter: &Filter, post: &RemotePost) -> Result<bool> {
    Ok(filter.hides(&post.content_html, post.summary.as_deref()) || shut_out(conn, &post.actor)?)
}

/// Looks up a post by its id wherever we keep it.
pub fn find(conn: &Connection, urls: &crate::urls::Urls, uri: &str) -> Result<Option<Shown>> {
    if let Some(id) = urls
        .parse_post_reference(uri)
        .filter(|_| uri.starts_with(urls.origin()))
    {
        return Ok(posts::get(conn, id)?.map(Shown::Own));
    }
    Ok(remote_posts::get_by_uri(conn, uri)?.map(|p| Shown::Remote(Box::new(p))))
}

pub fn entry(
    conn: &Connection,
    urls: &crate::urls::Urls,
    id: i64,
    shown: Shown,
    boosted_by: Option<Actor>,
) -> Result<Entry> {
    let uri = shown.uri(urls);
    Ok(Entry {
        id,
        liked: interactions::own_activity(conn, Kind::Like, &uri)?.is_some(),
        boosted: interactions::own_activity(conn, Kind::Announce, &uri)?.is_some(),
        bookmarked: crate::store::bookmarks::contains(conn, &uri)?,
        reactions: crate::store::reactions::counts(conn, &uri)?,
        shown,
        boosted_by,
        filtered: Vec::new(),
    })
}

/// One page of the home timeline for the web page: older than `max_id`.
pub fn home(
    conn: &Connection,
    urls: &crate::urls::Urls,
    max_id: Option<i64>,
    limit: usize,
) -> Result<Page<Entry>> {
    let range = crate::model::Range {
        max_id,
        limit,
        ..Default::default()
    };
    let (items, older) = feeds::entries(conn, urls, Feed::Home, &range)?;
    Ok(Page {
        items,
        older,
        newer: None,
    })
}

/// The owner's home page: the profile and one page of the timeline.
pub fn home_page(
    conn: &Connection,
    urls: &crate::urls::Urls,
    username: &str,
    max_id: Option<i64>,
    limit: usize,
) -> Result<(Profile, Page<Entry>)> {
    let profile = super::profile::get(conn, username)?;
    Ok((profile, home(conn, urls, max_id, limit)?))
}

/// What a reply to `uri` starts with: `@author@host ` of the post and of those it mentions,
/// without the owner.
pub fn reply_mentions(conn: &Connection, urls: &crate::urls::Urls, uri: &str) -> Result<String> {
    let mut handles: Vec<String> = Vec::new();
    match find(conn, urls, uri)? {
        Some(Shown::Own(post)) => handles.extend(post.mentions.into_iter().map(|m| m.handle)),
        Some(Shown::Remote(post)) => {
            handles.push(post.actor.handle());
            handles.extend(post.mentions.iter().cloned());
        }
        None => {}
    }
    let own = format!("@{}", urls.acct().trim_start_matches("acct:"));
    let mut text = String::new();
    for handle in handles {
        let taken = text
            .split_whitespace()
            .any(|h| h.eq_ignore_ascii_case(&handle));
        if !handle.eq_ignore_ascii_case(&own) && !taken {
            text.push_str(&handle);
            text.push(' ');
        }
    }
    Ok(text)
}
