//! Follows: theirs of us (Follow; the owner's approval or refusal is `domain::follows`'s) and
//! the answers to ours (Accept, Reject). We are never "following" before a genuine Accept.

use rusqlite::{Connection, Transaction};
use serde_json::Value;

use crate::delivery;
use crate::federation::build;
use crate::federation::vocab::id_of;
use crate::model::{Actor, FollowState, NotificationKind, Timestamp};
use crate::store::follows::{self, Direction, Follow};
use crate::store::{actors, new_id, notifications, profile};
use crate::urls::Urls;

use super::super::stream::Event;
use super::{Activity, Context, Failure, Outcome};

/// Whether the owner takes a follower's Follow or refuses it.
#[derive(Clone, Copy)]
pub(crate) enum Answer {
    Accept,
    Reject,
}

/// Queues an Accept or Reject of `follow` to the follower's own inbox.
pub(crate) fn send_answer(
    tx: &Transaction,
    urls: &Urls,
    answer: Answer,
    follow: &Follow,
    follower: &Actor,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let id = urls.activity(new_id(now));
    let activity = match answer {
        Answer::Accept => build::accept_follow(urls, &id, &follow.activity_uri, &follower.uri),
        Answer::Reject => build::reject_follow(urls, &id, &follow.activity_uri, &follower.uri),
    };
    delivery::enqueue(
        tx,
        &activity,
        std::slice::from_ref(&follower.inbox),
        urls.origin(),
        now,
    )?;
    Ok(())
}

/// Follow of our actor: accepted at once, or held for the owner when they approve by hand.
pub fn on_follow(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    if activity.object_id().as_deref() != Some(cx.urls.actor().as_str()) {
        return Ok(Outcome::Ignored("a Follow of someone else"));
    }
    let actor = cx.actor(conn, &activity.actor)?;
    // The profile is a single row; only its flag is read here.
    let manual = profile::get(conn, "")?.is_some_and(|p| p.manually_approves_followers);
    let existing = follows::get(conn, actor.id, Direction::In)?.map(|f| f.state);
    let already_accepted = existing == Some(FollowState::Accepted);
    let already_pending = existing == Some(FollowState::Pending);
    let state = if already_accepted || !manual {
        FollowState::Accepted
    } else {
        FollowState::Pending
    };
    cx.apply(conn, |tx| {
        follows::upsert(tx, actor.id, Direction::In, state, &activity.id, cx.now)?;
        let follow = follows::get(tx, actor.id, Direction::In)?
            .ok_or_else(|| Failure::Transient("the follow vanished".into()))?;
        let kind = match state {
            // A repeated Follow from a follower gets a new Accept (they may have lost ours).
            FollowState::Accepted => {
                send_answer(tx, cx.urls, Answer::Accept, &follow, &actor, cx.now)?;
                (!already_accepted).then_some(NotificationKind::Follow)
            }
            // A repeated request keeps its first notification.
            _ => (!already_pending).then_some(NotificationKind::FollowRequest),
        };
        if let Some(kind) = kind {
            notifications::insert(
                tx,
                kind,
                Some(actor.id),
                None,
                Some(&activity.id),
                None,
                cx.now,
            )?;
            cx.emit(Event::Notified);
        }
        Ok(Outcome::Applied)
    })
}

/// Whether an Accept's or Reject's object is the Follow we sent to `them`: by its id, or (when
/// the sender rewrote it) by an embedded Follow from us to them.
fn answers_our_follow(cx: &Context, activity: &Activity, follow: &Follow) -> bool {
    let Some(object) = activity.object() else {
        return false;
    };
    if id_of(object).as_deref() == Some(follow.activity_uri.as_str()) {
        return true;
    }
    let field = |name: &str| object.get(name).and_then(id_of);
    object.is_object()
        && object.get("type").and_then(Value::as_str) == Some("Follow")
        && field("actor").as_deref() == Some(cx.urls.actor().as_str())
        && field("object").as_deref() == Some(activity.actor.as_str())
}

/// Our follow of the activity's actor, if the activity answers it.
fn our_follow(
    conn: &Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Option<Follow>, Failure> {
    // Only an actor we asked has a stored 'out' follow: no fetch for strangers.
    let Some(actor) = actors::get_by_uri(conn, &activity.actor)? else {
        return Ok(None);
    };
    let follow = follows::get(conn, actor.id, Direction::Out)?;
    Ok(follow.filter(|f| answers_our_follow(cx, activity, f)))
}

/// Accept of our Follow, from the actor we asked: we now follow them.
pub fn on_accept(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let Some(follow) = our_follow(conn, cx, activity)? else {
        return Ok(Outcome::Ignored("an Accept of nothing we asked this actor"));
    };
    if follow.state == FollowState::Accepted {
        return Ok(Outcome::Ignored("the follow was accepted already"));
    }
    cx.apply(conn, |tx| {
        follows::set_state(tx, follow.actor_id, Direction::Out, FollowState::Accepted)?;
        // A new follow does not start empty: its recent posts are fetched from its outbox.
        if let Some(actor) = crate::store::actors::get(tx, follow.actor_id)? {
            crate::domain::backfill::request_follow(tx, &actor, cx.now)?;
        }
        Ok(Outcome::Applied)
    })
}

/// Reject of our Follow (or removal from their followers), from the actor we asked.
pub fn on_reject(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let Some(follow) = our_follow(conn, cx, activity)? else {
        return Ok(Outcome::Ignored("a Reject of nothing we asked this actor"));
    };
    cx.apply(conn, |tx| {
        follows::delete(tx, follow.actor_id, Direction::Out)?;
        Ok(Outcome::Applied)
    })
}

/// Undo of a Follow: ends the follow only when it is the Follow that made it, so an old Undo
/// arriving after a newer Follow changes nothing.
pub fn undo_follow(tx: &Transaction, actor: &Actor, follow_uri: &str) -> Result<Outcome, Failure> {
    if !follows::delete_matching(tx, actor.id, Direction::In, follow_uri)? {
        return Ok(Outcome::Ignored(
            "an Undo of a Follow that is not the current one",
        ));
    }
    // A withdrawn request is no longer the owner's business; a past follow stays in the history.
    notifications::delete_follow_requests(tx, actor.id)?;
    Ok(Outcome::Applied)
}
