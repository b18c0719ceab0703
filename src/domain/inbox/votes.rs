//! Votes in our polls: a `Create` whose object is a `Note` with a `name` (the option), in reply
//! to our Question, without content — one per option, or several in one Create as GoToSocial
//! sends them. Counted once per voter per option by `domain::polls::count_vote`.

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::vocab::{kind, same_authority, single_id};

use super::super::polls::{self, IncomingVote};
use super::{refused, Activity, Context, Failure, Outcome};

/// A Create carries at most this many vote notes (a poll has at most a few options).
const MAX_VOTES: usize = 20;

/// The vote notes of a Create, when it is one (every object a named, content-less Note in reply
/// to one of our posts); None otherwise.
pub fn vote_notes<'a>(cx: &Context, activity: &'a Activity) -> Option<Vec<&'a Value>> {
    let objects: Vec<&Value> = match activity.document.get("object")? {
        Value::Array(items) => items.iter().take(MAX_VOTES).collect(),
        object @ Value::Object(_) => vec![object],
        _ => return None,
    };
    let is_vote = |object: &Value| {
        kind(object).as_deref() == Some("Note")
            && object.get("name").and_then(Value::as_str).is_some()
            && object
                .get("content")
                .and_then(Value::as_str)
                .is_none_or(|c| c.trim().is_empty())
            && single_id(object.get("inReplyTo")).is_some_and(|parent| cx.is_ours(&parent))
    };
    (!objects.is_empty() && objects.iter().all(|o| is_vote(o))).then_some(objects)
}

pub fn on_votes(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
    notes: &[&Value],
) -> Result<Outcome, Failure> {
    for note in notes {
        if single_id(note.get("attributedTo")).as_deref() != Some(activity.actor.as_str()) {
            return Err(refused("a vote not attributed to the activity's actor"));
        }
        let id = note
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(&activity.id);
        if !same_authority(id, &activity.actor) {
            return Err(refused("a vote not on its actor's host"));
        }
    }
    let actor = cx.actor(conn, &activity.actor)?;
    cx.apply(conn, |tx| {
        let mut outcome = Outcome::Ignored("a Create without votes");
        for note in notes {
            let (Some(question), Some(option)) = (
                single_id(note.get("inReplyTo")),
                note.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            let vote = IncomingVote {
                actor_id: actor.id,
                question: &question,
                option,
                activity_uri: note
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or(&activity.id),
            };
            match polls::count_vote(tx, &vote, cx.now)? {
                None => outcome = Outcome::Applied,
                Some(why) if outcome != Outcome::Applied => outcome = Outcome::Ignored(why),
                Some(_) => {}
            }
        }
        if outcome == Outcome::Applied {
            cx.emit(super::super::stream::Event::Edited(
                single_id(notes[0].get("inReplyTo"))
                    .unwrap_or_default()
                    .into(),
            ));
        }
        Ok(outcome)
    })
}
