//! Accounts as the client API deals with them: the owner or a remote actor, found by id, handle
//! or search, with the owner's relationship to them and what the owner does about them. The
//! actions are the web page's (`follows`, `moderation`, `profile`); this adds what only the API
//! asks for: notes, follow options, mute durations, lookups.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Actor, FollowState, Range, Timestamp};
use crate::store::follows::{self as stored_follows, Direction};
use crate::store::moderation::{self as restrictions, Restriction};
use crate::store::{self, accounts as stored, actors as stored_actors};
use crate::urls::Urls;

use super::actors::{self, Fetch};
use super::people::{self, actor_error};
use super::timeline::{feeds, Entry, Feed};
use super::{follows, moderation};

/// Longest note, as Mastodon limits it.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Longest search query looked at.
pub const MAX_QUERY_CHARS: usize = 500;
/// Longest mute, in seconds (a year; Mastodon sets no bound, 0 means for ever).
const MAX_MUTE_SECONDS: i64 = 366 * 24 * 3600;

/// Who an account id or handle names.
#[derive(Clone, Debug)]
pub enum Who {
    Owner,
    Remote(Box<Actor>),
}

/// The owner's relationship to an account, as Mastodon's Relationship tells it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relationship {
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    /// When the mute ends; None for ever (or not muted).
    pub mute_expires_at: Option<Timestamp>,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub note: String,
}

/// A remote account we hold, by its row id; 404 otherwise.
pub fn actor(conn: &Connection, id: i64) -> Result<Actor> {
    stored_actors::get(conn, id)?.ok_or_else(|| Error::new(404, "Record not found"))
}

/// Whether `user@domain` (domain optional) names the owner.
fn is_owner(urls: &Urls, username: &str, user: &str, domain: Option<&str>) -> bool {
    user.eq_ignore_ascii_case(username)
        && domain.is_none_or(|d| d.eq_ignore_ascii_case(urls.host()))
}

/// `/api/v1/accounts/lookup`: the owner, an account we hold, or (for `user@domain` we do not
/// hold, when `may_fetch`: the owner asks, not a visitor) the account found by WebFinger.
pub fn lookup(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    username: &str,
    acct: &str,
    may_fetch: bool,
    now: Timestamp,
) -> Result<Who> {
    let acct = acct.trim().trim_start_matches('@');
    let Some((user, domain)) = actors::parse_handle(acct) else {
        return if is_owner(urls, username, acct, None) {
            Ok(Who::Owner)
        } else {
            Err(Error::new(404, "Record not found"))
        };
    };
    if is_owner(urls, username, &user, Some(&domain)) {
        return Ok(Who::Owner);
    }
    if let Some(actor) = stored::by_handle(conn, &user, &domain)? {
        return Ok(Who::Remote(Box::new(actor)));
    }
    if !may_fetch {
        return Err(Error::new(404, "Record not found"));
    }
    match actors::resolve_handle(conn, remote, acct, now) {
        Ok(actor) => Ok(Who::Remote(Box::new(actor))),
        Err(actors::ActorError::Database(e)) => Err(e.into()),
        Err(_) => Err(Error::new(404, "Record not found")),
    }
}

/// The actor a search query names when resolved: a handle by WebFinger, a URL by fetching it.
fn resolve(conn: &Connection, remote: &dyn Fetch, query: &str, now: Timestamp) -> Result<Actor> {
    let actor = if query.starts_with("https://") || query.starts_with("http://") {
        people::fetched(conn, remote, query, now)?
    } else {
        let handle = query.trim_start_matches('@');
        if let Some((user, domain)) = actors::parse_handle(handle) {
            if let Some(actor) = stored::by_handle(conn, &user, &domain)? {
                return Ok(actor);
            }
        }
        actors::resolve_handle(conn, remote, handle, now).map_err(actor_error)?
    };
    // Looked at by the owner: filled from its outbox when we hold little of it, as the web
    // page's search does.
    super::backfill::request_account(conn, &actor.uri, now)?;
    Ok(actor)
}

