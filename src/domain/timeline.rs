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

/// [`shut_out`] for a page of accounts at once: the ids of those kept out, in one query for the
/// blocks and mutes and one per distinct domain.
fn shut_out_among<'a>(
    conn: &Connection,
    accounts: impl IntoIterator<Item = &'a Actor>,
) -> Result<std::collections::HashSet<i64>> {
    let mut ids = Vec::new();
    let mut by_domain: std::collections::HashMap<&str, Vec<i64>> = Default::default();
    for actor in accounts {
        ids.push(actor.id);
        by_domain.entry(&actor.domain).or_default().push(actor.id);
    }
    let mut out: std::collections::HashSet<i64> = moderation::restricted_among(conn, &ids)?
        .into_iter()
        .collect();
    for (domain, ids) in by_domain {
        if actors::is_domain_blocked(conn, domain)? {
            out.extend(ids);
        }
    }
    Ok(out)
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

/// One post as the timeline shows it, with the owner's flags (see [`entries`]).
pub fn entry(
    conn: &Connection,
    urls: &crate::urls::Urls,
    id: i64,
    shown: Shown,
    boosted_by: Option<Actor>,
) -> Result<Entry> {
    entries(conn, urls, vec![(id, shown, boosted_by)])?
        .pop()
        .ok_or_else(|| crate::error::Error::internal("no entry for a post"))
}

/// [`find`] for a page of ids at once, in a few queries: what we hold, by id.
pub fn find_many(
    conn: &Connection,
    urls: &crate::urls::Urls,
    uris: &[String],
) -> Result<std::collections::HashMap<String, Shown>> {
    let mut own = Vec::new();
    let mut remote = Vec::new();
    for uri in uris {
        match urls
            .parse_post_reference(uri)
            .filter(|_| uri.starts_with(urls.origin()))
        {
            Some(id) => own.push(id),
            None => remote.push(uri.clone()),
        }
    }
    let mut found = std::collections::HashMap::new();
    if !own.is_empty() {
        for post in posts::get_many(conn, &own)? {
            found.insert(urls.post(post.id), Shown::Own(post));
        }
    }
    if !remote.is_empty() {
        let ids: Vec<i64> = crate::store::statuses::remote_ids(conn, &remote)?
            .into_iter()
            .map(|(_, id, _)| id)
            .collect();
        for post in remote_posts::get_many(conn, &ids)? {
            found.insert(post.uri.clone(), Shown::Remote(Box::new(post)));
        }
    }
    Ok(found)
}

/// [`entry`] for a whole page: the owner's likes, boosts and bookmarks in two queries rather
/// than three per post, and their reactions in one.
pub fn entries(
    conn: &Connection,
    urls: &crate::urls::Urls,
    items: Vec<(i64, Shown, Option<Actor>)>,
) -> Result<Vec<Entry>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let uris: Vec<String> = items.iter().map(|(_, shown, _)| shown.uri(urls)).collect();
    let own = interactions::own_among(conn, &uris)?;
    let reactions = crate::store::reactions::counts_among(conn, &uris)?;
    let bookmarked: std::collections::HashSet<String> =
        crate::store::statuses::bookmarked(conn, &uris)?
            .into_iter()
            .collect();
    Ok(items
        .into_iter()
        .zip(uris)
        .map(|((id, shown, boosted_by), uri)| Entry {
            id,
            liked: own.iter().any(|(u, k)| *k == Kind::Like && *u == uri),
            boosted: own.iter().any(|(u, k)| *k == Kind::Announce && *u == uri),
            bookmarked: bookmarked.contains(&uri),
            reactions: reactions.get(&uri).cloned().unwrap_or_default(),
            shown,
            boosted_by,
            filtered: Vec::new(),
        })
        .collect())
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
