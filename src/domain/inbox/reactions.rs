//! Emoji reactions to our posts: Pleroma's and Akkoma's `EmojiReact`, and Misskey's `Like` that
//! carries one (`content` / `_misskey_reaction`). Their Undo is `interactions::on_undo`'s.

use rusqlite::Connection;

use crate::federation::vocab::{parse_reaction, Reaction};
use crate::model::NotificationKind;
use crate::store::notifications;
use crate::store::reactions::{self, NewReaction};

use super::super::stream::Event;
use super::{Activity, Context, Failure, Outcome};

/// `EmojiReact`: a reaction, or nothing when it carries no emoji we can read.
pub fn on_emoji_react(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    match parse_reaction(&activity.document) {
        Some(reaction) => on_reaction(conn, cx, activity, &reaction),
        None => Ok(Outcome::Ignored("an EmojiReact without a usable emoji")),
    }
}

/// A reaction to one of our posts: recorded once per actor and emoji, and the owner told.
pub fn on_reaction(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
    reaction: &Reaction,
) -> Result<Outcome, Failure> {
    let Some(object) = activity.object_id() else {
        return Ok(Outcome::Ignored("a reaction without an object"));
    };
    let Some(post_id) = cx.our_post(conn, &object)? else {
        return Ok(Outcome::Ignored(
            "a reaction to something that is not our post",
        ));
    };
    let actor = cx.actor(conn, &activity.actor)?;
    let post_uri = cx.urls.post(post_id);
    cx.apply(conn, |tx| {
        let new = NewReaction {
            actor_id: Some(actor.id),
            object_uri: &post_uri,
            content: &reaction.content,
            emoji_url: reaction.emoji_url.as_deref(),
            activity_uri: &activity.id,
            sent_as: None,
        };
        let inserted = reactions::insert(tx, &new, cx.now)?;
        if inserted.is_none() {
            return Ok(Outcome::Ignored("a repeated reaction"));
        }
        notifications::insert(
            tx,
            NotificationKind::Reaction,
            Some(actor.id),
            Some(&post_uri),
            Some(&activity.id),
            Some(&reaction.content),
            cx.now,
        )?;
        cx.emit(Event::Notified);
        Ok(Outcome::Applied)
    })
}
