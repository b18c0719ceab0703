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

/// The ids of our public replies to our post `id`; not found when the post is not public.
pub fn replies(conn: &Connection, urls: &Urls, id: i64) -> Result<Vec<String>> {
    get_visible(conn, id, false)?;
    let replies = posts::replies_to(conn, &urls.post(id), Audience::Anyone)?;
    Ok(replies.iter().map(|p| urls.post(p.id)).collect())
}
