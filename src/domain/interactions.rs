//! The owner liking and boosting posts (ours or others'), and taking it back.

use rusqlite::Connection;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::Timestamp;
use crate::store::interactions;
pub use crate::store::interactions::Kind;
use crate::store::{self, follows, remote_posts};
use crate::urls::Urls;

/// The author of a post we hold, with their inbox; None for our own posts.
pub(super) fn author_inbox(
    conn: &Connection,
    urls: &Urls,
    object_uri: &str,
) -> Result<Option<(String, String)>> {
    if object_uri.starts_with(&format!("{}/", urls.origin())) {
        return Ok(None);
    }
    let post = remote_posts::get_by_uri(conn, object_uri)?.ok_or_else(|| {
        Error::new(
            404,
            "that post is not known here; open it through the search first",
        )
    })?;
    Ok(Some((post.actor.uri, post.actor.inbox)))
}

pub fn like(conn: &mut Connection, urls: &Urls, object_uri: &str, now: Timestamp) -> Result<()> {
    let author = author_inbox(conn, urls, object_uri)?;
    store::write(conn, |tx| {
        let id = urls.activity(store::new_id(now));
        if interactions::insert(tx, Kind::Like, None, object_uri, &id, now)?.is_none() {
            return Ok(());
        }
        if let Some((author_uri, inbox)) = &author {
            let like = build::like(urls, &id, object_uri, author_uri);
            delivery::enqueue(tx, &like, std::slice::from_ref(inbox), urls.origin(), now)?;
        }
        Ok(())
    })
}

pub fn boost(conn: &mut Connection, urls: &Urls, object_uri: &str, now: Timestamp) -> Result<()> {
    let author = author_inbox(conn, urls, object_uri)?;
    store::write(conn, |tx| {
        let id = urls.activity(store::new_id(now));
        if interactions::insert(tx, Kind::Announce, None, object_uri, &id, now)?.is_none() {
            return Ok(());
        }
        let author_uri = author
            .as_ref()
            .map_or_else(|| urls.actor(), |(uri, _)| uri.clone());
        let announce = build::announce(urls, &id, object_uri, &author_uri, now);
        let mut inboxes = follows::follower_inboxes(tx)?;
        inboxes.extend(author.as_ref().map(|(_, inbox)| inbox.clone()));
        delivery::enqueue(tx, &announce, &inboxes, urls.origin(), now)?;
        Ok(())
    })
}

/// Takes back a like or boost, sending an Undo to whoever got the original.
pub fn undo(
    conn: &mut Connection,
    urls: &Urls,
    kind: Kind,
    object_uri: &str,
    now: Timestamp,
) -> Result<()> {
    let author = author_inbox(conn, urls, object_uri)?;
    store::write(conn, |tx| {
        let Some(id) = interactions::own_activity(tx, kind, object_uri)? else {
            return Ok(());
        };
        interactions::delete_own(tx, kind, object_uri)?;
        let author_uri = author
            .as_ref()
            .map_or_else(|| urls.actor(), |(uri, _)| uri.clone());
        let author_inbox = author.as_ref().map(|(_, inbox)| inbox.clone());
        match kind {
            Kind::Like => {
                let undo = build::undo_like(urls, &id, object_uri, &author_uri);
                let inboxes: Vec<String> = author_inbox.into_iter().collect();
                delivery::enqueue(tx, &undo, &inboxes, urls.origin(), now)?;
            }
            Kind::Announce => {
                let undo = build::undo_announce(urls, &id, object_uri, &author_uri, now);
                let mut inboxes = follows::follower_inboxes(tx)?;
                inboxes.extend(author_inbox);
                delivery::enqueue(tx, &undo, &inboxes, urls.origin(), now)?;
            }
        }
        Ok(())
    })
}
