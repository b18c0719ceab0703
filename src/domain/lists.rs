//! The owner's lists: named sets of accounts with a timeline of their own (the Mastodon API's
//! lists; the web page does not show them yet).

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Actor, List, Timestamp};
use crate::store::{actors, follows, lists};

pub const MAX_TITLE_CHARS: usize = 200;
/// Members added in one request, and members a list may hold.
pub const MAX_ADDED: usize = 100;
pub const MAX_MEMBERS: usize = 5_000;

fn checked_title(title: &str) -> Result<String> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::new(422, "Validation failed: Title can't be blank"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::new(422, "Validation failed: Title is too long"));
    }
    Ok(title.to_string())
}

fn checked_policy(policy: Option<&str>) -> Result<String> {
    match policy.unwrap_or("list") {
        p @ ("followed" | "list" | "none") => Ok(p.to_string()),
        _ => Err(Error::new(
            422,
            "Validation failed: Replies policy is not valid",
        )),
    }
}

pub fn all(conn: &Connection) -> Result<Vec<List>> {
    Ok(lists::all(conn)?)
}

pub fn get(conn: &Connection, id: i64) -> Result<List> {
    lists::get(conn, id)?.ok_or_else(Error::not_found)
}

pub fn create(
    conn: &Connection,
    title: &str,
    replies_policy: Option<&str>,
    exclusive: bool,
    now: Timestamp,
) -> Result<List> {
    let title = checked_title(title)?;
    let policy = checked_policy(replies_policy)?;
    let id = lists::insert(conn, &title, &policy, exclusive, now)?;
    get(conn, id)
}

/// Changes what is given, keeps the rest.
pub fn update(
    conn: &Connection,
    id: i64,
    title: Option<&str>,
    replies_policy: Option<&str>,
    exclusive: Option<bool>,
) -> Result<List> {
    let mut list = get(conn, id)?;
    if let Some(title) = title {
        list.title = checked_title(title)?;
    }
    if replies_policy.is_some() {
        list.replies_policy = checked_policy(replies_policy)?;
    }
    if let Some(exclusive) = exclusive {
        list.exclusive = exclusive;
    }
    lists::update(conn, &list)?;
    Ok(list)
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if !lists::delete(conn, id)? {
        return Err(Error::not_found());
    }
    Ok(())
}

/// Members by account id, after `after`.
pub fn members(conn: &Connection, id: i64, after: i64, limit: usize) -> Result<Vec<Actor>> {
    get(conn, id)?;
    Ok(lists::members(conn, id, after, limit)?)
}

/// Adds accounts (remote account ids) the owner follows, as Mastodon requires.
pub fn add(conn: &Connection, id: i64, actor_ids: &[i64]) -> Result<()> {
    get(conn, id)?;
    if actor_ids.len() > MAX_ADDED {
        return Err(Error::new(422, "Validation failed: too many accounts"));
    }
    for &actor_id in actor_ids {
        if actors::get(conn, actor_id)?.is_none() {
            return Err(Error::not_found());
        }
        if !follows::is_following(conn, actor_id)? {
            return Err(Error::new(
                422,
                "Validation failed: Account has not been followed",
            ));
        }
    }
    if lists::members(conn, id, 0, MAX_MEMBERS)?.len() + actor_ids.len() > MAX_MEMBERS {
        return Err(Error::new(422, "Validation failed: the list is full"));
    }
    for &actor_id in actor_ids {
        lists::add_member(conn, id, actor_id)?;
    }
    Ok(())
}

pub fn remove(conn: &Connection, id: i64, actor_ids: &[i64]) -> Result<()> {
    get(conn, id)?;
    for &actor_id in actor_ids.iter().take(MAX_ADDED) {
        lists::remove_member(conn, id, actor_id)?;
    }
    Ok(())
}

/// The lists an account is on.
pub fn of_account(conn: &Connection, actor_id: i64) -> Result<Vec<List>> {
    Ok(lists::of_actor(conn, actor_id)?)
}

/// Tags the owner follows: their posts land in home.
pub fn followed_tags(conn: &Connection) -> Result<Vec<String>> {
    Ok(lists::followed_tags(conn)?)
}

pub fn follows_tag(conn: &Connection, tag: &str) -> Result<bool> {
    Ok(lists::follows_tag(conn, tag)?)
}

/// A tag as Mastodon names it: without `#`, letters, digits and `_` only.
pub fn tag_name(text: &str) -> Result<String> {
    let name = text.trim().trim_start_matches('#');
    let valid = !name.is_empty()
        && name.chars().count() <= 100
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(Error::not_found());
    }
    Ok(name.to_string())
}

/// Whether a public post carries a tag the owner follows (then it is kept for home, as
/// Mastodon does with followed hashtags). Reads at most 50 of its tags.
pub fn has_followed_tag(
    conn: &Connection,
    object: &serde_json::Value,
    row: &crate::store::remote_posts::NewRemotePost,
) -> rusqlite::Result<bool> {
    if row.visibility != crate::model::Visibility::Public {
        return Ok(false);
    }
    let Some(tags) = object.get("tag").and_then(|t| t.as_array()) else {
        return Ok(false);
    };
    for tag in tags.iter().take(50) {
        if tag.get("type").and_then(|t| t.as_str()) != Some("Hashtag") {
            continue;
        }
        let Some(name) = tag.get("name").and_then(|n| n.as_str()) else {
            continue;
        };
        let name = name.trim_start_matches('#');
        if name.len() <= 100 && lists::follows_tag(conn, name)? {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn follow_tag(conn: &Connection, tag: &str, followed: bool, now: Timestamp) -> Result<()> {
    let tag = tag_name(tag)?;
    if followed {
        lists::follow_tag(conn, &tag, now)?;
    } else {
        lists::unfollow_tag(conn, &tag)?;
    }
    Ok(())
}
