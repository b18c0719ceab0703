//! The owner's notifications: a page of them, which marks the newest read, and the unread count
//! the navigation shows.

use rusqlite::Connection;

use crate::error::Result;
use crate::model::{
    Actor, Entry, Extras, Notification, NotificationKind, NotificationsPage, Range, Shown,
    Timestamp,
};
use crate::store::{actors, notifications};
use crate::urls::Urls;

use super::profile;
use super::timeline::{self, Owner};

/// One page, newest first, older than `max_id` when given. Seeing the newest page marks
/// everything on it read.
pub fn page(
    conn: &Connection,
    username: &str,
    max_id: Option<i64>,
    limit: usize,
    now: Timestamp,
) -> Result<NotificationsPage> {
    let mut items = notifications::list(conn, max_id, limit + 1)?;
    if max_id.is_none() {
        notifications::mark_read(conn, items.first().map(|n| n.id), now)?;
    }
    let older = (items.len() > limit).then(|| items[limit - 1].id);
    items.truncate(limit);
    Ok(NotificationsPage {
        profile: profile::get(conn, username)?,
        items,
        older,
    })
}

/// How many notifications the owner has not seen.
pub fn unread(conn: &Connection) -> Result<u64> {
    Ok(notifications::unread_count(conn)?)
}

/// Mastodon has no reactions; Pleroma's and Akkoma's type for them is what their apps read.
pub const REACTION_TYPE: &str = "pleroma:emoji_reaction";

/// Mastodon's notification type for one of our kinds: the inverse of [`kinds_of_type`], shared
/// by the API's entities, the streams and Web Push.
pub fn mastodon_type(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Follow => "follow",
        NotificationKind::FollowRequest => "follow_request",
        NotificationKind::Mention | NotificationKind::Reply => "mention",
        NotificationKind::Like => "favourite",
        NotificationKind::Announce => "reblog",
        NotificationKind::Status => "status",
        NotificationKind::Poll => "poll",
        NotificationKind::Move => "move",
        NotificationKind::Report => "admin.report",
        NotificationKind::Reaction => REACTION_TYPE,
    }
}

/// Perch's kinds behind one of Mastodon's notification types (`mention` covers replies too).
pub fn kinds_of_type(mastodon: &str) -> &'static [&'static str] {
    match mastodon {
        "follow" => &["follow"],
        "follow_request" => &["follow_request"],
        "mention" => &["mention", "reply"],
        "favourite" => &["like"],
        "reblog" => &["announce"],
        "status" => &["status"],
        "admin.report" => &["report"],
        "move" => &["move"],
        "poll" => &["poll"],
        REACTION_TYPE => &["reaction"],
        _ => &[],
    }
}

/// What an API list of notifications asks for: Mastodon type names.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub types: Vec<String>,
    pub exclude_types: Vec<String>,
    pub account_id: Option<i64>,
}

/// A notification with the timeline entry it is about, when we still hold that post.
pub struct Item {
    pub notification: Notification,
    pub entry: Option<Entry>,
    /// What the API shows beside the entry (defaults without one).
    pub extras: Extras,
    /// Where a Move went, when it went to an account we hold (None for a move to us).
    pub target: Option<Actor>,
}

pub struct Listed {
    pub owner: Owner,
    pub items: Vec<Item>,
}

/// The post a notification is about, when it is about one.
fn about(notification: &Notification) -> Option<&str> {
    match notification.kind {
        NotificationKind::Report | NotificationKind::Move => None,
        _ => notification.object_uri.as_deref(),
    }
}

/// The page's notifications with their entries: the posts read in a few queries for the page.
fn items(conn: &Connection, urls: &Urls, read: Vec<Notification>) -> Result<Vec<Item>> {
    let uris: Vec<String> = read.iter().filter_map(about).map(str::to_string).collect();
    let found = timeline::find_many(conn, urls, &uris)?;
    let shown: Vec<(i64, Shown, Option<Actor>)> = read
        .iter()
        .filter_map(|n| found.get(about(n)?))
        .map(|s| (0, s.clone(), None))
        .collect();
    let mut entries = timeline::entries(conn, urls, shown)?.into_iter();
    let mut items = Vec::with_capacity(read.len());
    for notification in read {
        let entry = match about(&notification) {
            Some(uri) if found.contains_key(uri) => entries.next(),
            _ => None,
        };
        let target = match (&notification.object_uri, notification.kind) {
            (Some(uri), NotificationKind::Move) => actors::get_by_uri(conn, uri)?,
            _ => None,
        };
        items.push(Item {
            notification,
            entry,
            extras: Extras::default(),
            target,
        });
    }
    Ok(items)
}

/// One page for the API, newest first. Unlike the web page, reading does not mark anything read:
/// apps move the notifications marker for that.
pub fn listed(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    query: &Query,
    range: &Range,
) -> Result<Listed> {
    let only: Vec<&str> = query
        .types
        .iter()
        .flat_map(|t| kinds_of_type(t).iter().copied())
        .collect();
    if !query.types.is_empty() && only.is_empty() {
        return Ok(Listed {
            owner: timeline::feeds::owner(conn, username)?,
            items: Vec::new(),
        });
    }
    let except: Vec<&str> = query
        .exclude_types
        .iter()
        .flat_map(|t| kinds_of_type(t).iter().copied())
        .collect();
    let selection = notifications::Selection {
        only: &only,
        except: &except,
        actor_id: query.account_id,
    };
    let mut read = notifications::window(conn, &selection, &range.window())?;
    read.truncate(range.limit);
    if range.min_id.is_some() {
        read.reverse();
    }
    // A notification about a post a filter hides is left out, as on Mastodon.
    let matcher = super::filters::Matcher::load(conn, "notifications", Timestamp::now())?;
    let mut items = Vec::with_capacity(read.len());
    for mut item in self::items(conn, urls, read)? {
        if let Some(entry) = &mut item.entry {
            let (hidden, hits) = matcher.check(entry);
            if hidden {
                continue;
            }
            entry.filtered = hits;
        }
        items.push(item);
    }
    // The extras of the whole page in one batch, not one post at a time.
    let entries: Vec<Entry> = items.iter().filter_map(|i| i.entry.clone()).collect();
    let mut extras = crate::domain::statuses::extras_for(conn, urls, &entries)?.into_iter();
    for item in items.iter_mut().filter(|i| i.entry.is_some()) {
        item.extras = extras.next().unwrap_or_default();
    }
    Ok(Listed {
        owner: timeline::feeds::owner(conn, username)?,
        items,
    })
}

/// One notification, for `/api/v1/notifications/:id`.
pub fn one(conn: &Connection, urls: &Urls, username: &str, id: i64) -> Result<Listed> {
    let range = Range {
        max_id: id.checked_add(1),
        since_id: Some(id - 1),
        limit: 1,
        ..Default::default()
    };
    let listed = listed(conn, urls, username, &Query::default(), &range)?;
    if listed.items.is_empty() {
        return Err(crate::error::Error::not_found());
    }
    Ok(listed)
}

pub fn dismiss(conn: &Connection, id: i64) -> Result<()> {
    notifications::delete(conn, id)?;
    Ok(())
}

pub fn clear(conn: &Connection) -> Result<()> {
    notifications::delete_all(conn)?;
    Ok(())
}
