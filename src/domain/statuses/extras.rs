//! [`extras_for`]: what the API's Status shows beside a post, for a whole page of entries in a
//! handful of queries (not a few per status).

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use crate::error::Result;
use crate::model::{Entry, Extras, Shown};
use crate::store::{posts, statuses as stored};
use crate::urls::Urls;

/// The account id the API gives the owner (`api::entities::OWNER_ACCOUNT_ID`).
const OWNER_ACCOUNT_ID: &str = "0";
/// Most posts walked up to find a thread's first post (for muted conversations).
const MAX_WALK: usize = 30;

fn own_id(urls: &Urls, uri: &str) -> Option<i64> {
    urls.parse_post_reference(uri)
        .filter(|_| uri.starts_with(&format!("{}/", urls.origin())))
}

/// The object id of the first post of the thread `uri` is in, as far as we hold it.
pub fn root(conn: &Connection, urls: &Urls, uri: &str) -> Result<String> {
    let mut at = uri.to_string();
    for _ in 0..MAX_WALK {
        match stored::parent_of(conn, &at, own_id(urls, &at))? {
            Some(parent) if parent != at && own_or_held(conn, urls, &parent)? => at = parent,
            _ => break,
        }
    }
    Ok(at)
}

fn own_or_held(conn: &Connection, urls: &Urls, uri: &str) -> Result<bool> {
    Ok(match own_id(urls, uri) {
        Some(id) => !posts::get_many(conn, &[id])?.is_empty(),
        None => crate::store::remote_posts::author_of(conn, uri)?.is_some(),
    })
}

/// The extras of each entry, in order: the parent's id and author (ours, or a remote post we
/// hold), reply/boost/like counts of what we hold, the owner's like, boost and bookmark, the
/// post's language, and whether its conversation is muted. Seven queries for any number of
/// entries, plus a short walk up each thread when the owner muted any conversation at all.
///
/// Timelines, notifications and account pages call this once per page, then build each
/// status with `api::entities::status::entry(urls, owner, &entry, &extras)`.
pub fn extras_for(conn: &Connection, urls: &Urls, entries: &[Entry]) -> Result<Vec<Extras>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let uris: Vec<String> = entries.iter().map(|e| e.shown.uri(urls)).collect();
    let parents: Vec<Option<String>> = entries
        .iter()
        .map(|e| match &e.shown {
            Shown::Own(p) => p.in_reply_to.clone(),
            Shown::Remote(p) => p.in_reply_to.clone(),
        })
        .collect();
    let remote_parents: Vec<String> = parents
        .iter()
        .flatten()
        .filter(|p| own_id(urls, p).is_none())
        .cloned()
        .collect();
    let held: HashMap<String, (i64, i64)> = if remote_parents.is_empty() {
        HashMap::new()
    } else {
        stored::remote_ids(conn, &remote_parents)?
            .into_iter()
            .map(|(uri, id, actor)| (uri, (id, actor)))
            .collect()
    };
    let replies: HashMap<String, u64> = stored::reply_counts(conn, &uris)?.into_iter().collect();
    let mut counts: HashMap<(String, String), (u64, bool)> = HashMap::new();
    for (uri, kind, n, own) in stored::interaction_counts(conn, &uris)? {
        counts.insert((uri, kind), (n, own));
    }
    let bookmarked: HashSet<String> = stored::bookmarked(conn, &uris)?.into_iter().collect();
    let own_ids: Vec<i64> = entries
        .iter()
        .filter_map(|e| match &e.shown {
            Shown::Own(p) => Some(p.id),
            Shown::Remote(_) => None,
        })
        .collect();
    let languages: HashMap<i64, String> = if own_ids.is_empty() {
        HashMap::new()
    } else {
        posts::languages(conn, &own_ids)?.into_iter().collect()
    };
    let muted: HashSet<String> = if stored::any_muted_conversation(conn)? {
        let roots = uris
            .iter()
            .map(|u| root(conn, urls, u))
            .collect::<Result<Vec<_>>>()?;
        let hit: HashSet<String> = stored::muted_conversations(conn, &roots)?
            .into_iter()
            .collect();
        uris.iter()
            .zip(roots)
            .filter(|(_, r)| hit.contains(r))
            .map(|(u, _)| u.clone())
            .collect()
    } else {
        HashSet::new()
    };
    let mut out = Vec::with_capacity(entries.len());
    for ((entry, uri), parent) in entries.iter().zip(&uris).zip(&parents) {
        let (in_reply_to_id, in_reply_to_account_id) = match parent {
            Some(p) => match own_id(urls, p) {
                Some(id) => (Some(id), Some(OWNER_ACCOUNT_ID.to_string())),
                None => match held.get(p) {
                    Some((id, actor)) => (Some(*id), Some(actor.to_string())),
                    None => (None, None),
                },
            },
            None => (None, None),
        };
        let count = |kind: &str| counts.get(&(uri.clone(), kind.to_string())).copied();
        let (likes, liked) = count("like").unwrap_or((0, false));
        let (boosts, boosted) = count("announce").unwrap_or((0, false));
        out.push(Extras {
            in_reply_to_id,
            in_reply_to_account_id,
            replies: replies.get(uri).copied().unwrap_or(0),
            reblogs: boosts,
            favourites: likes,
            muted: muted.contains(uri),
            favourited: liked || entry.liked,
            reblogged: boosted || entry.boosted,
            bookmarked: bookmarked.contains(uri) || entry.bookmarked,
            language: match &entry.shown {
                Shown::Own(p) => languages.get(&p.id).cloned(),
                Shown::Remote(_) => None,
            },
        });
    }
    Ok(out)
}
