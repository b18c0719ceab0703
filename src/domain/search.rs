//! The owner's search: a handle, an actor URL, or a post URL, found where we hold it or fetched.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Profile, Timestamp};
use crate::store::moderation::{self, Restriction};
use crate::store::remote_posts;
use crate::urls::Urls;

use super::actors::{self, Fetch};
use super::importer::{self, Refused};
use super::people::{self, actor_error};
use super::profile;
use super::timeline::{self, Shown};

pub use crate::model::Found;

/// Most of an account's posts shown with it.
const ACCOUNT_POSTS: usize = 20;

/// The search page: the profile, and what the query found or why it found nothing (a refusal
/// to show on the page; failures of our own are the outer `Err`).
pub fn search(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    username: &str,
    query: &str,
    now: Timestamp,
) -> Result<(Profile, Result<Found>)> {
    let found = if query.is_empty() {
        Ok(Found::Nothing)
    } else {
        look_up(conn, remote, urls, query, now)
    };
    Ok((profile::get(conn, username)?, found))
}

/// Looks up what the owner typed: a post we hold, a post URL (imported), a handle or an actor URL.
fn look_up(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    query: &str,
    now: Timestamp,
) -> Result<Found> {
    if let Some(shown) = timeline::find(conn, urls, query)? {
        let entry = timeline::entry(conn, urls, 0, shown, None)?;
        return Ok(Found::Post(Box::new(entry)));
    }
    let actor = if query.starts_with("http://") || query.starts_with("https://") {
        match importer::import(conn, remote, urls, query, now) {
            Ok(post) => {
                let entry = timeline::entry(conn, urls, 0, Shown::Remote(Box::new(post)), None)?;
                return Ok(Found::Post(Box::new(entry)));
            }
            // Not a post there: perhaps an account.
            Err(Refused::Ours | Refused::Unreachable | Refused::NotAPost) => {}
            Err(Refused::Database(e)) => return Err(e.into()),
            Err(Refused::Author(e)) => return Err(actor_error(e)),
            Err(refused @ Refused::ForeignAuthor) => {
                return Err(Error::new(422, refused.to_string()))
            }
        }
        people::fetched(conn, remote, query, now)?
    } else if actors::parse_handle(query).is_some() {
        actors::resolve_handle(conn, remote, query, now).map_err(actor_error)?
    } else {
        return Err(Error::bad_request(
            "type @user@example.com, or the URL of a profile or post",
        ));
    };
    // Looked at by the owner: filled from its outbox when we hold little of it.
    super::backfill::request_account(conn, &actor.uri, now)?;
    let mut pinned = Vec::new();
    for uri in crate::store::fetches::pins(conn, actor.id)? {
        pinned.extend(remote_posts::get_by_uri(conn, &uri)?);
    }
    Ok(Found::Account {
        pinned,
        fetching: super::backfill::pending_for(conn, &actor.uri)?,
        following: people::following(conn, &actor)?,
        posts: remote_posts::by_actor(conn, actor.id, None, ACCOUNT_POSTS)?,
        restricted: (
            moderation::has(conn, actor.id, Restriction::Block)?,
            moderation::has(conn, actor.id, Restriction::Mute)?,
        ),
        actor: Box::new(actor),
    })
}
