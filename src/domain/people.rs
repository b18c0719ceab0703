//! The people the owner deals with: the lists of followers, follows and requests, and finding an
//! account to act on.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Actor, FollowState, PeopleTab, Profile, Timestamp};
use crate::store::actors as stored_actors;
use crate::store::follows::{self, Direction};

use super::actors::{self, ActorError, Fetch};
use super::profile;

/// Most people one list shows.
const MAX_LISTED: usize = 500;

/// An actor that could not be had, as an answer: the database's failure as it is, anything else
/// (unreachable, invalid, blocked) 422 with its one-line reason.
pub fn actor_error(e: ActorError) -> Error {
    match e {
        ActorError::Database(e) => Error::from(e),
        other => Error::new(422, other.to_string()),
    }
}

/// Followers, follows, or pending follow requests.
pub fn list(conn: &Connection, username: &str, tab: PeopleTab) -> Result<(Profile, Vec<Actor>)> {
    let (direction, state) = match tab {
        PeopleTab::Followers => (Direction::In, FollowState::Accepted),
        PeopleTab::Following => (Direction::Out, FollowState::Accepted),
        PeopleTab::Requests => (Direction::In, FollowState::Pending),
    };
    let list = follows::list(conn, direction, state, None, MAX_LISTED)?;
    let actors = list.into_iter().map(|(_, actor)| actor).collect();
    Ok((profile::get(conn, username)?, actors))
}

/// An account we already know, by its id; not found otherwise.
pub fn known(conn: &Connection, uri: &str) -> Result<Actor> {
    stored_actors::get_by_uri(conn, uri)?.ok_or_else(Error::not_found)
}

/// An account by its id, fetched when we do not know it yet (or our copy is old).
pub fn fetched(conn: &Connection, remote: &dyn Fetch, uri: &str, now: Timestamp) -> Result<Actor> {
    actors::get_or_fetch(conn, remote, uri, now).map_err(actor_error)
}

/// Our follow of them, if any: pending or accepted.
pub fn following(conn: &Connection, actor: &Actor) -> Result<Option<FollowState>> {
    Ok(follows::get(conn, actor.id, Direction::Out)?.map(|f| f.state))
}

/// Where to send a visitor to act on `uri` from their own server: their server's `subscribe`
/// template (found by WebFinger, through the private-address guard) filled with the object's id.
pub fn interaction_url(remote: &dyn Fetch, handle: &str, uri: &str) -> Result<String> {
    let (user, domain) = actors::parse_handle(handle)
        .ok_or_else(|| Error::bad_request("give your account as @you@example.social"))?;
    let answer = remote
        .webfinger(&user, &domain)
        .map_err(|e| Error::new(422, format!("cannot find your account: {e}")))?;
    let template = answer
        .subscribe_template
        .filter(|t| t.contains("{uri}") && (t.starts_with("https://") || t.starts_with("http://")))
        .ok_or_else(|| Error::new(422, "your server does not say where to send you"))?;
    Ok(template.replace("{uri}", &crate::urls::percent_encode_path(uri)))
}
