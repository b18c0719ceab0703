//! Posts of others: Create, Update and Delete of notes (and Update/Delete of actors, which share
//! the activity types). Every object must live on its actor's host and be attributed to it.

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::vocab::{http_url, is_actor_type, kind, parse_note, same_authority, Note};
use crate::model::{Actor, NotificationKind, Timestamp};
use crate::store::follows;
use crate::store::remote_posts::{self, NewRemotePost};
use crate::store::{interactions, notifications};

use super::super::actors::{self as remote_actors};
use super::super::stream::Event;
use super::{refused, Activity, Context, Failure, Outcome};

/// The row to store for `note` by `author`.
pub fn note_row(note: &Note, author: &Actor, now: Timestamp) -> NewRemotePost {
    NewRemotePost {
        uri: note.uri.clone(),
        actor_id: author.id,
        url: note.url.clone(),
        in_reply_to: note.in_reply_to.clone(),
        content_html: note.content_html.clone(),
        summary: note.summary.clone(),
        sensitive: note.sensitive,
        visibility: note.visibility(author),
        // A date in the future is the sender's clock or a trick: never later than now.
        published_at: note.published.map_or(now, |p| p.min(now)),
        updated_at: note.updated.map(|u| u.min(now)),
        raw: note.raw.clone(),
    }
}

/// The origin rules for an object an activity creates or changes: on the actor's host, not on
/// ours, and attributed to the actor.
fn check_origin(cx: &Context, activity: &Activity, note: &Note) -> Result<(), Failure> {
    if cx.is_ours(&note.uri) {
        return Err(refused("the object claims to be on this server"));
    }
    if !same_authority(&note.uri, &activity.actor) {
        return Err(refused("the object is not on its actor's host"));
    }
    if note.attributed_to.as_deref() != Some(activity.actor.as_str()) {
        return Err(refused(
            "the object is not attributed to the activity's actor",
        ));
    }
    Ok(())
}

/// The embedded object, or the object fetched by its id (then proven by its origin).
fn object_document(cx: &Context, activity: &Activity) -> Result<Option<Value>, Failure> {
    match activity.object() {
        Some(object @ Value::Object(_)) => Ok(Some(object.clone())),
        Some(Value::String(id)) if !cx.is_ours(id) && http_url(id).is_some() => Ok(Some(
            cx.remote
                .get_activity(id)
                .map_err(remote_actors::ActorError::from)?,
        )),
        _ => Ok(None),
    }
}

/// Create of a post: kept when it replies to one of our posts, mentions us, is addressed to us,
/// comes from someone we follow, or is public with a tag the owner follows.
pub fn on_create(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    if let Some(votes) = super::votes::vote_notes(cx, activity) {
        return super::votes::on_votes(conn, cx, activity, &votes);
    }
    let Some(object) = object_document(cx, activity)? else {
        return Ok(Outcome::Ignored("a Create without an object"));
    };
    let note = match parse_note(&object) {
        Ok(note) => note,
        Err(why) => return Ok(Outcome::Ignored(why)),
    };
    check_origin(cx, activity, &note)?;
    let us = cx.urls.actor();
    let reply_to_us = match &note.in_reply_to {
        Some(parent) => cx.our_post(conn, parent)?.is_some(),
        None => false,
    };
    let quotes_us = match &note.quote {
        Some(quoted) => cx.our_post(conn, quoted)?.is_some(),
        None => false,
    };
    let mentions_us =
        note.mentions.contains(&us) || note.to.contains(&us) || note.cc.contains(&us) || quotes_us;
    let actor = cx.actor(conn, &activity.actor)?;
    if !reply_to_us
        && !mentions_us
        && !follows::is_following(conn, actor.id)?
        && !crate::domain::lists::has_followed_tag(conn, &object, &note_row(&note, &actor, cx.now))?
    {
        return Ok(Outcome::Ignored(
            "a post not for us, by someone we do not follow",
        ));
    }
    let notification = if reply_to_us {
        Some(NotificationKind::Reply)
    } else if mentions_us {
        Some(NotificationKind::Mention)
    } else {
        // The API's bell on a follow: each new post of theirs (not a reply) is a notification.
        let notify = note.in_reply_to.is_none()
            && crate::store::accounts::follow_options(conn, actor.id)?.1
            && follows::is_following(conn, actor.id)?;
        notify.then_some(NotificationKind::Status)
    };
    let quote = super::quotes::assess(conn, cx, &note, &object, &actor)?;
    cx.apply(conn, |tx| {
        if remote_posts::insert(tx, &note_row(&note, &actor, cx.now), cx.now)? {
            super::quotes::record(tx, &note.uri, quote.as_ref(), cx.now)?;
            cx.emit(Event::Posted(note.uri.as_str().into()));
        } else {
            // A fetch (a follow's backfill, a thread) may have brought the post before its
            // Create came: the Create still tells the owner, once.
            let untold = match notification {
                Some(kind) => !notifications::exists_for_object(tx, kind, &note.uri)?,
                None => false,
            };
            if !untold {
                return Ok(Outcome::Ignored("a post we hold already"));
            }
        }
        if reply_to_us && forwards_to_our_followers(cx, &note) {
            forward(tx, cx, activity, &actor)?;
        }
        if let Some(kind) = notification {
            let object = Some(note.uri.as_str());
            notifications::insert(
                tx,
                kind,
                Some(actor.id),
                object,
                Some(&activity.id),
                None,
                cx.now,
            )?;
            cx.emit(Event::Notified);
        }
        Ok(Outcome::Applied)
    })
}

