//! Likes, boosts, blocks and reports, and the Undo of any of them (or of a Follow).

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::vocab::{id_of, ids, kind, parse_reaction};
use crate::model::NotificationKind;
use crate::store::follows::{self, Direction};
use crate::store::interactions::{self, Kind};
use crate::store::remote_posts;
use crate::store::{actors, notifications, posts, reactions};

use super::super::importer;
use super::super::stream::Event;
use super::{follows as follow_rules, Activity, Context, Failure, Outcome};
use crate::text::plain_text;

/// Longest report comment we keep.
const MAX_REPORT_CHARS: usize = 1_000;
/// Most objects of a Flag we look at.
const MAX_FLAG_OBJECTS: usize = 20;

/// Undo of a Follow, Like, EmojiReact, Announce or Block: only its own actor's, and only the very activity
/// (matched by id) that made what is undone.
pub fn on_undo(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let Some(object) = activity.object() else {
        return Ok(Outcome::Ignored("an Undo without an object"));
    };
    let Some(undone) = id_of(object) else {
        return Ok(Outcome::Ignored("an Undo without an object id"));
    };
    if let Some(inner_actor) = object.get("actor") {
        if id_of(inner_actor).as_deref() != Some(activity.actor.as_str()) {
            return Ok(Outcome::Ignored("an Undo of someone else's activity"));
        }
    }
    let Some(actor) = actors::get_by_uri(conn, &activity.actor)? else {
        return Ok(Outcome::Ignored("an Undo by an actor we do not know"));
    };
    let undone_kind = kind(object);
    cx.apply(conn, |tx| {
        let applied = match undone_kind.as_deref() {
            Some("Follow") => return follow_rules::undo_follow(tx, &actor, &undone),
            Some("Like") => {
                interactions::delete_by_activity(tx, Some(Kind::Like), actor.id, &undone)?
                    || reactions::delete_by_activity(tx, actor.id, &undone)?
            }
            Some("EmojiReact") => reactions::delete_by_activity(tx, actor.id, &undone)?,
            Some("Announce") => {
                interactions::delete_by_activity(tx, Some(Kind::Announce), actor.id, &undone)?
            }
            Some("Block") => actors::remove_blocked_by(tx, actor.id, &undone)?,
            Some(_) => {
                return Ok(Outcome::Ignored(
                    "an Undo of an activity Perch does not undo",
                ))
            }
            // A bare id: whatever of this actor's that activity made.
            None => {
                let follow = follows::get(tx, actor.id, Direction::In)?
                    .is_some_and(|f| f.activity_uri == undone);
                if follow {
                    return follow_rules::undo_follow(tx, &actor, &undone);
                }
                interactions::delete_by_activity(tx, None, actor.id, &undone)?
                    || reactions::delete_by_activity(tx, actor.id, &undone)?
                    || actors::remove_blocked_by(tx, actor.id, &undone)?
            }
        };
        if !applied {
            return Ok(Outcome::Ignored("an Undo of nothing this actor did"));
        }
        notifications::delete_for_activity(tx, actor.id, &undone)?;
        Ok(Outcome::Applied)
    })
}

/// Like of one of our posts: counted, and the owner told. Misskey's Like with an emoji in it
/// is a reaction instead.
pub fn on_like(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    if let Some(reaction) = parse_reaction(&activity.document) {
        return super::reactions::on_reaction(conn, cx, activity, &reaction);
    }
    let Some(object) = activity.object_id() else {
        return Ok(Outcome::Ignored("a Like without an object"));
    };
    let Some(post_id) = cx.our_post(conn, &object)? else {
        return Ok(Outcome::Ignored("a Like of something that is not our post"));
    };
    let actor = cx.actor(conn, &activity.actor)?;
    count_and_notify(
        conn,
        cx,
        activity,
        actor.id,
        &cx.urls.post(post_id),
        Kind::Like,
    )
}

/// A like or boost by `actor_id` of our post `post_uri`: recorded once, and the owner told. A
/// repeat (same actor, same post, or a replayed activity id) changes nothing.
fn count_and_notify(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
    actor_id: i64,
    post_uri: &str,
    kind: Kind,
) -> Result<Outcome, Failure> {
    let (notification, repeated) = match kind {
        Kind::Like => (NotificationKind::Like, "a repeated Like"),
        Kind::Announce => (NotificationKind::Announce, "a repeated Announce"),
    };
    cx.apply(conn, |tx| {
        if interactions::insert(tx, kind, Some(actor_id), post_uri, &activity.id, cx.now)?.is_none()
        {
            return Ok(Outcome::Ignored(repeated));
        }
        notifications::insert(
            tx,
            notification,
            Some(actor_id),
            Some(post_uri),
            Some(&activity.id),
            None,
            cx.now,
        )?;
        cx.emit(Event::Notified);
        Ok(Outcome::Applied)
    })
}

