//! The owner's emoji reactions to posts (ours or others'), and taking them back. To a remote
//! author a reaction goes as an `EmojiReact`, or as a plain `Like` where the author's server is
//! not known (from its NodeInfo) to take reactions.

use rusqlite::Connection;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::federation::vocab::{authority, is_unicode_emoji, reaction_content};
use crate::model::Timestamp;
use crate::store;
use crate::store::reactions::{self, NewReaction};
use crate::urls::Urls;

use super::actors::Fetch;
use super::interactions::author_inbox;

/// The NodeInfo software names whose servers take `EmojiReact`.
pub const REACTING_SOFTWARE: &[&str] = &[
    "misskey",
    "sharkey",
    "firefish",
    "iceshrimp",
    "iceshrimp.net",
    "pleroma",
    "akkoma",
    "perch",
];
/// How long what a host runs is trusted before its NodeInfo is asked again (a week); a host
/// whose NodeInfo could not be read is asked again after a day.
const SOFTWARE_MAX_AGE_MS: i64 = 7 * 24 * 3600 * 1000;
const SOFTWARE_RETRY_MS: i64 = 24 * 3600 * 1000;

/// The reaction the owner typed, or a clear refusal.
fn owners_emoji(text: &str) -> Result<String> {
    match reaction_content(text) {
        Some(emoji) if is_unicode_emoji(&emoji) => Ok(emoji),
        Some(_) => Err(Error::new(
            422,
            "reacting with a custom emoji is not possible yet: use a unicode emoji",
        )),
        None => Err(Error::new(
            422,
            "that is not an emoji: react with one emoji",
        )),
    }
}

/// Whether `host` takes `EmojiReact`, from the NodeInfo we learned (asked now when we have
/// nothing recent; a failure counts as no).
pub fn takes_reactions(
    conn: &Connection,
    remote: &dyn Fetch,
    host: &str,
    now: Timestamp,
) -> Result<bool> {
    let known = reactions::peer_software(conn, host)?;
    let fresh = known.as_ref().is_some_and(|(software, at)| {
        let max_age = if software.is_empty() {
            SOFTWARE_RETRY_MS
        } else {
            SOFTWARE_MAX_AGE_MS
        };
        now.0 - at.0 < max_age
    });
    let software = match known {
        Some((software, _)) if fresh => software,
        _ => {
            let software = remote.software(host).unwrap_or_default();
            reactions::set_peer_software(conn, host, &software, now)?;
            software
        }
    };
    Ok(REACTING_SOFTWARE.contains(&software.as_str()))
}

/// The owner reacts to a post with `emoji`; a repeat changes nothing.
pub fn react(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    object_uri: &str,
    emoji: &str,
    now: Timestamp,
) -> Result<()> {
    let emoji = owners_emoji(emoji)?;
    let author = author_inbox(conn, urls, object_uri)?;
    let as_reaction = match &author {
        Some((author_uri, _)) => match authority(author_uri) {
            Some(host) => takes_reactions(conn, remote, &host, now)?,
            None => false,
        },
        None => true,
    };
    let sent_as = match (&author, as_reaction) {
        (None, _) => None,
        (Some(_), true) => Some("EmojiReact"),
        (Some(_), false) => Some("Like"),
    };
    store::write(conn, |tx| {
        let id = urls.activity(store::new_id(now));
        let new = NewReaction {
            actor_id: None,
            object_uri,
            content: &emoji,
            emoji_url: None,
            activity_uri: &id,
            sent_as,
        };
        if reactions::insert(tx, &new, now)?.is_none() {
            return Ok(());
        }
        let Some((author_uri, inbox)) = &author else {
            return Ok(());
        };
        let inboxes = std::slice::from_ref(inbox);
        if as_reaction {
            let react = build::emoji_react(urls, &id, object_uri, author_uri, &emoji);
            delivery::enqueue(tx, &react, inboxes, urls.origin(), now)?;
        } else {
            let like = build::like(urls, &id, object_uri, author_uri);
            delivery::enqueue(tx, &like, inboxes, urls.origin(), now)?;
        }
        Ok(())
    })
}

/// Takes back the owner's reaction `emoji` to a post, with the Undo of what was sent for it (an
/// EmojiReact or a Like).
pub fn unreact(
    conn: &mut Connection,
    urls: &Urls,
    object_uri: &str,
    emoji: &str,
    now: Timestamp,
) -> Result<()> {
    let emoji = emoji.trim();
    let author = author_inbox(conn, urls, object_uri)?;
    store::write(conn, |tx| {
        let Some((id, sent_as)) = reactions::own_activity(tx, object_uri, emoji)? else {
            return Ok(());
        };
        reactions::delete_own(tx, object_uri, emoji)?;
        let (Some((author_uri, inbox)), Some(sent_as)) = (&author, sent_as) else {
            return Ok(());
        };
        let inboxes = std::slice::from_ref(inbox);
        if sent_as == "EmojiReact" {
            let undo = build::undo_emoji_react(urls, &id, object_uri, author_uri, emoji);
            delivery::enqueue(tx, &undo, inboxes, urls.origin(), now)?;
        } else {
            let undo = build::undo_like(urls, &id, object_uri, author_uri);
            delivery::enqueue(tx, &undo, inboxes, urls.origin(), now)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests;
