//! One queued GET, done: what it fetched is read, the posts in it stored through the importer,
//! and the GETs it leads to returned for the queue.

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::vocab::{
    addressees, collection_link, id_of, is_public, kind, parse_collection, single_id, timestamp,
    Collection, First,
};
use crate::model::{Timestamp, Visibility};
use crate::store::fetches::{self, Pending, RequestKind};
use crate::store::interactions::{self, Kind};
use crate::store::moderation::{self, Restriction};
use crate::store::remote_posts::{self, NewRemotePost};
use crate::store::{actors, follows};
use crate::urls::Urls;

use super::super::actors::Fetch;
use super::super::importer::{self, Refused};
use super::super::timeline;
use super::{stored_object, Step, MAX_ANCESTORS, MAX_REPLY_LEVELS};

/// Most pinned posts read from a `featured` collection.
const MAX_PINS: usize = 10;

/// What a step did: the GETs it leads to (step, URL, level), the posts it stored, and what it
/// takes from its request's budget of posts (an outbox counts the posts it read, held or not).
#[derive(Debug, Default)]
pub struct Done {
    pub children: Vec<(Step, String, i64)>,
    pub stored: i64,
    pub spent: i64,
}

/// Why a step brought nothing (for the log).
pub type Failed = String;

pub struct Cx<'a> {
    pub conn: &'a Connection,
    pub remote: &'a dyn Fetch,
    pub urls: &'a Urls,
    pub job: &'a Pending,
    pub now: Timestamp,
}

pub fn run(cx: &Cx, step: Step) -> Result<Done, Failed> {
    let mut done = Done::default();
    match step {
        Step::Outbox => outbox(cx, &mut done)?,
        Step::Featured => featured(cx)?,
        Step::Ancestor => ancestor(cx, &mut done)?,
        Step::Reply => reply(cx, &mut done)?,
        Step::Replies => replies(cx, &mut done)?,
        Step::Context => context(cx, &mut done)?,
        Step::Forwarded => forwarded(cx, &mut done)?,
    }
    Ok(done)
}

fn database(e: rusqlite::Error) -> Failed {
    format!("database: {e}")
}

/// The collection at the job's URL.
fn collection(cx: &Cx) -> Result<Collection, Failed> {
    let document = cx
        .remote
        .get_activity(&cx.job.url)
        .map_err(|e| e.to_string())?;
    parse_collection(&document).map_err(str::to_string)
}

/// The page to read: the collection itself when it holds items, else its embedded first page
/// (a first page to fetch is queued as `step`).
fn first_page(cx: &Cx, collection: Collection, step: Step, done: &mut Done) -> Option<Collection> {
    if !collection.items.is_empty() || collection.first.is_none() {
        return Some(collection);
    }
    match collection.first? {
        First::Embedded(page) => Some(*page),
        First::Url(url) => {
            done.children.push((step, url, cx.job.level));
            None
        }
    }
}

/// Stores a post unless it is not for everyone or its author is blocked. True when it is new.
/// A post kept for a thread or profile by someone we do not follow stays off the home timeline.
fn keep(cx: &Cx, row: &NewRemotePost) -> Result<bool, Failed> {
    if !matches!(row.visibility, Visibility::Public | Visibility::Unlisted) {
        return Ok(false);
    }
    let conn = cx.conn;
    if moderation::has(conn, row.actor_id, Restriction::Block).map_err(database)? {
        return Ok(false);
    }
    if !remote_posts::insert(conn, row, cx.now).map_err(database)? {
        return Ok(false);
    }
    let followed = follows::is_following(conn, row.actor_id).map_err(database)?;
    if cx.job.kind != RequestKind::Follow && !followed {
        if let Some(post) = remote_posts::get_by_uri(conn, &row.uri).map_err(database)? {
            fetches::mark_context(conn, post.id).map_err(database)?;
        }
    }
    Ok(true)
}

fn refused(e: Refused) -> Failed {
    e.to_string()
}

/// The actor whose outbox or featured this is (the request's subject), when we hold it.
fn subject_actor(cx: &Cx) -> Result<crate::model::Actor, Failed> {
    actors::get_by_uri(cx.conn, &cx.job.subject)
        .map_err(database)?
        .ok_or_else(|| "the account is gone".to_string())
}

