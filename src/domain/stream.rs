//! Live updates for the streaming API: one in-process hub that the domain publishes to once a
//! change is committed (a post stored, edited or deleted, a notification), and what each kind of
//! stream shows of such a change. Every writer in the server process (web page, API, inbox
//! worker, scheduled posts) goes through the domain functions that publish; a CLI process has no
//! listeners, so its publishing costs nothing.
//!
//! Events carry only ids: a connection looks the change up through the same timeline queries
//! the API's timelines use, so a stream never shows what the timeline would hide.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use rusqlite::Connection;
use tokio::sync::broadcast;

use crate::error::Result;
use crate::model::{Entry, Extras, Range};
use crate::urls::Urls;

use super::notifications::{self, Listed, Query};
use super::timeline::{self, Feed};

/// A committed change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A post was stored (ours, or one we now hold): its object id.
    Posted(Arc<str>),
    /// A post we hold or wrote was edited: its object id.
    Edited(Arc<str>),
    /// Someone we follow boosted a post: the boost's id, its entry's in the timelines.
    Boosted(i64),
    /// A status was deleted: its API id.
    Deleted(i64),
    /// New notifications may be there: streams read past the newest they sent.
    Notified,
}

/// Events a listener may fall behind by before it is dropped as too slow.
pub const BACKLOG: usize = 256;
/// Open streaming connections at most: a single owner's apps need a handful.
pub const MAX_LISTENERS: usize = 64;

struct Hub {
    sender: broadcast::Sender<Event>,
    listeners: AtomicUsize,
}

fn hub() -> &'static Hub {
    static HUB: OnceLock<Hub> = OnceLock::new();
    HUB.get_or_init(|| Hub {
        sender: broadcast::channel(BACKLOG).0,
        listeners: AtomicUsize::new(0),
    })
}

/// Tells every connected stream about a committed change. Never blocks: a listener that fell
/// `BACKLOG` events behind finds out on its next receive.
pub fn publish(event: Event) {
    // An error only means nobody listens.
    let _ = hub().sender.send(event);
}

/// One connection's place on the hub; leaving the count when dropped.
pub struct Listener {
    pub events: broadcast::Receiver<Event>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        hub().listeners.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A new listener, or None when `MAX_LISTENERS` are connected already.
pub fn listen() -> Option<Listener> {
    let hub = hub();
    let taken = hub
        .listeners
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < MAX_LISTENERS).then_some(n + 1)
        });
    taken.ok().map(|_| Listener {
        events: hub.sender.subscribe(),
    })
}

/// What a client can subscribe to, by Mastodon's stream names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stream {
    User,
    UserNotification,
    Public { local: bool, remote: bool },
    Hashtag { tag: String, local: bool },
    List(i64),
}

impl Stream {
    /// The stream a name (and its `tag` or `list` parameter) names; None for unknown names.
    pub fn parse(name: &str, tag: Option<&str>, list: Option<i64>) -> Option<Stream> {
        let tag_of = || {
            tag.and_then(|t| super::lists::tag_name(t).ok())
                .map(|t| t.to_lowercase())
        };
        Some(match name {
            "user" => Stream::User,
            "user:notification" => Stream::UserNotification,
            "public" => Stream::Public {
                local: false,
                remote: false,
            },
            "public:local" => Stream::Public {
                local: true,
                remote: false,
            },
            "public:remote" => Stream::Public {
                local: false,
                remote: true,
            },
            "hashtag" => Stream::Hashtag {
                tag: tag_of()?,
                local: false,
            },
            "hashtag:local" => Stream::Hashtag {
                tag: tag_of()?,
                local: true,
            },
            "list" => Stream::List(list?),
            _ => return None,
        })
    }

    /// Mastodon's `stream` array for events of this stream.
    pub fn names(&self) -> Vec<String> {
        match self {
            Stream::User => vec!["user".into()],
            Stream::UserNotification => vec!["user:notification".into()],
            Stream::Public {
                local: true,
                remote: _,
            } => vec!["public:local".into()],
            Stream::Public {
                local: false,
                remote: true,
            } => vec!["public:remote".into()],
            Stream::Public { .. } => vec!["public".into()],
            Stream::Hashtag { tag, local } => vec![
                if *local { "hashtag:local" } else { "hashtag" }.into(),
                tag.clone(),
            ],
            Stream::List(id) => vec!["list".into(), id.to_string()],
        }
    }

    /// Whether notifications go out on this stream (Mastodon sends them on `user` too).
    pub fn has_notifications(&self) -> bool {
        matches!(self, Stream::User | Stream::UserNotification)
    }

    /// Whether statuses go out on this stream.
    pub fn has_statuses(&self) -> bool {
        !matches!(self, Stream::UserNotification)
    }

    fn feed(&self) -> Option<Feed<'_>> {
        Some(match self {
            Stream::User => Feed::Home,
            Stream::UserNotification => return None,
            Stream::Public { local, remote } => Feed::Public {
                local: *local,
                remote: *remote,
                only_media: false,
            },
            Stream::Hashtag { tag, local } => Feed::Tag {
                name: tag,
                local: *local,
                remote: false,
                only_media: false,
            },
            Stream::List(id) => Feed::List(*id),
        })
    }
}

/// Whether the list exists (a `list` stream of another id is refused, as Mastodon does).
pub fn list_exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(super::lists::get(conn, id).is_ok())
}

/// The post `uri` names as the stream's timeline shows it, or None when that timeline would not
/// show it (another audience, a muted author, a filtered word, not a member of the list).
pub fn entry_in(
    conn: &Connection,
    urls: &Urls,
    stream: &Stream,
    uri: &str,
) -> Result<Option<(Entry, Extras)>> {
    let id = match timeline::find(conn, urls, uri)? {
        Some(timeline::Shown::Own(post)) => post.id,
        Some(timeline::Shown::Remote(post)) => post.id,
        None => return Ok(None),
    };
    entry_at(conn, urls, stream, id)
}

/// The stream's entry of timeline id `id` (a post's, or a boost's), if its feed shows it.
pub fn entry_at(
    conn: &Connection,
    urls: &Urls,
    stream: &Stream,
    id: i64,
) -> Result<Option<(Entry, Extras)>> {
    let Some(feed) = stream.feed() else {
        return Ok(None);
    };
    let range = Range {
        max_id: id.checked_add(1),
        since_id: Some(id - 1),
        limit: 1,
        ..Default::default()
    };
    let (entries, _) = timeline::feeds::entries(conn, urls, feed, &range)?;
    let Some(entry) = entries.into_iter().find(|e| e.id == id) else {
        return Ok(None);
    };
    let extras = super::statuses::extras_for(conn, urls, std::slice::from_ref(&entry))?
        .pop()
        .unwrap_or_default();
    Ok(Some((entry, extras)))
}

/// The newest notification's id (0 when there is none): where a new stream starts reading.
pub fn newest_notification(conn: &Connection, urls: &Urls, username: &str) -> Result<i64> {
    let range = Range {
        limit: 1,
        ..Default::default()
    };
    let listed = notifications::listed(conn, urls, username, &Query::default(), &range)?;
    Ok(listed.items.first().map_or(0, |item| item.notification.id))
}

/// Notifications newer than `after`, oldest first (at most 40 per call).
pub fn notifications_after(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    after: i64,
) -> Result<Listed> {
    let range = Range {
        min_id: Some(after),
        limit: 40,
        ..Default::default()
    };
    let mut listed = notifications::listed(conn, urls, username, &Query::default(), &range)?;
    listed.items.sort_by_key(|item| item.notification.id);
    Ok(listed)
}

#[cfg(test)]
mod tests;
