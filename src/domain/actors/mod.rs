//! Remote actors: fetching and caching their documents, their signing keys (`keys`), WebFinger
//! handles, and applying what they say about themselves (Update, Delete; a Move's check reads
//! `fetch_with_aliases`).
//!
//! Network access goes through [`Fetch`], so that the rules here are tested without a network;
//! production code passes a [`Remote`] (the signed, guarded client).

pub mod keys;

use std::fmt;

use rusqlite::Connection;
use serde_json::Value;

use crate::federation::client::{Client, FetchError, WebfingerAnswer};
use crate::federation::keys::SigningKey;
use crate::federation::signatures::Signer;
use crate::federation::vocab::{also_known_as, authority, parse_actor};
use crate::model::{Actor, Timestamp};
use crate::store::actors;

/// A stored actor document is fetched again when older than this (one day).
const ACTOR_MAX_AGE_MS: i64 = 24 * 3600 * 1000;

/// Where remote documents come from.
pub trait Fetch {
    /// A document by its id, proven to be what it says (see `Client::get_activity`).
    fn get_activity(&self, url: &str) -> Result<Value, FetchError>;
    fn webfinger(&self, user: &str, domain: &str) -> Result<WebfingerAnswer, FetchError>;
    /// The software `host` runs, from its NodeInfo (lower case); none by default.
    fn software(&self, _host: &str) -> Result<String, FetchError> {
        Err(FetchError::Status(404))
    }
}

/// The real remote web: the guarded client, every GET signed with the owner's key.
pub struct Remote<'a> {
    pub client: &'a Client,
    pub signer: Signer<'a>,
}

impl<'a> Remote<'a> {
    /// The client with the owner's key and its id (`Urls::key_id`): every place that fetches
    /// for the owner assembles it this one way.
    pub fn new(client: &'a Client, key: &'a SigningKey, key_id: &'a str) -> Remote<'a> {
        Remote {
            client,
            signer: Signer { key, key_id },
        }
    }
}

impl Fetch for Remote<'_> {
    fn get_activity(&self, url: &str) -> Result<Value, FetchError> {
        self.client.get_activity(url, Some(&self.signer))
    }

    fn webfinger(&self, user: &str, domain: &str) -> Result<WebfingerAnswer, FetchError> {
        self.client.webfinger(user, domain)
    }

    fn software(&self, host: &str) -> Result<String, FetchError> {
        self.client.nodeinfo_software(host)
    }
}

/// Why an actor could not be had. `Display` is one line, safe to show.
#[derive(Debug)]
pub enum ActorError {
    /// The remote server could not be reached or answered badly.
    Fetch(FetchError),
    /// The document, or the handle, is not acceptable.
    Invalid(String),
    /// The actor's domain is blocked here.
    Blocked,
    Database(rusqlite::Error),
}

impl ActorError {
    /// Whether trying again later may succeed (the network, a busy server, a busy database).
    pub fn is_transient(&self) -> bool {
        match self {
            ActorError::Fetch(FetchError::Timeout | FetchError::Network(_)) => true,
            ActorError::Fetch(FetchError::Status(status)) => {
                *status >= 500 || *status == 429 || *status == 408
            }
            ActorError::Database(_) => true,
            _ => false,
        }
    }
}

impl fmt::Display for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActorError::Fetch(e) => write!(f, "cannot fetch the actor: {e}"),
            ActorError::Invalid(why) => f.write_str(why),
            ActorError::Blocked => f.write_str("the actor's domain is blocked"),
            ActorError::Database(e) => write!(f, "database: {e}"),
        }
    }
}

impl std::error::Error for ActorError {}

impl From<FetchError> for ActorError {
    fn from(e: FetchError) -> ActorError {
        ActorError::Fetch(e)
    }
}

impl From<rusqlite::Error> for ActorError {
    fn from(e: rusqlite::Error) -> ActorError {
        ActorError::Database(e)
    }
}

fn invalid(why: &str) -> ActorError {
    ActorError::Invalid(why.to_string())
}

fn refuse_blocked(conn: &Connection, uri: &str) -> Result<(), ActorError> {
    let host = authority(uri).ok_or_else(|| invalid("not an http(s) URL"))?;
    if actors::is_domain_blocked(conn, &host)? {
        return Err(ActorError::Blocked);
    }
    Ok(())
}

/// Fetches the actor document at `uri` (its id must be exactly `uri`), stores it, returns it.
pub fn fetch_actor(
    conn: &Connection,
    remote: &dyn Fetch,
    uri: &str,
    now: Timestamp,
) -> Result<Actor, ActorError> {
    let (actor, _) = fetch_actor_document(conn, remote, uri, now)?;
    Ok(actor)
}

/// [`fetch_actor`], also returning the document (for checks such as `alsoKnownAs`).
fn fetch_actor_document(
    conn: &Connection,
    remote: &dyn Fetch,
    uri: &str,
    now: Timestamp,
) -> Result<(Actor, Value), ActorError> {
    refuse_blocked(conn, uri)?;
    let document = remote.get_activity(uri)?;
    let parsed = parse_actor(&document, None).map_err(invalid)?;
    if parsed.uri != uri {
        return Err(invalid("the actor's id is not the URL it was fetched from"));
    }
    let id = actors::upsert(conn, &parsed, now)?;
    let actor = actors::get(conn, id)?.ok_or_else(|| invalid("the actor vanished"))?;
    Ok((actor, document))
}

