//! Conversations: the owner's direct messages grouped by thread, with read state, as Mastodon's
//! `/api/v1/conversations` lists them. A thread is found from the messages' `inReplyTo` among
//! the direct messages we hold; its id is the id of its first message we hold.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Actor, Extras, Range, Timestamp};
use crate::store::conversations::DirectMessage;
use crate::store::{actors, conversations};
use crate::urls::Urls;

use super::statuses::extras_for;
use super::timeline::{self, Entry, Owner};

/// How many of the newest direct messages are grouped: a one-person server's whole history of
/// them, in practice, with a bound on the work one request can ask for.
const SCANNED: usize = 5_000;
/// Replies followed up a thread to find its first message.
const MAX_DEPTH: usize = 64;

pub struct Conversation {
    pub id: i64,
    pub unread: bool,
    /// Everyone in it but the owner.
    pub accounts: Vec<Actor>,
    pub last: Entry,
    pub extras: Extras,
}

pub struct Conversations {
    pub owner: Owner,
    pub items: Vec<Conversation>,
}

/// One thread of direct messages, newest message first.
struct Thread {
    root_id: i64,
    messages: Vec<DirectMessage>,
    /// When the owner last read it (ms).
    read_at: i64,
}

impl Thread {
    fn last(&self) -> &DirectMessage {
        &self.messages[0]
    }

    fn last_arrival(&self, from_others: bool) -> i64 {
        self.messages
            .iter()
            .filter(|m| m.author.is_some() == from_others)
            .map(|m| m.arrived_at)
            .max()
            .unwrap_or(0)
    }
}

fn uri_of(urls: &Urls, message: &DirectMessage) -> String {
    message.uri.clone().unwrap_or_else(|| urls.post(message.id))
}

/// Every thread, newest last message first, the removed ones left out.
fn threads(conn: &Connection, urls: &Urls) -> Result<Vec<Thread>> {
    let messages = conversations::recent(conn, SCANNED)?;
    let by_uri: HashMap<String, usize> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (uri_of(urls, m), i))
        .collect();
    let root_of = |mut index: usize| {
        for _ in 0..MAX_DEPTH {
            let parent = messages[index]
                .in_reply_to_uri
                .as_ref()
                .and_then(|uri| by_uri.get(uri));
            match parent {
                Some(&parent) if parent != index => index = parent,
                _ => break,
            }
        }
        messages[index].id
    };
    let mut order: Vec<i64> = Vec::new();
    let mut grouped: HashMap<i64, Vec<DirectMessage>> = HashMap::new();
    for (index, message) in messages.iter().enumerate() {
        let root = root_of(index);
        let group = grouped.entry(root).or_default();
        if group.is_empty() {
            order.push(root);
        }
        group.push(message.clone());
    }
    let mut threads = Vec::with_capacity(order.len());
    for root_id in order {
        let messages = grouped.remove(&root_id).unwrap_or_default();
        let (read_at, removed_at) = conversations::marks(conn, root_id)?;
        let thread = Thread {
            root_id,
            messages,
            read_at,
        };
        if thread.last_arrival(true).max(thread.last_arrival(false)) > removed_at {
            threads.push(thread);
        }
    }
    Ok(threads)
}

fn conversation(conn: &Connection, urls: &Urls, thread: &Thread) -> Result<Option<Conversation>> {
    let last = thread.last();
    let Some(shown) = timeline::find(conn, urls, &uri_of(urls, last))? else {
        return Ok(None);
    };
    let entry = timeline::entry(conn, urls, last.id, shown, None)?;
    let extras = extras_for(conn, urls, std::slice::from_ref(&entry))?
        .pop()
        .unwrap_or_default();
    let mut accounts: Vec<Actor> = Vec::new();
    let mut add = |actor: Option<Actor>| {
        if let Some(actor) = actor {
            if !accounts.iter().any(|a| a.id == actor.id) {
                accounts.push(actor);
            }
        }
    };
    for message in &thread.messages {
        match message.author {
            Some(author) => add(actors::get(conn, author)?),
            None => {
                for uri in conversations::mentioned(conn, message.id)? {
                    add(actors::get_by_uri(conn, &uri)?);
                }
            }
        }
    }
    // Unread when someone else wrote since the owner last read or wrote in it, as on Mastodon.
    let unread = thread.last_arrival(true) > thread.read_at.max(thread.last_arrival(false));
    Ok(Some(Conversation {
        id: thread.root_id,
        unread,
        accounts,
        last: entry,
        extras,
    }))
}

/// One page, newest last message first, paged by the last message's id as Mastodon does.
pub fn list(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    range: &Range,
) -> Result<Conversations> {
    let window = range.window();
    let mut page: Vec<&Thread> = Vec::new();
    let threads = threads(conn, urls)?;
    let inside = threads
        .iter()
        .filter(|t| t.last().id < window.below && t.last().id > window.above);
    if window.ascending {
        page.extend(inside.rev().take(range.limit));
        page.reverse();
    } else {
        page.extend(inside.take(range.limit));
    }
    let mut items = Vec::with_capacity(page.len());
    for thread in page {
        items.extend(conversation(conn, urls, thread)?);
    }
    Ok(Conversations {
        owner: timeline::feeds::owner(conn, username)?,
        items,
    })
}

fn thread(conn: &Connection, urls: &Urls, id: i64) -> Result<Thread> {
    threads(conn, urls)?
        .into_iter()
        .find(|t| t.root_id == id)
        .ok_or_else(Error::not_found)
}

/// Marks a conversation read and returns it.
pub fn mark_read(
    conn: &Connection,
    urls: &Urls,
    username: &str,
    id: i64,
    now: Timestamp,
) -> Result<Conversations> {
    let mut thread = thread(conn, urls, id)?;
    conversations::mark_read(conn, thread.root_id, now.0)?;
    thread.read_at = thread.read_at.max(now.0);
    Ok(Conversations {
        owner: timeline::feeds::owner(conn, username)?,
        items: conversation(conn, urls, &thread)?.into_iter().collect(),
    })
}

/// Takes a conversation off the list until a new message comes; the messages stay.
pub fn remove(conn: &Connection, urls: &Urls, id: i64, now: Timestamp) -> Result<()> {
    let thread = thread(conn, urls, id)?;
    conversations::remove(conn, thread.root_id, now.0)?;
    Ok(())
}
