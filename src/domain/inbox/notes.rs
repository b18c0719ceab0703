//! Posts of others: Create, Update and Delete of notes (and Update/Delete of actors, which share
//! the activity types). Every object must live on its actor's host and be attributed to it.

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::documents::{
    capped_raw, http_url, id_of, ids, is_public, kind, link, prefix_chars, same_authority,
    single_id, timestamp, MAX_ADDRESSEES, MAX_TAGS,
};
use crate::model::{Actor, NotificationKind, Timestamp, Visibility};
use crate::store::follows;
use crate::store::remote_posts::{self, NewRemotePost};
use crate::store::{interactions, notifications};

use super::super::actors::{self as remote_actors, is_actor_type};
use super::{refused, Activity, Context, Failure, Outcome};
use crate::text::{escape, plain_text, sanitize_remote};

/// The object types kept as posts.
pub const NOTE_TYPES: [&str; 4] = ["Note", "Article", "Page", "Question"];
/// Input cut before sanitising (the sanitiser caps bytes as well).
const MAX_CONTENT_CHARS: usize = 100_000;
const MAX_SUMMARY_CHARS: usize = 500;
const MAX_TITLE_CHARS: usize = 200;

/// A post object read from its JSON: capped, its HTML sanitised.
#[derive(Clone, Debug)]
pub struct Note {
    pub uri: String,
    pub kind: String,
    /// The first of `attributedTo`.
    pub attributed_to: Option<String>,
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    pub content_html: String,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub published: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// Actor ids of its Mention tags.
    pub mentions: Vec<String>,
    pub raw: String,
}

/// Reads a post object. `Err` says why it is not one Perch keeps.
pub fn parse_note(object: &Value) -> Result<Note, &'static str> {
    let kind = kind(object).ok_or("the object has no type")?;
    if !NOTE_TYPES.contains(&kind.as_str()) {
        return Err("an object type Perch does not keep");
    }
    let uri = object
        .get("id")
        .and_then(Value::as_str)
        .and_then(http_url)
        .ok_or("the object has no usable id")?;
    let attributed_to = match object.get("attributedTo") {
        Some(Value::Array(items)) => items.first().and_then(id_of),
        other => single_id(other),
    };
    let mut content_html = object
        .get("content")
        .and_then(Value::as_str)
        .map(|html| sanitize_remote(prefix_chars(html, MAX_CONTENT_CHARS)))
        .unwrap_or_default();
    // Articles and pages carry a title; Mastodon shows it above the text too.
    if kind == "Article" || kind == "Page" {
        if let Some(title) = object.get("name").and_then(Value::as_str) {
            let title = escape(&plain_text(title, MAX_TITLE_CHARS));
            if !title.is_empty() {
                content_html = format!("<p><strong>{title}</strong></p>{content_html}");
            }
        }
    }
    let summary = object
        .get("summary")
        .and_then(Value::as_str)
        .map(|s| plain_text(s, MAX_SUMMARY_CHARS))
        .filter(|s| !s.is_empty());
    let mentions = match object.get("tag") {
        Some(Value::Array(tags)) => tags
            .iter()
            .take(MAX_TAGS)
            .filter(|tag| kind_is(tag, "Mention"))
            .filter_map(|tag| tag.get("href").and_then(id_of))
            .collect(),
        Some(tag) if kind_is(tag, "Mention") => {
            tag.get("href").and_then(id_of).into_iter().collect()
        }
        _ => Vec::new(),
    };
    Ok(Note {
        sensitive: object
            .get("sensitive")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            || summary.is_some(),
        uri,
        kind,
        attributed_to,
        url: link(object.get("url")),
        in_reply_to: single_id(object.get("inReplyTo")),
        content_html,
        summary,
        published: timestamp(object.get("published")),
        updated: timestamp(object.get("updated")),
        to: ids(object.get("to"), MAX_ADDRESSEES),
        cc: ids(object.get("cc"), MAX_ADDRESSEES),
        mentions,
        raw: capped_raw(object),
    })
}

fn kind_is(value: &Value, wanted: &str) -> bool {
    kind(value).as_deref() == Some(wanted)
}

impl Note {
    /// Mastodon's reading of the addressing: public, unlisted (public in cc), followers-only (the
    /// author's followers collection), else direct.
    pub fn visibility(&self, author: &Actor) -> Visibility {
        let all = || self.to.iter().chain(&self.cc);
        if self.to.iter().any(|a| is_public(a)) {
            Visibility::Public
        } else if self.cc.iter().any(|a| is_public(a)) {
            Visibility::Unlisted
        } else if author
            .followers_uri
            .as_ref()
            .is_some_and(|followers| all().any(|a| a == followers))
        {
            Visibility::Followers
        } else {
            Visibility::Direct
        }
    }

    /// The row to store for this post by `author`.
    pub fn to_row(&self, author: &Actor, now: Timestamp) -> NewRemotePost {
        NewRemotePost {
            uri: self.uri.clone(),
            actor_id: author.id,
            url: self.url.clone(),
            in_reply_to: self.in_reply_to.clone(),
            content_html: self.content_html.clone(),
            summary: self.summary.clone(),
            sensitive: self.sensitive,
            visibility: self.visibility(author),
            // A date in the future is the sender's clock or a trick: never later than now.
            published_at: self.published.map_or(now, |p| p.min(now)),
            updated_at: self.updated.map(|u| u.min(now)),
            raw: self.raw.clone(),
        }
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
/// or comes from someone we follow.
pub fn on_create(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
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
    let mentions_us = note.mentions.contains(&us) || note.to.contains(&us) || note.cc.contains(&us);
    let actor = cx.actor(conn, &activity.actor)?;
    if !reply_to_us && !mentions_us && !follows::is_following(conn, actor.id)? {
        return Ok(Outcome::Ignored(
            "a post not for us, by someone we do not follow",
        ));
    }
    let notification = if reply_to_us {
        Some(NotificationKind::Reply)
    } else {
        mentions_us.then_some(NotificationKind::Mention)
    };
    cx.apply(conn, |tx| {
        if !remote_posts::insert(tx, &note.to_row(&actor, cx.now), cx.now)? {
            return Ok(Outcome::Ignored("a post we hold already"));
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
        }
        Ok(Outcome::Applied)
    })
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
    cx.apply(conn, |tx| {
        let mut row = note.to_row(&actor, cx.now);
        row.updated_at = Some(row.updated_at.unwrap_or(cx.now));
        remote_posts::update(tx, &row, cx.now)?;
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
        if !remote_posts::delete(tx, &target, actor.id)? {
            return Ok(Outcome::Ignored("a Delete of a post we do not hold"));
        }
        interactions::delete_for_object(tx, &target)?;
        notifications::delete_for_object(tx, &target)?;
        Ok(Outcome::Applied)
    })
}