/// An account search: the text, whether to look up a handle or URL we do not hold, how many.
pub struct AccountQuery<'a> {
    pub text: &'a str,
    pub resolve: bool,
    pub limit: usize,
}

/// What an account search found: whether the owner matches, and the remote accounts.
pub struct Accounts {
    pub owner: bool,
    pub actors: Vec<Actor>,
}

/// `/api/v1/accounts/search` and the accounts of `/api/v2/search`: accounts we hold whose
/// name or handle starts with the query; with `resolve`, a handle or URL we do not hold is
/// looked up (a failure to find it is an empty answer, as on Mastodon).
pub fn search(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    username: &str,
    asked: &AccountQuery,
    now: Timestamp,
) -> Result<Accounts> {
    let (resolve_remote, limit) = (asked.resolve, asked.limit);
    let query: String = asked.text.trim().chars().take(MAX_QUERY_CHARS).collect();
    let bare = query.trim_start_matches('@');
    if bare.is_empty() {
        return Ok(Accounts {
            owner: false,
            actors: Vec::new(),
        });
    }
    let (user, domain) = match actors::parse_handle(bare) {
        Some((user, domain)) => (user, Some(domain)),
        None => (bare.to_string(), None),
    };
    let owner_url = query == urls.actor() || query == urls.profile();
    let owner = owner_url
        || (username.to_lowercase().starts_with(&user.to_lowercase())
            && domain
                .as_deref()
                .is_none_or(|d| d.eq_ignore_ascii_case(urls.host())));
    let looks_remote =
        query.starts_with("http://") || query.starts_with("https://") || domain.is_some();
    let mut found = if owner_url || query.starts_with("http") {
        Vec::new()
    } else {
        stored::search(conn, bare, limit)?
    };
    if resolve_remote && looks_remote && !owner && found.is_empty() {
        match resolve(conn, remote, &query, now) {
            Ok(actor) => found.push(actor),
            Err(e) if e.status >= 500 => return Err(e),
            Err(_) => {}
        }
    }
    found.truncate(limit);
    Ok(Accounts {
        owner,
        actors: found,
    })
}

/// A post `/api/v2/search` found by its URL (held, or fetched with `resolve`), as the web
/// page's search finds it.
pub fn search_post(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    query: &str,
    resolve_remote: bool,
    now: Timestamp,
) -> Result<Option<Entry>> {
    let query = query.trim();
    if !(query.starts_with("https://") || query.starts_with("http://")) {
        return Ok(None);
    }
    if let Some(shown) = super::timeline::find(conn, urls, query)? {
        return Ok(Some(super::timeline::entry(conn, urls, 0, shown, None)?));
    }
    if !resolve_remote {
        return Ok(None);
    }
    match super::importer::import(conn, remote, urls, query, now) {
        Ok(post) => Ok(Some(super::timeline::entry(
            conn,
            urls,
            post.id,
            super::timeline::Shown::Remote(Box::new(post)),
            None,
        )?)),
        Err(super::importer::Refused::Database(e)) => Err(e.into()),
        Err(_) => Ok(None),
    }
}

pub fn relationship(conn: &Connection, actor: &Actor) -> Result<Relationship> {
    let ours = stored_follows::get(conn, actor.id, Direction::Out)?.map(|f| f.state);
    let theirs = stored_follows::get(conn, actor.id, Direction::In)?.map(|f| f.state);
    let (reblogs, notify) = stored::follow_options(conn, actor.id)?;
    let following = ours == Some(FollowState::Accepted);
    let requested = ours == Some(FollowState::Pending);
    let mute = restrictions::mute_expiry(conn, actor.id)?;
    Ok(Relationship {
        following,
        showing_reblogs: (following || requested) && reblogs,
        notifying: (following || requested) && notify,
        followed_by: theirs == Some(FollowState::Accepted),
        blocking: restrictions::has(conn, actor.id, Restriction::Block)?,
        blocked_by: stored_actors::is_blocked_by(conn, actor.id)?,
        muting: mute.is_some(),
        mute_expires_at: mute.flatten(),
        requested,
        requested_by: theirs == Some(FollowState::Pending),
        domain_blocking: stored_actors::is_domain_blocked(conn, &actor.domain)?,
        note: stored::note(conn, actor.id)?,
    })
}

