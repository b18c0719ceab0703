//! Moving in and out, as Mastodon does it. In: the owner names their old accounts
//! (`alsoKnownAs`), so that the old server's Move to Perch is believed by the followers' servers.
//! Out: the owner names the new account (which must name us back), every follower gets a Move,
//! and from then on the actor says `movedTo` and nothing new is posted here.
//! (Moves of the people we follow are `inbox::moves`'.)

use rusqlite::Connection;

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::federation::vocab::same_authority;
use crate::model::{Actor, FollowState, OtherAccount, Profile, Timestamp};
use crate::store::follows::{self, Direction};
use crate::store::{self, moving};
use crate::urls::Urls;

use super::actors::{self, Fetch};
use super::auth::{self, LoginRefusal};
use super::people::actor_error;
use super::profile;

/// Most aliases the owner may name.
pub const MAX_ALIASES: usize = 10;

/// The moving section of the settings: the profile (with its aliases and move) and how many
/// followers a move would tell.
pub fn page(conn: &Connection, username: &str) -> Result<(Profile, u64)> {
    let followers = follows::count(conn, Direction::In, FollowState::Accepted)?;
    Ok((profile::get(conn, username)?, followers))
}

fn other_account(actor: &Actor) -> OtherAccount {
    OtherAccount {
        uri: actor.uri.clone(),
        handle: actor.handle(),
        url: if actor.url.is_empty() {
            actor.uri.clone()
        } else {
            actor.url.clone()
        },
    }
}

/// Whether `account` (a handle or an actor URL) names our own actor; caught before any fetch.
fn is_ourselves(urls: &Urls, username: &str, account: &str) -> bool {
    let account = account.trim();
    if account.starts_with("https://") || account.starts_with("http://") {
        return same_authority(account, urls.origin());
    }
    actors::parse_handle(account).is_some_and(|(user, domain)| {
        user.eq_ignore_ascii_case(username) && domain.eq_ignore_ascii_case(urls.host())
    })
}

fn refuse_ourselves(urls: &Urls, username: &str, account: &str) -> Result<()> {
    if is_ourselves(urls, username, account) {
        return Err(Error::new(422, "that is this account; name your other one"));
    }
    Ok(())
}

/// Names `account` (`@user@domain` or its actor URL, found by WebFinger and fetched) as one of
/// the owner's other accounts, and tells followers (Update). Naming one twice changes nothing.
pub fn add_alias(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    username: &str,
    account: &str,
    now: Timestamp,
) -> Result<OtherAccount> {
    refuse_ourselves(urls, username, account)?;
    let (actor, _) =
        actors::resolve_with_aliases(conn, remote, account, now).map_err(actor_error)?;
    let alias = other_account(&actor);
    store::write(conn, |tx| {
        let mut aliases = moving::aliases(tx)?;
        if aliases.iter().any(|a| a.uri == alias.uri) {
            return Ok(());
        }
        if aliases.len() >= MAX_ALIASES {
            return Err(Error::new(
                422,
                format!("at most {MAX_ALIASES} aliases; remove one first"),
            ));
        }
        aliases.push(alias.clone());
        moving::set_aliases(tx, &aliases, now)?;
        profile::send_update(tx, urls, username, now)
    })?;
    Ok(alias)
}

/// Whether `account` (a handle, with or without the `@`, or an actor URL) is `alias`.
fn names(alias: &OtherAccount, account: &str) -> bool {
    let account = account.trim();
    let handle = |h: &str| h.trim_start_matches('@').to_ascii_lowercase();
    alias.uri == account || handle(&alias.handle) == handle(account)
}

/// Takes `account` off the owner's aliases and tells followers; 404 when it is not one.
pub fn remove_alias(
    conn: &mut Connection,
    urls: &Urls,
    username: &str,
    account: &str,
    now: Timestamp,
) -> Result<OtherAccount> {
    store::write(conn, |tx| {
        let mut aliases = moving::aliases(tx)?;
        let Some(at) = aliases.iter().position(|a| names(a, account)) else {
            return Err(Error::new(
                404,
                format!("{} is not one of your aliases", account.trim()),
            ));
        };
        let removed = aliases.remove(at);
        moving::set_aliases(tx, &aliases, now)?;
        profile::send_update(tx, urls, username, now)?;
        Ok(removed)
    })
}

/// Moves the owner to `account`: it must name our actor in its `alsoKnownAs` (fetched afresh).
/// Sets `movedTo`, and queues the Update and a Move to every follower (shared inboxes collapsed).
/// A later move to another account is a new Move.
pub fn move_out(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    username: &str,
    account: &str,
    now: Timestamp,
) -> Result<OtherAccount> {
    refuse_ourselves(urls, username, account)?;
    let (target, aliases) =
        actors::resolve_with_aliases(conn, remote, account, now).map_err(actor_error)?;
    if !aliases.contains(&urls.actor()) {
        return Err(Error::new(
            422,
            format!(
                "{} does not name this account as an alias yet: add @{username}@{} there first",
                target.handle(),
                urls.host()
            ),
        ));
    }
    let moved = other_account(&target);
    store::write(conn, |tx| {
        moving::set_moved_to(tx, Some(&moved), now)?;
        profile::send_update(tx, urls, username, now)?;
        let id = urls.activity(store::new_id(now));
        let activity = build::move_account(urls, &id, &moved.uri);
        delivery::enqueue(
            tx,
            &activity,
            &follows::follower_inboxes(tx)?,
            urls.origin(),
            now,
        )?;
        Ok::<_, Error>(())
    })?;
    crate::log::info("moving", "moved out", &[("target", &moved.uri)]);
    Ok(moved)
}

/// [`move_out`] from the settings form: the owner's password first, rate-limited as logins are.
#[allow(clippy::too_many_arguments)]
pub fn move_out_confirmed(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    username: &str,
    account: &str,
    password: &str,
    address: &str,
    now: Timestamp,
) -> Result<OtherAccount> {
    match auth::login(conn, address, password, now)? {
        Ok(()) => move_out(conn, remote, urls, username, account, now),
        Err(LoginRefusal::TooManyAttempts) => Err(Error::new(
            429,
            "too many failed attempts; wait a quarter of an hour",
        )),
        Err(_) => Err(Error::new(403, "the password is not right; nothing moved")),
    }
}

/// Takes the move back (Mastodon's "cancel redirect"): `movedTo` goes, followers get the
/// Update, posting works again. False when the owner had not moved.
pub fn cancel_move(
    conn: &mut Connection,
    urls: &Urls,
    username: &str,
    now: Timestamp,
) -> Result<bool> {
    store::write(conn, |tx| {
        if moving::moved_to(tx)?.is_none() {
            return Ok(false);
        }
        moving::set_moved_to(tx, None, now)?;
        profile::send_update(tx, urls, username, now)?;
        Ok(true)
    })
}

/// Refuses new posts once the owner has moved: the web, the CLI and any client publish through
/// `domain::posts`, which asks here first. Reading is not affected.
pub fn refuse_if_moved(conn: &Connection) -> Result<()> {
    match moving::moved_to(conn)? {
        Some(target) => Err(Error::new(
            409,
            format!(
                "this account has moved to {}: post from there (or cancel the move in the settings)",
                target.handle
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
