//! What the public ActivityPub collections and NodeInfo count and list: public posts only.

use rusqlite::Connection;

use crate::error::Result;
use crate::model::{FollowState, Page, Post};
use crate::store::follows::{self, Direction};
use crate::store::posts::{self, Audience};
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
