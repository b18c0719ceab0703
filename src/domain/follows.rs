//! The owner following others, unfollowing, answering follow requests and removing followers.
//! (Follows that arrive in the inbox are `domain::inbox`'s.) Nothing here counts as "following" before the other side's
//! Accept arrives.

use rusqlite::Connection;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::{Actor, FollowState, Timestamp};
use crate::store::{self, actors, follows, follows::Direction, notifications};

use crate::urls::Urls;

use super::inbox::follows::{send_answer, Answer};

/// Sends a Follow; the follow stays pending until their Accept.
pub fn follow(conn: &mut Connection, urls: &Urls, actor: &Actor, now: Timestamp) -> Result<()> {
    if actor.uri == urls.actor() {
        return Err(Error::bad_request("you cannot follow yourself"));
    }
    store::write(conn, |tx| Ok(queue_follow(tx, urls, actor, now)?))
}

/// Records a pending follow of `actor` and queues the Follow, in the caller's transaction
/// (also used when someone we follow moves). Nothing is sent when we follow them already.
pub(crate) fn queue_follow(
    tx: &Connection,
    urls: &Urls,
    actor: &Actor,
    now: Timestamp,
) -> rusqlite::Result<()> {
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
}

/// Withdraws our follow (accepted or still pending) with an Undo of the Follow we sent.
pub fn unfollow(conn: &mut Connection, urls: &Urls, actor: &Actor, now: Timestamp) -> Result<()> {
    store::write(conn, |tx| {
        if !queue_unfollow(tx, urls, actor, now)? {
            return Err(Error::new(404, "you do not follow this account"));
        }
        Ok(())
    })
}

/// Ends our follow of `actor` and queues the Undo, in the caller's transaction; false when we
/// did not follow them.
pub(crate) fn queue_unfollow(
    tx: &Connection,
    urls: &Urls,
    actor: &Actor,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let Some(existing) = follows::get(tx, actor.id, Direction::Out)? else {
        return Ok(false);
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
    Ok(true)
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

/// The follow of us by `actor_id` (accepted or pending), with the actor.
fn follower(
    conn: &Connection,
    actor_id: i64,
) -> rusqlite::Result<Option<(follows::Follow, Actor)>> {
    Ok(follows::get(conn, actor_id, Direction::In)?.zip(actors::get(conn, actor_id)?))
}

/// The owner accepts a pending follow request: it becomes a follower and gets an Accept.
/// Returns false when there is no such request.
pub fn approve_follow(
    conn: &mut Connection,
    urls: &Urls,
    actor_id: i64,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    store::write(conn, |tx| {
        let Some((follow, actor)) = follower(tx, actor_id)? else {
            return Ok(false);
        };
        if follow.state != FollowState::Pending {
            return Ok(false);
        }
        follows::set_state(tx, actor_id, Direction::In, FollowState::Accepted)?;
        send_answer(tx, urls, Answer::Accept, &follow, &actor, now)?;
        Ok(true)
    })
}

/// The owner refuses a follow request, or removes a follower: the follow is deleted and a Reject
/// sent (Mastodon's way of removing a follower). Returns false when there was no follow.
pub fn reject_follow(
    conn: &mut Connection,
    urls: &Urls,
    actor_id: i64,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    store::write(conn, |tx| {
        let Some((follow, actor)) = follower(tx, actor_id)? else {
            return Ok(false);
        };
        follows::delete(tx, actor_id, Direction::In)?;
        notifications::delete_follow_requests(tx, actor_id)?;
        send_answer(tx, urls, Answer::Reject, &follow, &actor, now)?;
        Ok(true)
    })
}