/// An outbox page: its Creates and Announces, newest first, until the request has its posts.
fn outbox(cx: &Cx, done: &mut Done) -> Result<(), Failed> {
    let owner = subject_actor(cx)?;
    let Some(page) = first_page(cx, collection(cx)?, Step::Outbox, done) else {
        return Ok(());
    };
    // The account's own Creates and public Announces, newest first, as many as are wanted.
    let wanted = usize::try_from(cx.job.posts_left).unwrap_or(0);
    let items: Vec<&Value> = page
        .items
        .iter()
        .filter(|item| single_id(item.get("actor")).as_deref() == Some(owner.uri.as_str()))
        .filter(|item| match kind(item).as_deref() {
            Some("Create") => true,
            Some("Announce") => addressees(item).iter().any(|a| is_public(a)),
            _ => false,
        })
        .take(wanted)
        .collect();
    // Stored oldest first: posts published in the same second then keep their order by id.
    for item in items.iter().rev() {
        done.stored += i64::from(match kind(item).as_deref() {
            Some("Create") => outbox_post(cx, &owner, item)?,
            _ => outbox_boost(cx, &owner, item)?,
        });
    }
    done.spent = items.len() as i64;
    if items.len() < wanted {
        if let Some(next) = page.next {
            done.children.push((Step::Outbox, next, 0));
        }
    }
    Ok(())
}

/// A Create from an outbox: its post, when it is the account's own.
fn outbox_post(cx: &Cx, owner: &crate::model::Actor, item: &Value) -> Result<bool, Failed> {
    let Some(object) = item.get("object") else {
        return Ok(false);
    };
    match importer::adopt(cx.conn, cx.remote, cx.urls, object, &cx.job.url, cx.now) {
        Ok(row) if row.actor_id == owner.id => keep(cx, &row),
        _ => Ok(false),
    }
}

/// An Announce from an outbox: the boosted post (fetched from its own origin) and the boost,
/// dated as it was made.
fn outbox_boost(cx: &Cx, owner: &crate::model::Actor, item: &Value) -> Result<bool, Failed> {
    let (Some(id), Some(target)) = (id_of(item), single_id(item.get("object"))) else {
        return Ok(false);
    };
    let held = timeline::find(cx.conn, cx.urls, &target).map_err(|e| e.message)?;
    if held.is_none() {
        let Ok(row) = importer::fetch(cx.conn, cx.remote, cx.urls, &target, cx.now) else {
            return Ok(false);
        };
        if !keep(cx, &row)? {
            return Ok(false);
        }
        // The boosted post shows as the boost, not on its own.
        if let Some(post) = remote_posts::get_by_uri(cx.conn, &target).map_err(database)? {
            if !follows::is_following(cx.conn, post.actor.id).map_err(database)? {
                fetches::mark_context(cx.conn, post.id).map_err(database)?;
            }
        }
    }
    let at = timestamp(item.get("published")).map_or(cx.now, |p| p.min(cx.now));
    interactions::insert(cx.conn, Kind::Announce, Some(owner.id), &target, &id, at)
        .map(|inserted| inserted.is_some())
        .map_err(database)
}

/// An account's pinned posts, stored and remembered in order.
fn featured(cx: &Cx) -> Result<(), Failed> {
    let owner = subject_actor(cx)?;
    let collection = collection(cx)?;
    let page = match collection.first {
        Some(First::Embedded(page)) if collection.items.is_empty() => *page,
        _ => collection,
    };
    let mut pinned = Vec::new();
    for object in page.items.iter().take(MAX_PINS) {
        let Ok(row) = importer::adopt(cx.conn, cx.remote, cx.urls, object, &cx.job.url, cx.now)
        else {
            continue;
        };
        if row.actor_id == owner.id {
            keep(cx, &row)?;
            pinned.push(row.uri);
        }
    }
    fetches::set_pins(cx.conn, owner.id, &pinned).map_err(database)
}

