//! CSV import and export in Mastodon's formats (its `Export` model and `Form::Import`): the
//! accounts followed, followers, blocks, mutes, blocked domains, bookmarks and lists.
//!
//! An import reads the whole file first (bounded by [`csv::MAX_BYTES`]); a line that cannot be
//! used is reported by number and skipped, never aborting the rest. Follows go out through the
//! durable delivery queue, as any Follow does.

pub mod archive;
pub mod csv;

use std::collections::HashSet;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Actor, Timestamp};
use crate::store::moderation::{self as restrictions, Restriction};
use crate::store::{self, bookmarks, follows, lists, transfer};
use crate::urls::Urls;

use super::actors::{self, Fetch};
use super::{follows as following, moderation};

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Following,
    /// Export only, as in Mastodon: followers cannot be imported.
    Followers,
    Blocks,
    Mutes,
    DomainBlocks,
    Bookmarks,
    Lists,
}

impl Kind {
    /// The names the CLI and the settings form use (Mastodon's export file names, less `.csv`).
    pub fn parse(name: &str) -> Option<Kind> {
        Some(match name {
            "following" | "follows" => Kind::Following,
            "followers" => Kind::Followers,
            "blocks" | "blocked_accounts" => Kind::Blocks,
            "mutes" | "muted_accounts" => Kind::Mutes,
            "domain_blocks" | "blocked_domains" => Kind::DomainBlocks,
            "bookmarks" => Kind::Bookmarks,
            "lists" => Kind::Lists,
            _ => return None,
        })
    }

    pub const NAMES: &'static str =
        "following, followers, blocks, mutes, domain_blocks, bookmarks, lists";
}

/// How an import treats what is there already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Adds what the file names, keeps the rest.
    Merge,
    /// Makes the list what the file says: what it does not name is undone.
    Overwrite,
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Rows applied (including ones already in place).
    pub imported: usize,
    /// Entries the overwrite took away.
    pub removed: usize,
    /// Lines skipped, by line number, with why.
    pub skipped: Vec<csv::BadLine>,
}

/// Mastodon's export, as CSV text.
pub fn export(conn: &Connection, kind: Kind) -> Result<String> {
    let mut out = String::new();
    match kind {
        Kind::Following => {
            out.push_str("Account address,Show boosts,Notify on new posts,Languages\n");
            for actor in transfer::follow_actors(conn, "out", true)? {
                out.push_str(&csv::line(&[&acct(&actor), "true", "false", ""]));
            }
        }
        Kind::Followers => {
            for actor in transfer::follow_actors(conn, "in", false)? {
                out.push_str(&csv::line(&[&acct(&actor)]));
            }
        }
        Kind::Blocks => {
            for actor in transfer::restricted_actors(conn, "block")? {
                out.push_str(&csv::line(&[&acct(&actor)]));
            }
        }
        Kind::Mutes => {
            out.push_str("Account address,Hide notifications\n");
            for actor in transfer::restricted_actors(conn, "mute")? {
                out.push_str(&csv::line(&[&acct(&actor), "true"]));
            }
        }
        Kind::DomainBlocks => {
            for domain in transfer::blocked_domains(conn)? {
                out.push_str(&csv::line(&[&domain]));
            }
        }
        Kind::Bookmarks => {
            for uri in transfer::bookmarks(conn)? {
                out.push_str(&csv::line(&[&uri]));
            }
        }
        Kind::Lists => {
            for (title, actor) in transfer::list_members(conn)? {
                out.push_str(&csv::line(&[&title, &acct(&actor)]));
            }
        }
    }
    Ok(out)
}

/// `user@domain`, as Mastodon writes a remote account in its exports.
fn acct(actor: &Actor) -> String {
    format!("{}@{}", actor.username, actor.domain)
}

