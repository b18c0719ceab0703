//! Pinning the owner's posts to the profile: the featured collection, with Add and Remove sent
//! to followers so their servers show the pins too.

use rusqlite::Connection;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::Timestamp;
use crate::store::{self, follows, posts};
use crate::urls::Urls;

/// Mastodon's limit on pinned posts.
pub const MAX_PINNED: usize = 5;

/// Pins (or with `pinned == false` unpins) one of our posts; only public and unlisted posts.
pub fn set(
    conn: &mut Connection,
    urls: &Urls,
    id: i64,
    pinned: bool,
    now: Timestamp,
) -> Result<()> {
    store::write(conn, |tx| {
        let post = posts::get(tx, id)?.ok_or_else(Error::not_found)?;
        if post.pinned == pinned {
            return Ok(());
        }
        if pinned && !post.visibility.is_world_readable() {
            return Err(Error::new(
                422,
                "only public and unlisted posts can be pinned",
            ));
        }
        if pinned && posts::pinned(tx, posts::Audience::Owner)?.len() >= MAX_PINNED {
            return Err(Error::new(
                422,
                format!("at most {MAX_PINNED} posts can be pinned; unpin one first"),
            ));
        }
        posts::set_pinned(tx, id, pinned.then_some(now))?;
        let activity_id = urls.activity(store::new_id(now));
        let activity = if pinned {
            build::add_featured(urls, &activity_id, id)
        } else {
            build::remove_featured(urls, &activity_id, id)
        };
        delivery::enqueue(
            tx,
            &activity,
            &follows::follower_inboxes(tx)?,
            urls.origin(),
            now,
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests;