/// The stored actor, fetched when unknown or older than a day (a stale copy is kept when the
/// refresh fails).
pub fn get_or_fetch(
    conn: &Connection,
    remote: &dyn Fetch,
    uri: &str,
    now: Timestamp,
) -> Result<Actor, ActorError> {
    match actors::get_with_age(conn, uri)? {
        Some((actor, fetched)) if now.0 - fetched.0 < ACTOR_MAX_AGE_MS => Ok(actor),
        Some((stale, _)) => Ok(fetch_actor(conn, remote, uri, now).unwrap_or(stale)),
        None => fetch_actor(conn, remote, uri, now),
    }
}

/// `@user@domain` (also `user@domain`, `acct:user@domain`) as `(user, domain)`.
pub fn parse_handle(handle: &str) -> Option<(String, String)> {
    let handle = handle.trim();
    let handle = handle.strip_prefix("acct:").unwrap_or(handle);
    let handle = handle.strip_prefix('@').unwrap_or(handle);
    let (user, domain) = handle.split_once('@')?;
    let valid = !user.is_empty()
        && !domain.is_empty()
        && handle.len() <= 300
        && !domain.contains('@')
        && !handle.contains(|c: char| c.is_whitespace() || c.is_control());
    valid.then(|| (user.to_string(), domain.to_ascii_lowercase()))
}

/// Finds the actor behind `@user@domain` by WebFinger and stores it. The actor must live on that
/// domain, or its own host must answer WebFinger for it with the same actor (Mastodon's rule for
/// accounts whose handle domain differs from their server).
pub fn resolve_handle(
    conn: &Connection,
    remote: &dyn Fetch,
    handle: &str,
    now: Timestamp,
) -> Result<Actor, ActorError> {
    Ok(resolve_handle_document(conn, remote, handle, now)?.0)
}

/// [`resolve_handle`], also returning the document as fetched.
fn resolve_handle_document(
    conn: &Connection,
    remote: &dyn Fetch,
    handle: &str,
    now: Timestamp,
) -> Result<(Actor, Value), ActorError> {
    let (user, domain) =
        parse_handle(handle).ok_or_else(|| invalid("not a handle like @user@domain"))?;
    if actors::is_domain_blocked(conn, &domain)? {
        return Err(ActorError::Blocked);
    }
    let answer = remote.webfinger(&user, &domain)?;
    refuse_blocked(conn, &answer.actor_id)?;
    let document = remote.get_activity(&answer.actor_id)?;
    let parsed = parse_actor(&document, None).map_err(invalid)?;
    if !parsed.domain.eq_ignore_ascii_case(&domain) {
        let confirmed = remote.webfinger(&parsed.username, &parsed.domain)?;
        if confirmed.actor_id != parsed.uri {
            return Err(invalid(
                "the account's own server does not confirm this handle",
            ));
        }
    }
    refuse_blocked(conn, &parsed.uri)?;
    let id = actors::upsert(conn, &parsed, now)?;
    let actor = actors::get(conn, id)?.ok_or_else(|| invalid("the actor vanished"))?;
    Ok((actor, document))
}

/// Update(Person): the actor's new profile, from the activity itself (it is signed by the actor).
/// Returns false when the object is not that actor.
pub fn apply_update(
    conn: &Connection,
    actor_uri: &str,
    object: &Value,
    now: Timestamp,
) -> Result<bool, ActorError> {
    let parsed = parse_actor(object, None).map_err(invalid)?;
    if parsed.uri != actor_uri {
        return Ok(false);
    }
    actors::upsert(conn, &parsed, now)?;
    Ok(true)
}

/// Delete(actor): removes the actor and everything we keep of them.
pub fn remove(conn: &Connection, actor_uri: &str) -> rusqlite::Result<bool> {
    match actors::get_by_uri(conn, actor_uri)? {
        Some(actor) => actors::delete(conn, actor.id),
        None => Ok(false),
    }
}

/// The actor at `uri` fetched afresh (a Move is judged on its current document, never on a
/// stored copy), with the accounts it names in `alsoKnownAs`.
pub fn fetch_with_aliases(
    conn: &Connection,
    remote: &dyn Fetch,
    uri: &str,
    now: Timestamp,
) -> Result<(Actor, Vec<String>), ActorError> {
    let (actor, document) = fetch_actor_document(conn, remote, uri, now)?;
    Ok((actor, also_known_as(&document)))
}

/// An account given as `@user@domain` (found by WebFinger) or as its actor URL, fetched afresh,
/// with the accounts it names in `alsoKnownAs`.
pub fn resolve_with_aliases(
    conn: &Connection,
    remote: &dyn Fetch,
    account: &str,
    now: Timestamp,
) -> Result<(Actor, Vec<String>), ActorError> {
    let account = account.trim();
    if account.starts_with("https://") || account.starts_with("http://") {
        return fetch_with_aliases(conn, remote, account, now);
    }
    let (actor, document) = resolve_handle_document(conn, remote, account, now)?;
    Ok((actor, also_known_as(&document)))
}

#[cfg(test)]
mod tests;