/// Whether a reply to one of our posts is passed on to our followers, as Mastodon does: it is
/// public and addressed to our followers collection.
fn forwards_to_our_followers(cx: &Context, note: &Note) -> bool {
    let followers = cx.urls.followers();
    note.to
        .iter()
        .any(|a| crate::federation::vocab::is_public(a))
        && note.to.iter().chain(&note.cc).any(|a| *a == followers)
}

/// Sends the activity as it came to our followers' inboxes (not back to its author's server);
/// they fetch the object from its origin to trust it.
fn forward(
    tx: &Connection,
    cx: &Context,
    activity: &Activity,
    author: &Actor,
) -> rusqlite::Result<()> {
    let theirs = author.shared_inbox.as_deref().unwrap_or(&author.inbox);
    let inboxes: Vec<String> = follows::follower_inboxes(tx)?
        .into_iter()
        .filter(|inbox| inbox != theirs && inbox != &author.inbox)
        .collect();
    crate::delivery::enqueue(tx, &activity.document, &inboxes, cx.urls.origin(), cx.now)?;
    Ok(())
}

/// Update of a post we hold (an edit, only by its author) or of the actor itself (a profile
/// change). The object must be embedded: it is the new version.
pub fn on_update(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let Some(object) = activity.object().filter(|o| o.is_object()) else {
        return Ok(Outcome::Ignored("an Update without an embedded object"));
    };
    let object_kind = kind(object).unwrap_or_default();
    if is_actor_type(&object_kind) {
        if object.get("id").and_then(Value::as_str) != Some(activity.actor.as_str()) {
            return Err(refused("an Update of another actor"));
        }
        return cx.apply(conn, |tx| {
            match remote_actors::apply_update(tx, &activity.actor, object, cx.now)? {
                true => Ok(Outcome::Applied),
                false => Ok(Outcome::Ignored("an Update of another actor")),
            }
        });
    }
    let note = match parse_note(object) {
        Ok(note) => note,
        Err(why) => return Ok(Outcome::Ignored(why)),
    };
    check_origin(cx, activity, &note)?;
    let Some(actor) = crate::store::actors::get_by_uri(conn, &activity.actor)? else {
        return Ok(Outcome::Ignored("an Update of a post we do not hold"));
    };
    if remote_posts::author_of(conn, &note.uri)? != Some(actor.id) {
        return Ok(Outcome::Ignored("an Update of a post we do not hold"));
    }
    let quote = super::quotes::assess(conn, cx, &note, object, &actor)?;
    cx.apply(conn, |tx| {
        let mut row = note_row(&note, &actor, cx.now);
        row.updated_at = Some(row.updated_at.unwrap_or(cx.now));
        remote_posts::update(tx, &row, cx.now)?;
        super::quotes::record(tx, &note.uri, quote.as_ref(), cx.now)?;
        cx.emit(Event::Edited(note.uri.as_str().into()));
        Ok(Outcome::Applied)
    })
}

/// Delete of a post (a Tombstone, an embedded object or a bare id), only its author's; or of the
/// actor itself, which removes everything we keep of them.
pub fn on_delete(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    let Some(target) = activity.object_id() else {
        return Ok(Outcome::Ignored("a Delete without an object id"));
    };
    if target == activity.actor {
        return cx.apply(conn, |tx| match remote_actors::remove(tx, &target)? {
            true => Ok(Outcome::Applied),
            false => Ok(Outcome::Ignored("a Delete of an actor we do not know")),
        });
    }
    if cx.is_ours(&target) || !same_authority(&target, &activity.actor) {
        return Err(refused("a Delete of an object on another host"));
    }
    let Some(actor) = crate::store::actors::get_by_uri(conn, &activity.actor)? else {
        return Ok(Outcome::Ignored("a Delete by an actor we do not know"));
    };
    cx.apply(conn, |tx| {
        if let Some(outcome) = super::quotes::on_delete_authorization(tx, &target)? {
            return Ok(outcome);
        }
        if let Some(post) = remote_posts::get_by_uri(tx, &target)? {
            cx.emit(Event::Deleted(post.id));
        }
        if !remote_posts::delete(tx, &target, actor.id)? {
            return Ok(Outcome::Ignored("a Delete of a post we do not hold"));
        }
        interactions::delete_for_object(tx, &target)?;
        crate::store::reactions::delete_for_object(tx, &target)?;
        notifications::delete_for_object(tx, &target)?;
        crate::store::polls::delete(tx, &target)?;
        crate::store::quotes::delete(tx, &target)?;
        Ok(Outcome::Applied)
    })
}
