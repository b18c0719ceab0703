//! Backfill and whole threads: an accepted follow reads the account's outbox, a profile the
//! owner looks at is filled from it, a thread the owner opens gets its missing ancestors and
//! replies, and a reply forwarded to us is fetched from its origin.
//!
//! Only the owner's actions and accepted follows open a request (a visitor's page view never
//! does); each request queues single GETs in `store::fetches`, done by the [`worker`] within a
//! per-host and an overall budget. Every post comes in through `domain::importer`, the one path
//! that fetches a remote object, proves its origin and stores it.

mod polite;
mod steps;
pub mod worker;

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::vocab::{authority, collection_link, embedded_collection, First};
use crate::model::{Actor, Timestamp};
use crate::store::fetches::{self, RequestKind};
use crate::store::moderation::{self, Restriction};
use crate::store::{actors, remote_posts, settings};
use crate::urls::Urls;

use super::timeline::{self, Shown};

pub use worker::{spawn, RunReport, Worker};

/// Posts and boosts kept from a newly followed account's outbox.
pub const FOLLOW_POSTS: i64 = 20;
/// A profile is filled from its outbox when we hold fewer posts than this.
pub const PROFILE_POSTS: i64 = 20;
/// Most posts one opened thread may bring in.
pub const THREAD_POSTS: i64 = 200;
/// Most ancestors walked up by `inReplyTo`.
pub const MAX_ANCESTORS: i64 = 30;
/// Most levels of `replies` collections walked down.
pub const MAX_REPLY_LEVELS: i64 = 3;
/// A profile or thread is asked again at most this often.
const REFRESH_MS: i64 = 15 * 60_000;
/// The settings key of the switch; absent means on.
const ENABLED: &str = "backfill_enabled";

/// What one queued GET is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// An outbox, or one of its pages.
    Outbox,
    /// An account's pinned posts.
    Featured,
    /// A post above the thread, by `inReplyTo`; its level is its distance from the focus.
    Ancestor,
    /// A post found in a `replies` or `context` collection; its level is that collection's.
    Reply,
    /// A `replies` collection or page.
    Replies,
    /// A `context` collection or page (FEP-f228).
    Context,
    /// An object forwarded to our inbox by another server.
    Forwarded,
}

impl Step {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Step::Outbox => "outbox",
            Step::Featured => "featured",
            Step::Ancestor => "ancestor",
            Step::Reply => "reply",
            Step::Replies => "replies",
            Step::Context => "context",
            Step::Forwarded => "forwarded",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Step> {
        [
            Step::Outbox,
            Step::Featured,
            Step::Ancestor,
            Step::Reply,
            Step::Replies,
            Step::Context,
            Step::Forwarded,
        ]
        .into_iter()
        .find(|step| step.as_str() == text)
    }
}

/// Whether backfill is switched on (it is unless the owner turned it off).
pub fn enabled(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(settings::get(conn, ENABLED)?.as_deref() != Some(b"0"))
}

/// The owner's switch on the settings page.
pub fn set_enabled(conn: &Connection, on: bool) -> rusqlite::Result<()> {
    settings::set(conn, ENABLED, if on { b"1" } else { b"0" })
}

/// The settings page: the profile, the switch, and the GETs queued in all.
pub fn settings(
    conn: &Connection,
    username: &str,
) -> crate::error::Result<(crate::model::Profile, bool, u64)> {
    Ok((
        super::profile::get(conn, username)?,
        enabled(conn)?,
        fetches::pending(conn)?,
    ))
}

/// GETs still queued for `subject` (a post's id for its thread, an actor's for its profile and
/// follow): the "fetching n more posts" mark.
pub fn pending_for(conn: &Connection, subject: &str) -> rusqlite::Result<u64> {
    fetches::pending_for(conn, subject)
}

/// Whether nothing may be fetched for this account: blocked, or on a blocked domain.
fn shut_out(conn: &Connection, actor: &Actor) -> rusqlite::Result<bool> {
    Ok(moderation::has(conn, actor.id, Restriction::Block)?
        || actors::is_domain_blocked(conn, &actor.domain)?)
}

/// A collection URL named in an actor's document (`outbox`, `featured`).
fn actor_collection(
    conn: &Connection,
    actor: &Actor,
    field: &str,
) -> rusqlite::Result<Option<String>> {
    let raw = actors::raw(conn, actor.id)?.unwrap_or_default();
    let document: Value = serde_json::from_str(&raw).unwrap_or_default();
    Ok(collection_link(&document, field).filter(|url| authority(url).is_some()))
}

/// Queues `url` for `request` (its host read from it); false when it has no host.
fn queue(
    conn: &Connection,
    request: i64,
    step: Step,
    url: &str,
    level: i64,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let Some(host) = authority(url) else {
        return Ok(false);
    };
    fetches::enqueue(conn, request, step.as_str(), url, &host, level, now)
}

/// A follow of `actor` was accepted: read its outbox for its recent posts and boosts (called
/// in the transaction that records the Accept). False when nothing was queued.
pub fn request_follow(conn: &Connection, actor: &Actor, now: Timestamp) -> rusqlite::Result<bool> {
    if !enabled(conn)? || shut_out(conn, actor)? {
        return Ok(false);
    }
    let Some(outbox) = actor_collection(conn, actor, "outbox")? else {
        return Ok(false);
    };
    let not_before = Timestamp(now.0 - REFRESH_MS);
    let kind = RequestKind::Follow;
    let Some(request) =
        fetches::open_request(conn, kind, &actor.uri, FOLLOW_POSTS, not_before, now)?
    else {
        return Ok(false);
    };
    queue(conn, request, Step::Outbox, &outbox, 0, now)
}