/// A post above the thread; then its parent, while we do not hold it.
fn ancestor(cx: &Cx, done: &mut Done) -> Result<(), Failed> {
    let url = &cx.job.url;
    let row = importer::fetch(cx.conn, cx.remote, cx.urls, url, cx.now).map_err(refused)?;
    done.stored += i64::from(keep(cx, &row)?);
    if let Some(parent) = row.in_reply_to {
        let held = timeline::find(cx.conn, cx.urls, &parent).map_err(|e| e.message)?;
        if held.is_none() && cx.job.level < MAX_ANCESTORS {
            done.children
                .push((Step::Ancestor, parent, cx.job.level + 1));
        }
    }
    Ok(())
}

/// A post from a `replies` or `context` collection; then its own replies, a level down.
fn reply(cx: &Cx, done: &mut Done) -> Result<(), Failed> {
    let url = &cx.job.url;
    let held = remote_posts::raw(cx.conn, url).map_err(database)?.is_some();
    if !held {
        let row = importer::fetch(cx.conn, cx.remote, cx.urls, url, cx.now).map_err(refused)?;
        if !keep(cx, &row)? {
            return Ok(());
        }
        done.stored += 1;
    }
    let object = stored_object(cx.conn, url).map_err(database)?;
    replies_of(&object, cx.job.level + 1, done);
    Ok(())
}

/// What a post's `replies` names, a level down: the items of an embedded first page and its next
/// page, or the collection to fetch.
fn replies_of(object: &Value, level: i64, done: &mut Done) {
    if level > MAX_REPLY_LEVELS {
        return;
    }
    match crate::federation::vocab::embedded_collection(object, "replies") {
        Some(Collection {
            first: Some(First::Embedded(page)),
            ..
        }) => page_items(&page, Step::Replies, level, done),
        Some(Collection {
            first: Some(First::Url(url)),
            ..
        }) => done.children.push((Step::Replies, url, level)),
        Some(collection) if !collection.items.is_empty() => {
            page_items(&collection, Step::Replies, level, done)
        }
        _ => {
            if let Some(url) = collection_link(object, "replies") {
                done.children.push((Step::Replies, url, level));
            }
        }
    }
}

/// The posts of a page (queued one by one) and its next page.
fn page_items(page: &Collection, step: Step, level: i64, done: &mut Done) {
    for item in &page.items {
        // A Create in a context collection stands for its object.
        let object = match kind(item).as_deref() {
            Some("Create") => item.get("object").unwrap_or(item),
            _ => item,
        };
        if let Some(id) = id_of(object) {
            done.children.push((Step::Reply, id, level));
        }
    }
    if let Some(next) = &page.next {
        done.children.push((step, next.clone(), level));
    }
}

/// A `replies` collection or page.
fn replies(cx: &Cx, done: &mut Done) -> Result<(), Failed> {
    let Some(page) = first_page(cx, collection(cx)?, Step::Replies, done) else {
        return Ok(());
    };
    page_items(&page, Step::Replies, cx.job.level, done);
    Ok(())
}

/// A `context` collection (FEP-f228): the whole conversation in one place. Its posts are not
/// walked further. When it is not one, the focus's `replies` are walked instead.
fn context(cx: &Cx, done: &mut Done) -> Result<(), Failed> {
    let page = match collection(cx) {
        Ok(collection) => first_page(cx, collection, Step::Context, done),
        Err(why) if cx.job.level == 0 => {
            let focus = stored_object(cx.conn, &cx.job.subject).map_err(database)?;
            replies_of(&focus, 1, done);
            crate::log::info(
                "backfill",
                "no context collection; walking replies",
                &[("why", &why)],
            );
            return Ok(());
        }
        Err(why) => return Err(why),
    };
    if let Some(page) = page {
        page_items(&page, Step::Context, MAX_REPLY_LEVELS, done);
    }
    Ok(())
}

/// A forwarded object, fetched from its origin: kept when it replies to a post we hold.
fn forwarded(cx: &Cx, done: &mut Done) -> Result<(), Failed> {
    let row = importer::fetch(cx.conn, cx.remote, cx.urls, &cx.job.url, cx.now).map_err(refused)?;
    let Some(parent) = &row.in_reply_to else {
        return Err("the forwarded object replies to nothing".into());
    };
    if timeline::find(cx.conn, cx.urls, parent)
        .map_err(|e| e.message)?
        .is_none()
    {
        return Err("the forwarded object replies to a post we do not hold".into());
    }
    done.stored += i64::from(keep(cx, &row)?);
    Ok(())
}