/// Announce (boost) of one of our public posts: counted and notified. A boost of someone else's
/// post by an account we follow: kept for the timeline as a reference to the post's id; an
/// embedded copy is never trusted, the post is fetched from its id instead (best effort).
pub fn on_announce(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let Some(object) = activity.object_id() else {
        return Ok(Outcome::Ignored("an Announce without an object"));
    };
    if let Some(post_id) = cx.our_post(conn, &object)? {
        let visible = posts::get(conn, post_id)?.is_some_and(|p| p.visibility.is_world_readable());
        if !visible {
            return Ok(Outcome::Ignored("an Announce of a post that is not public"));
        }
        let actor = cx.actor(conn, &activity.actor)?;
        let post_uri = cx.urls.post(post_id);
        return count_and_notify(conn, cx, activity, actor.id, &post_uri, Kind::Announce);
    }
    if cx.is_ours(&object) {
        return Ok(Outcome::Ignored(
            "an Announce of something of ours that is gone",
        ));
    }
    let Some(actor) = actors::get_by_uri(conn, &activity.actor)? else {
        return Ok(Outcome::Ignored("a boost by someone we do not follow"));
    };
    if !follows::is_following(conn, actor.id)? {
        return Ok(Outcome::Ignored("a boost by someone we do not follow"));
    }
    let boosted = fetch_boosted(conn, cx, &object);
    cx.apply(conn, |tx| {
        if let Some(row) = &boosted {
            remote_posts::insert(tx, row, cx.now)?;
        }
        let boost = interactions::insert(
            tx,
            Kind::Announce,
            Some(actor.id),
            &object,
            &activity.id,
            cx.now,
        )?;
        if let Some(id) = boost {
            cx.emit(Event::Boosted(id));
        }
        Ok(Outcome::Applied)
    })
}

/// The boosted post, fetched from its id by the importer when we do not hold it yet; None when
/// anything fails (the reference is kept regardless).
fn fetch_boosted(
    conn: &Connection,
    cx: &Context,
    uri: &str,
) -> Option<remote_posts::NewRemotePost> {
    if remote_posts::author_of(conn, uri).ok()?.is_some() {
        return None;
    }
    importer::fetch(conn, cx.remote, cx.urls, uri, cx.now).ok()
}

/// Block of us: recorded (we stop delivering to them), and follows both ways end.
pub fn on_block(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    if activity.object_id().as_deref() != Some(cx.urls.actor().as_str()) {
        return Ok(Outcome::Ignored("a Block of someone else"));
    }
    let actor = cx.actor(conn, &activity.actor)?;
    cx.apply(conn, |tx| {
        actors::set_blocked_by(tx, actor.id, &activity.id, cx.now)?;
        follows::delete(tx, actor.id, Direction::In)?;
        follows::delete(tx, actor.id, Direction::Out)?;
        Ok(Outcome::Applied)
    })
}

/// Flag (a report): a notification for the owner with the reporter's comment.
pub fn on_flag(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let objects = ids(activity.document.get("object"), MAX_FLAG_OBJECTS);
    // What the report is about: something of ours where named, else its first object.
    let Some(about) = objects
        .iter()
        .find(|o| cx.is_ours(o))
        .or(objects.first())
        .cloned()
    else {
        return Ok(Outcome::Ignored("a Flag without an object"));
    };
    let comment = activity
        .document
        .get("content")
        .and_then(Value::as_str)
        .map(|c| plain_text(c, MAX_REPORT_CHARS))
        .filter(|c| !c.is_empty());
    let actor = cx.actor(conn, &activity.actor)?;
    cx.apply(conn, |tx| {
        notifications::insert(
            tx,
            NotificationKind::Report,
            Some(actor.id),
            Some(&about),
            Some(&activity.id),
            comment.as_deref(),
            cx.now,
        )?;
        cx.emit(Event::Notified);
        Ok(Outcome::Applied)
    })
}