/// The owner looks at a remote profile: when we hold fewer than [`PROFILE_POSTS`] of its posts,
/// its outbox is read (at most every 15 minutes), and its pinned posts every time it is.
pub fn request_account(
    conn: &Connection,
    actor_uri: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let Some(actor) = actors::get_by_uri(conn, actor_uri)? else {
        return Ok(false);
    };
    if !enabled(conn)? || shut_out(conn, &actor)? {
        return Ok(false);
    }
    let held = remote_posts::by_actor(conn, actor.id, None, PROFILE_POSTS as usize)?.len();
    let outbox =
        actor_collection(conn, &actor, "outbox")?.filter(|_| held < PROFILE_POSTS as usize);
    let featured = actor_collection(conn, &actor, "featured")?;
    if outbox.is_none() && featured.is_none() {
        return Ok(false);
    }
    let not_before = Timestamp(now.0 - REFRESH_MS);
    let kind = RequestKind::Profile;
    let Some(request) =
        fetches::open_request(conn, kind, &actor.uri, PROFILE_POSTS, not_before, now)?
    else {
        return Ok(false);
    };
    let mut queued = false;
    if let Some(url) = featured {
        queued |= queue(conn, request, Step::Featured, &url, 0, now)?;
    }
    if let Some(url) = outbox {
        queued |= queue(conn, request, Step::Outbox, &url, 0, now)?;
    }
    Ok(queued)
}

/// The owner opens the thread around `post_uri` (a post we hold): its missing ancestors are
/// fetched by `inReplyTo`, and its replies from its `context` collection when it has one, else
/// by walking `replies` collections breadth first. At most every 15 minutes per post.
pub fn request_thread(
    conn: &Connection,
    urls: &Urls,
    post_uri: &str,
    now: Timestamp,
) -> crate::error::Result<bool> {
    let Some(focus) = timeline::find(conn, urls, post_uri)? else {
        return Ok(false);
    };
    if !enabled(conn)? {
        return Ok(false);
    }
    let not_before = Timestamp(now.0 - REFRESH_MS);
    let kind = RequestKind::Thread;
    let Some(request) = fetches::open_request(conn, kind, post_uri, THREAD_POSTS, not_before, now)?
    else {
        return Ok(false);
    };
    // Up the chain as far as we hold it; the first missing parent is fetched.
    let mut parent = parent_of(&focus);
    let mut level = 1;
    while let Some(uri) = parent.take() {
        if level > MAX_ANCESTORS {
            break;
        }
        match timeline::find(conn, urls, &uri)? {
            Some(above) => parent = parent_of(&above),
            None => {
                queue(conn, request, Step::Ancestor, &uri, level, now)?;
            }
        }
        level += 1;
    }
    match &focus {
        Shown::Remote(post) => {
            let raw = stored_object(conn, &post.uri)?;
            match collection_link(&raw, "context") {
                Some(context) => {
                    queue(conn, request, Step::Context, &context, 0, now)?;
                }
                None => {
                    queue_replies(conn, request, &raw, 1, now)?;
                }
            }
        }
        // Replies to our posts reach us by push; what is missing are the replies to those.
        Shown::Own(_) => {
            for reply in remote_posts::replies_to(conn, post_uri, false)? {
                let raw = stored_object(conn, &reply.uri)?;
                queue_replies(conn, request, &raw, 2, now)?;
            }
        }
    }
    Ok(true)
}

/// An object another server forwarded to our inbox (a reply, as Mastodon forwards them to the
/// followers of the thread's author): fetched from its own origin, never taken from the body.
pub fn request_forwarded(
    conn: &Connection,
    object_uri: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    if !enabled(conn)? {
        return Ok(false);
    }
    let not_before = Timestamp(now.0 - 3_600_000);
    let kind = RequestKind::Forwarded;
    let Some(request) = fetches::open_request(conn, kind, object_uri, 1, not_before, now)? else {
        return Ok(false);
    };
    queue(conn, request, Step::Forwarded, object_uri, 0, now)
}

fn parent_of(shown: &Shown) -> Option<String> {
    match shown {
        Shown::Own(post) => post.in_reply_to.clone(),
        Shown::Remote(post) => post.in_reply_to.clone(),
    }
}

/// The stored JSON of a remote post (Null when we do not hold it).
fn stored_object(conn: &Connection, uri: &str) -> rusqlite::Result<Value> {
    let raw = remote_posts::raw(conn, uri)?.unwrap_or_default();
    Ok(serde_json::from_str(&raw).unwrap_or_default())
}

/// Queues what a post's `replies` names, at `level`: the items of an embedded first page (as
/// Mastodon embeds it) and its next page, or the collection's URL.
fn queue_replies(
    conn: &Connection,
    request: i64,
    object: &Value,
    level: i64,
    now: Timestamp,
) -> rusqlite::Result<()> {
    if level > MAX_REPLY_LEVELS {
        return Ok(());
    }
    let embedded = embedded_collection(object, "replies");
    let page = match embedded.as_ref().and_then(|c| c.first.as_ref()) {
        Some(First::Embedded(page)) => Some(page.as_ref()),
        Some(First::Url(url)) => {
            queue(conn, request, Step::Replies, url, level, now)?;
            return Ok(());
        }
        None => embedded.as_ref().filter(|c| !c.items.is_empty()),
    };
    match page {
        Some(page) => {
            for item in &page.items {
                if let Some(id) = crate::federation::vocab::id_of(item) {
                    queue(conn, request, Step::Reply, &id, level, now)?;
                }
            }
            if let Some(next) = &page.next {
                queue(conn, request, Step::Replies, next, level, now)?;
            }
        }
        None => {
            if let Some(url) = collection_link(object, "replies") {
                queue(conn, request, Step::Replies, &url, level, now)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