/// Imports `text` (a CSV file of `kind`). Accounts not yet known are found by WebFinger.
pub fn import(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    kind: Kind,
    text: &str,
    mode: Mode,
    now: Timestamp,
) -> Result<Report> {
    let (rows, bad) = csv::parse(text).map_err(Error::bad_request)?;
    let headers: &[&str] = match kind {
        Kind::Following | Kind::Blocks | Kind::Mutes => &["Account address"],
        Kind::Lists => &["List name"],
        Kind::DomainBlocks | Kind::Bookmarks => &[],
        Kind::Followers => {
            return Err(Error::bad_request(
                "followers cannot be imported: each follower chooses to follow",
            ))
        }
    };
    let rows = csv::without_header(rows, headers);
    let mut report = Report {
        skipped: bad,
        ..Report::default()
    };
    match kind {
        Kind::DomainBlocks => import_domains(conn, &rows, mode, now, &mut report)?,
        Kind::Bookmarks => import_bookmarks(conn, &rows, mode, now, &mut report)?,
        _ => import_accounts(conn, remote, urls, kind, &rows, mode, now, &mut report)?,
    }
    report.skipped.sort_by_key(|b| b.line);
    Ok(report)
}

fn skip(report: &mut Report, line: usize, reason: impl Into<String>) {
    report.skipped.push(csv::BadLine {
        line,
        reason: reason.into(),
    });
}

fn import_domains(
    conn: &mut Connection,
    rows: &[csv::Row],
    mode: Mode,
    now: Timestamp,
    report: &mut Report,
) -> Result<()> {
    let mut named = HashSet::new();
    store::write(conn, |tx| {
        for row in rows {
            match moderation::normalise_domain(&row.cells[0]) {
                Ok(domain) => {
                    // Through the store, not `moderation::block_domain`: one transaction for
                    // a 10,000-line file. What blocking a domain also removes follows.
                    if restrictions::block_domain(tx, &domain, now)? {
                        follows::delete_in_domain(tx, &domain)?;
                    }
                    named.insert(domain);
                    report.imported += 1;
                }
                Err(e) => skip(report, row.line, e.message),
            }
        }
        if mode == Mode::Overwrite {
            for domain in transfer::blocked_domains(tx)? {
                if !named.contains(&domain) {
                    restrictions::unblock_domain(tx, &domain)?;
                    report.removed += 1;
                }
            }
        }
        Ok::<_, Error>(())
    })
}

fn import_bookmarks(
    conn: &mut Connection,
    rows: &[csv::Row],
    mode: Mode,
    now: Timestamp,
    report: &mut Report,
) -> Result<()> {
    let mut named = HashSet::new();
    store::write(conn, |tx| {
        for row in rows {
            let uri = row.cells[0].as_str();
            let valid = url::Url::parse(uri)
                .ok()
                .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !valid {
                skip(report, row.line, "not an http(s) URL of a post");
                continue;
            }
            // Kept by id: the post is fetched when the bookmarks are shown, as any bookmark.
            bookmarks::add(tx, uri, now)?;
            named.insert(uri.to_string());
            report.imported += 1;
        }
        if mode == Mode::Overwrite {
            for uri in transfer::bookmarks(tx)? {
                if !named.contains(&uri) {
                    bookmarks::remove(tx, &uri)?;
                    report.removed += 1;
                }
            }
        }
        Ok::<_, Error>(())
    })
}

