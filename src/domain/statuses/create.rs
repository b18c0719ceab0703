//! Writing statuses from the API: now or at a time, once per `Idempotency-Key`, and editing
//! them. Every post is made by `domain::posts::publish_extra` and edited by `edit_extra`.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::domain::actors::Fetch;
use crate::domain::posts::{self, Compose, Extra, MediaChange, PostChanges};
use crate::error::{Error, Result};
use crate::model::{Post, Timestamp, Visibility};
use crate::store::{self, statuses as stored};
use crate::urls::Urls;

use super::scheduled::{self, ScheduledView};

/// A key is honoured for an hour, as Mastodon does.
const KEY_LIFETIME_MS: i64 = 60 * 60 * 1000;
/// Mastodon refuses times sooner than this.
pub const MIN_SCHEDULE_AHEAD_MS: i64 = 5 * 60 * 1000;
const MAX_KEY_BYTES: usize = 256;

/// A status as the API sends it (also what a scheduled status keeps, as JSON).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct NewStatus {
    pub text: String,
    pub visibility: Option<Visibility>,
    pub spoiler_text: Option<String>,
    pub sensitive: bool,
    pub in_reply_to_id: Option<i64>,
    pub media_ids: Vec<i64>,
    pub language: Option<String>,
    #[serde(default)]
    pub poll: Option<crate::domain::polls::NewPoll>,
}

/// What a create did.
pub enum Created {
    Posted(i64),
    Scheduled(ScheduledView),
}

/// The object id of the post `in_reply_to_id` names (ours, held, or a boost's target).
fn parent_uri(conn: &Connection, urls: &Urls, id: Option<i64>) -> Result<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) => super::uri_of(conn, urls, id).map(Some).map_err(|_| {
            Error::new(
                422,
                "Validation failed: the post replied to is not known here",
            )
        }),
    }
}

/// Publishes `new` now.
pub fn publish(
    conn: &mut Connection,
    urls: &Urls,
    remote: Option<&dyn Fetch>,
    new: &NewStatus,
    now: Timestamp,
) -> Result<Post> {
    let compose = Compose {
        source: new.text.clone(),
        summary: new.spoiler_text.clone(),
        visibility: new.visibility.unwrap_or(Visibility::Public),
        in_reply_to: parent_uri(conn, urls, new.in_reply_to_id)?,
    };
    let extra = Extra {
        uploads: &[],
        media_ids: &new.media_ids,
        sensitive: new.sensitive,
        language: new.language.as_deref(),
        poll: new.poll.as_ref(),
        ..Extra::default()
    };
    posts::publish_extra(conn, urls, remote, &compose, &extra, now)
}

/// Posts `new` now, or schedules it for `at`; a repeated `key` within the hour returns what the
/// first request made instead of posting again.
pub fn create(
    conn: &mut Connection,
    urls: &Urls,
    remote: Option<&dyn Fetch>,
    new: &NewStatus,
    at: Option<Timestamp>,
    key: Option<&str>,
    now: Timestamp,
) -> Result<Created> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return create_now_or_later(conn, urls, remote, new, at, now);
    };
    if key.len() > MAX_KEY_BYTES {
        return Err(Error::new(
            422,
            "Validation failed: the Idempotency-Key is too long",
        ));
    }
    let hash = crate::domain::token_hash(key);
    let since = Timestamp(now.0 - KEY_LIFETIME_MS);
    match store::write(conn, |tx| stored::reserve_key(tx, &hash, since, now))? {
        stored::KeyUse::Fresh => {}
        stored::KeyUse::Posted(id) => return Ok(Created::Posted(id)),
        stored::KeyUse::Scheduled(id) => {
            return Ok(Created::Scheduled(scheduled::get(conn, urls, id)?))
        }
        stored::KeyUse::Running => {
            return Err(Error::new(
                409,
                "a request with this Idempotency-Key is still being handled",
            ))
        }
    }
    let made = create_now_or_later(conn, urls, remote, new, at, now);
    store::write(conn, |tx| match &made {
        Ok(Created::Posted(id)) => stored::finish_key(tx, &hash, Some(*id), None),
        Ok(Created::Scheduled(view)) => stored::finish_key(tx, &hash, None, Some(view.id)),
        Err(_) => stored::release_key(tx, &hash),
    })?;
    made
}

fn create_now_or_later(
    conn: &mut Connection,
    urls: &Urls,
    remote: Option<&dyn Fetch>,
    new: &NewStatus,
    at: Option<Timestamp>,
    now: Timestamp,
) -> Result<Created> {
    match at {
        Some(at) => Ok(Created::Scheduled(scheduled::schedule(
            conn, urls, new, at, now,
        )?)),
        None => Ok(Created::Posted(publish(conn, urls, remote, new, now)?.id)),
    }
}

/// New alt text and focal point for one image: (id, description, focus).
pub type MediaAttribute = (i64, Option<String>, Option<(f64, f64)>);

/// An API edit: the new text, and the images the post should have (kept ones, with new alt
/// texts and focal points, and uploads to add).
#[derive(Clone, Debug, Default)]
pub struct StatusEdit {
    pub text: String,
    pub spoiler_text: Option<String>,
    pub sensitive: bool,
    /// The images the post keeps and gains, in order; None keeps them as they are.
    pub media_ids: Option<Vec<i64>>,
    /// (id, description, focus) for images named in `media_ids`.
    pub media_attributes: Vec<MediaAttribute>,
}

/// Edits one of our posts and sends the Update (`domain::posts::edit_extra`). Images keep their
/// order; new ones go after the kept ones.
pub fn edit(
    conn: &mut Connection,
    urls: &Urls,
    id: i64,
    change: &StatusEdit,
    now: Timestamp,
) -> Result<Post> {
    let post = crate::store::posts::get(conn, id)?.ok_or_else(Error::not_found)?;
    let wanted = change
        .media_ids
        .clone()
        .unwrap_or_else(|| post.media.iter().map(|m| m.id).collect());
    let attribute = |media_id: i64| change.media_attributes.iter().find(|a| a.0 == media_id);
    let media = post
        .media
        .iter()
        .map(|m| MediaChange {
            id: m.id,
            description: attribute(m.id)
                .and_then(|a| a.1.clone())
                .unwrap_or_else(|| m.description.clone()),
            remove: !wanted.contains(&m.id),
        })
        .collect();
    let added: Vec<i64> = wanted
        .iter()
        .copied()
        .filter(|w| !post.media.iter().any(|m| m.id == *w))
        .collect();
    // Alt texts and focal points of the uploads being added, before they are attached.
    for (media_id, description, focus) in &change.media_attributes {
        if added.contains(media_id) {
            super::super::media::describe(conn, *media_id, description.as_deref(), *focus)?;
        }
    }
    let changes = PostChanges {
        source: change.text.clone(),
        summary: change.spoiler_text.clone(),
        media,
        added: Vec::new(),
    };
    let extra = Extra {
        media_ids: &added,
        sensitive: change.sensitive,
        ..Extra::default()
    };
    let edited = posts::edit_extra(conn, urls, id, &changes, &extra, now)?;
    for (media_id, _, focus) in &change.media_attributes {
        if focus.is_some() && edited.media.iter().any(|m| m.id == *media_id) {
            super::super::media::describe(conn, *media_id, None, *focus)?;
        }
    }
    Ok(edited)
}
