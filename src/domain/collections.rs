//! What the public ActivityPub collections and NodeInfo count and list: public posts only.

use rusqlite::Connection;

use crate::error::Result;
use crate::model::{FollowState, Page, Post};
use crate::store::follows::{self, Direction};
use crate::store::interactions::{self, Kind};
use crate::store::posts::{self, Audience};
use crate::store::{remote_posts, settings};
use crate::urls::Urls;

use super::posts::get_visible;

/// How many posts are for everyone (public and unlisted).
pub fn public_post_count(conn: &Connection) -> Result<u64> {
    Ok(posts::count(conn, Audience::Anyone)?)
}

/// One page of the outbox.
pub fn outbox_page(
    conn: &Connection,
    max_id: Option<i64>,
    min_id: Option<i64>,
    limit: usize,
) -> Result<Page<Post>> {
    Ok(posts::page(conn, Audience::Anyone, max_id, min_id, limit)?)
}

pub fn follower_count(conn: &Connection) -> Result<u64> {
    Ok(follows::count(conn, Direction::In, FollowState::Accepted)?)
}

pub fn following_count(conn: &Connection) -> Result<u64> {
    Ok(follows::count(conn, Direction::Out, FollowState::Accepted)?)
}

/// The pinned posts (the featured collection).
pub fn featured(conn: &Connection) -> Result<Vec<Post>> {
    Ok(posts::pinned(conn, Audience::Anyone)?)
}

/// The ids of the public replies to our post `id`, ours then others' we hold (as Mastodon lists
/// them, so that other servers can complete the thread); not found when the post is not public.
pub fn replies(conn: &Connection, urls: &Urls, id: i64) -> Result<Vec<String>> {
    get_visible(conn, id, false)?;
    let uri = urls.post(id);
    let replies = posts::replies_to(conn, &uri, Audience::Anyone)?;
    let mut ids: Vec<String> = replies.iter().map(|p| urls.post(p.id)).collect();
    ids.extend(
        crate::store::remote_posts::replies_to(conn, &uri, true)?
            .into_iter()
            .filter(|p| p.visibility == crate::model::Visibility::Public)
            .map(|p| p.uri),
    );
    Ok(ids)
}

/// Items per page of the followers, following and replies collections.
pub const PAGE_SIZE: usize = 40;
/// Posts a conversation's `context` collection lists at most.
const MAX_CONTEXT: usize = 500;

/// Whether the owner shows only the counts of their followers and following (Mastodon's "hide
/// your network").
pub fn hide_network(conn: &Connection) -> Result<bool> {
    Ok(settings::get(conn, settings::HIDE_NETWORK)?.is_some_and(|v| v == b"1"))
}

pub fn set_hide_network(conn: &Connection, hide: bool) -> Result<()> {
    settings::set(conn, settings::HIDE_NETWORK, if hide { b"1" } else { b"0" })?;
    Ok(())
}

/// Which of the owner's two lists of people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    Followers,
    Following,
}

/// One page of actor ids (newest follow first) and the key of the next, or None when the owner
/// hides their network.
pub fn network_page(
    conn: &Connection,
    which: Network,
    before: Option<i64>,
) -> Result<Option<(Vec<String>, Option<i64>)>> {
    if hide_network(conn)? {
        return Ok(None);
    }
    let direction = match which {
        Network::Followers => Direction::In,
        Network::Following => Direction::Out,
    };
    let mut rows = follows::actor_uris(conn, direction, before, PAGE_SIZE + 1)?;
    let more = rows.len() > PAGE_SIZE;
    rows.truncate(PAGE_SIZE);
    let next = more.then(|| rows.last().map(|(id, _)| *id)).flatten();
    Ok(Some((rows.into_iter().map(|(_, uri)| uri).collect(), next)))
}

/// The ids of the public replies to our post `id` we hold, ours and others', oldest first:
/// page `page` (from 1) and whether another follows. Not found when the post is not public.
pub fn replies_page(
    conn: &Connection,
    urls: &Urls,
    id: i64,
    page: usize,
) -> Result<(Vec<String>, bool)> {
    get_visible(conn, id, false)?;
    let all = reply_ids(conn, urls, &urls.post(id))?;
    let start = page.saturating_sub(1).saturating_mul(PAGE_SIZE);
    let items: Vec<String> = all
        .iter()
        .skip(start)
        .take(PAGE_SIZE)
        .map(|(_, u)| u.clone())
        .collect();
    Ok((items, all.len() > start.saturating_add(PAGE_SIZE)))
}

/// (id, uri) of the world-readable replies to `uri` we hold, ours and others', oldest first.
fn reply_ids(conn: &Connection, urls: &Urls, uri: &str) -> Result<Vec<(i64, String)>> {
    let mut replies: Vec<(i64, String)> = posts::replies_to(conn, uri, Audience::Anyone)?
        .iter()
        .map(|p| (p.id, urls.post(p.id)))
        .collect();
    replies.extend(
        remote_posts::replies_to(conn, uri, true)?
            .into_iter()
            .map(|p| (p.id, p.uri)),
    );
    replies.sort();
    Ok(replies)
}

/// How many others liked and boosted our post `id`.
pub fn note_counts(conn: &Connection, urls: &Urls, id: i64) -> Result<(u64, u64)> {
    let uri = urls.post(id);
    Ok((
        interactions::count(conn, &uri, Kind::Like)?,
        interactions::count(conn, &uri, Kind::Announce)?,
    ))
}

/// The id of the post of ours a conversation grows from: the topmost of our posts above `post`.
pub fn thread_root(conn: &Connection, urls: &Urls, post: &Post) -> Result<i64> {
    let ancestors = super::posts::ancestors(conn, urls, post, false)?;
    Ok(ancestors.first().map_or(post.id, |p| p.id))
}

/// Every world-readable post of the conversation under our post `root_id` that we hold, the
/// root first, then breadth first by reply; at most 500. Not found when the root is not public.
pub fn context(conn: &Connection, urls: &Urls, root_id: i64) -> Result<Vec<String>> {
    get_visible(conn, root_id, false)?;
    let mut items = vec![urls.post(root_id)];
    let mut next = 0;
    while next < items.len() && items.len() < MAX_CONTEXT {
        let parent = items[next].clone();
        next += 1;
        for (_, uri) in reply_ids(conn, urls, &parent)? {
            if items.len() >= MAX_CONTEXT {
                break;
            }
            if !items.contains(&uri) {
                items.push(uri);
            }
        }
    }
    Ok(items)
}