/// Follows (or, already following, changes the options of the follow). `reblogs` and `notify`
/// left out keep what was set.
pub fn follow(
    conn: &mut Connection,
    urls: &Urls,
    actor: &Actor,
    reblogs: Option<bool>,
    notify: Option<bool>,
    now: Timestamp,
) -> Result<Relationship> {
    if restrictions::has(conn, actor.id, Restriction::Block)? {
        return Err(Error::new(403, "you block this account; unblock it first"));
    }
    follows::follow(conn, urls, actor, now)?;
    let (old_reblogs, old_notify) = stored::follow_options(conn, actor.id)?;
    stored::set_follow_options(
        conn,
        actor.id,
        reblogs.unwrap_or(old_reblogs),
        notify.unwrap_or(old_notify),
    )?;
    relationship(conn, actor)
}

/// Unfollows; not following already is no error (Mastodon answers the relationship).
pub fn unfollow(
    conn: &mut Connection,
    urls: &Urls,
    actor: &Actor,
    now: Timestamp,
) -> Result<Relationship> {
    store::write(conn, |tx| {
        follows::queue_unfollow(tx, urls, actor, now)?;
        stored::set_follow_options(tx, actor.id, true, false)
    })?;
    relationship(conn, actor)
}

pub fn block(
    conn: &mut Connection,
    urls: &Urls,
    actor: &Actor,
    now: Timestamp,
) -> Result<Relationship> {
    moderation::block(conn, urls, actor, now)?;
    relationship(conn, actor)
}

pub fn unblock(
    conn: &mut Connection,
    urls: &Urls,
    actor: &Actor,
    now: Timestamp,
) -> Result<Relationship> {
    moderation::unblock(conn, urls, actor, now)?;
    relationship(conn, actor)
}

/// Mutes for `duration` seconds (None or 0: until unmuted).
pub fn mute(
    conn: &Connection,
    actor: &Actor,
    duration: Option<i64>,
    now: Timestamp,
) -> Result<Relationship> {
    let expires_at = match duration {
        None | Some(0) => None,
        Some(seconds) if (1..=MAX_MUTE_SECONDS).contains(&seconds) => {
            Some(Timestamp(now.0 + seconds * 1000))
        }
        Some(_) => {
            return Err(Error::new(
                422,
                format!("Validation failed: duration is 0 to {MAX_MUTE_SECONDS} seconds"),
            ))
        }
    };
    restrictions::mute_until(conn, actor.id, expires_at, now)?;
    relationship(conn, actor)
}

pub fn unmute(conn: &Connection, actor: &Actor, now: Timestamp) -> Result<Relationship> {
    moderation::mute(conn, actor, false, now)?;
    relationship(conn, actor)
}

