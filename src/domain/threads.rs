//! Threads: a post's public page with what we hold around it, and the owner's view of the
//! thread around any post we hold.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{PostThread, Profile, Timestamp};
use crate::store::interactions::{self, Kind};
use crate::store::posts::{self as stored_posts, Audience};
use crate::store::remote_posts;
use crate::urls::Urls;

use super::timeline::{self, Entry, Shown};
use super::{posts, profile};

/// Most posts above the focus the owner's thread walks up.
const MAX_CHAIN: usize = 30;
/// Levels of replies below the focus shown, and most posts on the page.
const MAX_REPLY_DEPTH: usize = 4;
const MAX_SHOWN: usize = 300;

/// Our post's page: not found when it is not for this viewer.
pub fn post_page(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    id: i64,
    is_owner: bool,
) -> Result<PostThread> {
    let focus = posts::get_visible(conn, id, is_owner)?;
    let profile = profile::get(conn, username)?;
    let ancestors = posts::ancestors(conn, urls, &focus, is_owner)?;
    let uri = urls.post(id);
    let audience = if is_owner {
        Audience::Owner
    } else {
        Audience::Anyone
    };
    Ok(PostThread {
        profile,
        ancestors,
        replies: stored_posts::replies_to(conn, &uri, audience)?,
        remote_replies: remote_posts::replies_to(conn, &uri, !is_owner)?,
        quotes: super::quotes::quotes_of(conn, id)?,
        likes: interactions::count(conn, &uri, Kind::Like)?,
        boosts: interactions::count(conn, &uri, Kind::Announce)?,
        reactions: crate::store::reactions::counts(conn, &uri)?,
        history: stored_posts::history(conn, id)?,
        focus,
    })
}

fn parent_of(shown: &Shown) -> Option<String> {
    match shown {
        Shown::Own(p) => p.in_reply_to.clone(),
        Shown::Remote(p) => p.in_reply_to.clone(),
    }
}

/// The thread around any post we hold, for the owner: its ancestors as far as we hold them, it,
/// then the replies we hold (ours, then others'). With the profile, for the page.
pub fn around(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    uri: &str,
) -> Result<(Profile, Vec<Entry>)> {
    let shown = timeline::find(conn, urls, uri)?.ok_or_else(Error::not_found)?;
    let mut parent = parent_of(&shown);
    let mut chain = vec![timeline::entry(conn, urls, 0, shown, None)?];
    while let Some(above_uri) = parent.take().filter(|_| chain.len() < MAX_CHAIN) {
        let Some(above) = timeline::find(conn, urls, &above_uri)? else {
            break;
        };
        parent = parent_of(&above);
        chain.insert(0, timeline::entry(conn, urls, 0, above, None)?);
    }
    // The replies, breadth first: ours, then others', then theirs a level down.
    let mut level = vec![uri.to_string()];
    for _ in 0..MAX_REPLY_DEPTH {
        let mut below = Vec::new();
        for parent in &level {
            for reply in stored_posts::replies_to(conn, parent, Audience::Owner)? {
                below.push(urls.post(reply.id));
                chain.push(timeline::entry(conn, urls, 0, Shown::Own(reply), None)?);
            }
            for reply in remote_posts::replies_to(conn, parent, false)? {
                below.push(reply.uri.clone());
                let shown = Shown::Remote(Box::new(reply));
                chain.push(timeline::entry(conn, urls, 0, shown, None)?);
            }
            if chain.len() >= MAX_SHOWN {
                break;
            }
        }
        if below.is_empty() || chain.len() >= MAX_SHOWN {
            break;
        }
        level = below;
    }
    chain.truncate(MAX_SHOWN);
    Ok((profile::get(conn, username)?, chain))
}

/// The owner opens the thread around `uri`: what we hold, at once, and the number of fetches
/// still queued for it (missing ancestors and replies are asked for here, for the backfill
/// worker; the new posts show on the next load).
pub fn opened(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    uri: &str,
    now: Timestamp,
) -> Result<(Profile, Vec<Entry>, u64)> {
    let (profile, chain) = around(conn, urls, username, uri)?;
    super::backfill::request_thread(conn, urls, uri, now)?;
    let pending = super::backfill::pending_for(conn, uri)?;
    Ok((profile, chain, pending))
}

/// Most replies below a post the API's context gathers, and how deep.
const MAX_DESCENDANTS: usize = 200;
const MAX_DEPTH: usize = 20;

/// The thread around any post we hold, split as the API's context: ancestors (oldest first)
/// and descendants (depth first, each post's replies oldest first), as far as we hold them.
pub fn context(conn: &Connection, urls: &Urls, uri: &str) -> Result<(Vec<Shown>, Vec<Shown>)> {
    let shown = timeline::find(conn, urls, uri)?.ok_or_else(Error::not_found)?;
    let mut ancestors = Vec::new();
    let mut parent = parent_of(&shown);
    while let Some(above_uri) = parent.take().filter(|_| ancestors.len() < MAX_CHAIN) {
        let Some(above) = timeline::find(conn, urls, &above_uri)? else {
            break;
        };
        parent = parent_of(&above);
        ancestors.insert(0, above);
    }
    let mut descendants = Vec::new();
    // Depth first: a stack of (uri, depth), the earliest reply on top.
    let mut stack = vec![(uri.to_string(), 0usize)];
    while let Some((at, depth)) = stack.pop() {
        if depth > 0 {
            if descendants.len() >= MAX_DESCENDANTS {
                break;
            }
            if let Some(reply) = timeline::find(conn, urls, &at)? {
                descendants.push(reply);
            }
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let mut replies: Vec<(i64, String)> = stored_posts::replies_to(conn, &at, Audience::Owner)?
            .into_iter()
            .map(|p| (p.id, urls.post(p.id)))
            .collect();
        replies.extend(
            remote_posts::replies_to(conn, &at, false)?
                .into_iter()
                .map(|p| (p.id, p.uri)),
        );
        replies.sort();
        for (_, reply) in replies.into_iter().rev() {
            stack.push((reply, depth + 1));
        }
    }
    Ok((ancestors, descendants))
}
