//! The owner following others, unfollowing, and removing followers. (Follows that arrive in the
//! inbox are `domain::inbox`'s.) Nothing here counts as "following" before the other side's
//! Accept arrives.

use rusqlite::Connection;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::{Actor, FollowState, Timestamp};
use crate::store::{self, follows, follows::Direction};
use crate::urls::Urls;

/// Sends a Follow; the follow stays pending until their Accept.
pub fn follow(conn: &mut Connection, urls: &Urls, actor: &Actor, now: Timestamp) -> Result<()> {
    if actor.uri == urls.actor() {
        return Err(Error::bad_request("you cannot follow yourself"));
    }
    store::write(conn, |tx| {
        if let Some(existing) = follows::get(tx, actor.id, Direction::Out)? {
            if existing.state == FollowState::Accepted {
                return Ok(());
            }
        }
        let id = urls.activity(store::new_id(now));
        follows::upsert(tx, actor.id, Direction::Out, FollowState::Pending, &id, now)?;
        let activity = build::follow(urls, &id, &actor.uri);
        delivery::enqueue(
            tx,
            &activity,
            std::slice::from_ref(&actor.inbox),
            urls.origin(),
            now,
        )?;
        Ok(())
    })
}

/// Withdraws our follow (accepted or still pending) with an Undo of the Follow we sent.
pub fn unfollow(conn: &mut Connection, urls: &Urls, actor: &Actor, now: Timestamp) -> Result<()> {
    store::write(conn, |tx| {
        let Some(existing) = follows::get(tx, actor.id, Direction::Out)? else {
            return Err(Error::new(404, "you do not follow this account"));
        };
        follows::delete(tx, actor.id, Direction::Out)?;
        let undo = build::undo_follow(urls, &existing.activity_uri, &actor.uri);
        delivery::enqueue(
            tx,
            &undo,
            std::slice::from_ref(&actor.inbox),
            urls.origin(),
            now,
        )?;
        Ok(())
    })
}

/// Removes a follower (or refuses a request): they are sent a Reject of their Follow, as
/// Mastodon does, so their server stops showing them as following.
pub fn remove_follower(
    conn: &mut Connection,
    urls: &Urls,
    actor: &Actor,
    now: Timestamp,
) -> Result<()> {
    store::write(conn, |tx| {
        let Some(existing) = follows::get(tx, actor.id, Direction::In)? else {
            return Err(Error::new(404, "this account does not follow you"));
        };
        follows::delete(tx, actor.id, Direction::In)?;
        let id = urls.activity(store::new_id(now));
        let reject = build::reject_follow(urls, &id, &existing.activity_uri, &actor.uri);
        delivery::enqueue(
            tx,
            &reject,
            std::slice::from_ref(&actor.inbox),
            urls.origin(),
            now,
        )?;
        Ok(())
    })
}