/// Sets the owner's private note on an account.
pub fn set_note(
    conn: &Connection,
    actor: &Actor,
    note: &str,
    now: Timestamp,
) -> Result<Relationship> {
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::new(
            422,
            format!("Validation failed: a note has at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    stored::set_note(conn, actor.id, note.trim(), now)?;
    relationship(conn, actor)
}

/// Followers, follows or follow requests of the owner, newest first, older than `max_id` (a
/// follow's id), with each follow's id for paging.
pub fn people(
    conn: &Connection,
    tab: crate::model::PeopleTab,
    max_id: Option<i64>,
    limit: usize,
) -> Result<Vec<(i64, Actor)>> {
    use crate::model::PeopleTab;
    let (direction, state) = match tab {
        PeopleTab::Followers => (Direction::In, FollowState::Accepted),
        PeopleTab::Following => (Direction::Out, FollowState::Accepted),
        PeopleTab::Requests => (Direction::In, FollowState::Pending),
    };
    Ok(stored_follows::list(conn, direction, state, max_id, limit)?
        .into_iter()
        .map(|(follow, actor)| (follow.id, actor))
        .collect())
}

/// What `/api/v1/accounts/:id/statuses` filters by.
#[derive(Clone, Debug, Default)]
pub struct StatusFilter {
    /// A visitor's view: public and unlisted posts only, and nothing fetched for them.
    pub public_only: bool,
    pub exclude_replies: bool,
    pub only_media: bool,
    pub tagged: Option<String>,
}

/// One page of an account's statuses (`actor`: None for the owner), newest first, and the next
/// older page's key. The first page of a remote account asks the backfill worker for more when
/// we hold few of its posts, as its profile on the web page does.
pub fn statuses(
    conn: &Connection,
    urls: &Urls,
    actor: Option<&Actor>,
    filter: &StatusFilter,
    range: &Range,
    now: Timestamp,
) -> Result<(Vec<Entry>, Option<i64>)> {
    if let (Some(actor), false) = (actor, filter.public_only) {
        if range.max_id.is_none() && range.min_id.is_none() && range.since_id.is_none() {
            super::backfill::request_account(conn, &actor.uri, now)?;
        }
    }
    let tagged = match &filter.tagged {
        Some(tag) => Some(super::lists::tag_name(tag)?),
        None => None,
    };
    let feed = Feed::Account {
        actor: actor.map(|a| a.id),
        exclude_replies: filter.exclude_replies,
        only_media: filter.only_media,
        tagged: tagged.as_deref(),
        public_only: filter.public_only,
    };
    feeds::entries(conn, urls, feed, range)
}

/// An account's pinned posts: the owner's, or those a remote profile features that we hold.
pub fn pinned(conn: &Connection, urls: &Urls, actor: Option<&Actor>) -> Result<Vec<Entry>> {
    let shown: Vec<super::timeline::Shown> = match actor {
        None => store::posts::pinned(conn, store::posts::Audience::Owner)?
            .into_iter()
            .map(super::timeline::Shown::Own)
            .collect(),
        Some(actor) => {
            let mut held = Vec::new();
            for uri in store::fetches::pins(conn, actor.id)? {
                held.extend(store::remote_posts::get_by_uri(conn, &uri)?);
            }
            held.into_iter()
                .map(|p| super::timeline::Shown::Remote(Box::new(p)))
                .collect()
        }
    };
    let items = shown
        .into_iter()
        .map(|s| {
            let id = match &s {
                super::timeline::Shown::Own(p) => p.id,
                super::timeline::Shown::Remote(p) => p.id,
            };
            (id, s, None)
        })
        .collect();
    super::timeline::entries(conn, urls, items)
}

/// Blocked accounts, most recent first.
pub fn blocks(conn: &Connection) -> Result<Vec<Actor>> {
    Ok(restrictions::list(conn, Restriction::Block)?)
}

/// Muted accounts, most recent first, with when each mute ends.
pub fn mutes(conn: &Connection) -> Result<Vec<(Actor, Option<Timestamp>)>> {
    restricted(conn, Restriction::Mute)
}

fn restricted(conn: &Connection, kind: Restriction) -> Result<Vec<(Actor, Option<Timestamp>)>> {
    let mut found = Vec::new();
    for actor in restrictions::list(conn, kind)? {
        let expires = match kind {
            Restriction::Mute => restrictions::mute_expiry(conn, actor.id)?.flatten(),
            Restriction::Block => None,
        };
        found.push((actor, expires));
    }
    Ok(found)
}

/// The domains the owner blocked.
pub fn blocked_domains(conn: &Connection) -> Result<Vec<String>> {
    Ok(restrictions::blocked_domains(conn)?)
}

/// The domains of the accounts we know (`/api/v1/instance/peers`).
pub fn peers(conn: &Connection) -> Result<Vec<String>> {
    let mut domains: Vec<String> = stored::known_domains(conn, 10_000)?;
    domains.dedup();
    Ok(domains)
}

/// The owner's posts in each of the last `weeks` weeks (Mondays, UTC), newest first.
pub fn weekly_posts(
    conn: &Connection,
    now: Timestamp,
    weeks: usize,
) -> Result<Vec<(Timestamp, u64)>> {
    const DAY_MS: i64 = 24 * 3600 * 1000;
    const WEEK_MS: i64 = 7 * DAY_MS;
    // 1970-01-01 was a Thursday: Mondays are 4 days after a multiple of a week.
    let monday = (now.0 - 4 * DAY_MS).div_euclid(WEEK_MS) * WEEK_MS + 4 * DAY_MS;
    let mut out = Vec::with_capacity(weeks);
    for back in 0..weeks as i64 {
        let start = Timestamp(monday - back * WEEK_MS);
        let end = Timestamp(start.0 + WEEK_MS);
        out.push((start, stored::posts_between(conn, start, end)?));
    }
    Ok(out)
}

/// What `update_credentials` changes; None keeps what the profile says.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub fields: Option<Vec<crate::model::Field>>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub avatar: Option<Vec<u8>>,
    pub header: Option<Vec<u8>>,
}

/// Applies `changes` to the owner's profile through the settings page's own checks, and the
/// pictures through its image pipeline; followers hear of it as from the web page.
pub fn update_credentials(
    conn: &mut Connection,
    urls: &Urls,
    username: &str,
    changes: Changes,
    now: Timestamp,
) -> Result<()> {
    use super::profile::{self as owner_profile, Picture};
    let current = owner_profile::get(conn, username)?;
    let texts_change = changes.display_name.is_some()
        || changes.note.is_some()
        || changes.fields.is_some()
        || changes.locked.is_some()
        || changes.bot.is_some()
        || changes.discoverable.is_some();
    let checked = if texts_change {
        let form = owner_profile::ProfileForm {
            display_name: changes.display_name.unwrap_or(current.display_name),
            bio: changes.note.unwrap_or(current.bio_source),
            fields: changes.fields.unwrap_or(current.fields),
            manually_approves_followers: changes
                .locked
                .unwrap_or(current.manually_approves_followers),
            discoverable: changes.discoverable.unwrap_or(current.discoverable),
            bot: changes.bot,
        };
        Some(owner_profile::check(conn, urls, username, &form)?)
    } else {
        None
    };
    // Images are processed before the write lock is taken; everything is written at once and
    // followers get one Update, as from Mastodon.
    let mut pictures = Vec::new();
    for (picture, data) in [
        (Picture::Avatar, changes.avatar),
        (Picture::Header, changes.header),
    ] {
        if let Some(data) = data.filter(|d| !d.is_empty()) {
            pictures.push((picture, owner_profile::process_picture(picture, &data)?));
        }
    }
    if checked.is_none() && pictures.is_empty() {
        return Ok(());
    }
    store::write(conn, |tx| {
        if let Some(checked) = &checked {
            owner_profile::write_checked(tx, checked, now)?;
        }
        for (picture, processed) in &pictures {
            owner_profile::store_picture(tx, *picture, processed, now)?;
        }
        owner_profile::send_update(tx, urls, username, now)
    })
}

/// How many follow requests wait for an answer.
pub fn follow_requests_count(conn: &Connection) -> Result<u64> {
    Ok(stored_follows::count(
        conn,
        Direction::In,
        FollowState::Pending,
    )?)
}

#[cfg(test)]
mod tests;