#[allow(clippy::too_many_arguments)]
fn import_accounts(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    kind: Kind,
    rows: &[csv::Row],
    mode: Mode,
    now: Timestamp,
    report: &mut Report,
) -> Result<()> {
    let handle_column = if kind == Kind::Lists { 1 } else { 0 };
    let mut named: HashSet<i64> = HashSet::new();
    let mut named_lists: HashSet<i64> = HashSet::new();
    for row in rows {
        if kind == Kind::Following || kind == Kind::Mutes {
            // The columns are read only to report a malformed one; Perch has no per-follow
            // boost or notification settings, nor mutes that keep notifications.
            let checked = csv::boolean(row.cells.get(1), true)
                .and_then(|_| csv::boolean(row.cells.get(2), false));
            if let Err(e) = checked {
                skip(report, row.line, e);
                continue;
            }
        }
        let Some(handle) = row.cells.get(handle_column) else {
            skip(report, row.line, "the account address is missing");
            continue;
        };
        let actor = match find_account(conn, remote, urls, handle, now) {
            Ok(actor) => actor,
            Err(reason) => {
                skip(report, row.line, format!("{handle}: {reason}"));
                continue;
            }
        };
        let applied = match kind {
            Kind::Following => following::follow(conn, urls, &actor, now),
            Kind::Blocks => moderation::block(conn, urls, &actor, now),
            Kind::Mutes => moderation::mute(conn, &actor, true, now),
            Kind::Lists => add_to_list(conn, urls, &row.cells[0], &actor, now).map(|list| {
                named_lists.insert(list);
            }),
            Kind::DomainBlocks | Kind::Bookmarks | Kind::Followers => Ok(()),
        };
        match applied {
            Ok(()) => {
                named.insert(actor.id);
                report.imported += 1;
            }
            Err(e) if e.status >= 500 => return Err(e),
            Err(e) => skip(report, row.line, format!("{handle}: {}", e.message)),
        }
    }
    if mode == Mode::Overwrite {
        report.removed += overwrite_accounts(conn, urls, kind, &named, &named_lists, now)?;
    }
    Ok(())
}

/// Undoes what the file did not name; returns how many.
fn overwrite_accounts(
    conn: &mut Connection,
    urls: &Urls,
    kind: Kind,
    named: &HashSet<i64>,
    named_lists: &HashSet<i64>,
    now: Timestamp,
) -> Result<usize> {
    let mut removed = 0;
    match kind {
        Kind::Following => {
            for actor in transfer::follow_actors(conn, "out", true)? {
                if !named.contains(&actor.id) {
                    following::unfollow(conn, urls, &actor, now)?;
                    removed += 1;
                }
            }
        }
        Kind::Blocks => {
            for actor in transfer::restricted_actors(conn, "block")? {
                if !named.contains(&actor.id) {
                    moderation::unblock(conn, urls, &actor, now)?;
                    removed += 1;
                }
            }
        }
        Kind::Mutes => {
            for actor in transfer::restricted_actors(conn, "mute")? {
                if !named.contains(&actor.id) {
                    restrictions::remove(conn, actor.id, Restriction::Mute)?;
                    removed += 1;
                }
            }
        }
        Kind::Lists => {
            // Only the lists the file names are rewritten; others are left alone.
            for &list in named_lists {
                for actor in lists::members(conn, list, 0, csv::MAX_ROWS)? {
                    if !named.contains(&actor.id) {
                        lists::remove_member(conn, list, actor.id)?;
                        removed += 1;
                    }
                }
            }
        }
        Kind::DomainBlocks | Kind::Bookmarks | Kind::Followers => {}
    }
    Ok(removed)
}

/// Adds the account to the list of that title (made when missing) and follows it when not yet
/// followed, as Mastodon's list import does. Returns the list's id.
fn add_to_list(
    conn: &mut Connection,
    urls: &Urls,
    title: &str,
    actor: &Actor,
    now: Timestamp,
) -> Result<i64> {
    let list = match transfer::list_by_title(conn, title)? {
        Some(id) => id,
        None => super::lists::create(conn, title, None, false, now)?.id,
    };
    if !follows::is_following(conn, actor.id)?
        && follows::get(conn, actor.id, follows::Direction::Out)?.is_none()
    {
        following::follow(conn, urls, actor, now)?;
    }
    lists::add_member(conn, list, actor.id)?;
    Ok(list)
}

/// The account behind `user@domain`: the stored one, else found by WebFinger.
fn find_account(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    handle: &str,
    now: Timestamp,
) -> std::result::Result<Actor, String> {
    let (user, domain) =
        actors::parse_handle(handle).ok_or("not an account address like user@domain")?;
    if urls
        .acct()
        .eq_ignore_ascii_case(&format!("acct:{user}@{domain}"))
    {
        return Err("that is this account".into());
    }
    if let Some(actor) =
        transfer::actor_by_handle(conn, &user, &domain).map_err(|e| e.to_string())?
    {
        return Ok(actor);
    }
    actors::resolve_handle(conn, remote, handle, now).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
