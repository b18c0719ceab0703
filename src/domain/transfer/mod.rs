//! CSV import and export in Mastodon's formats (its `Export` model and `Form::Import`): the
//! accounts followed, followers, blocks, mutes, blocked domains, bookmarks and lists.
//!
//! An import reads the whole file first (bounded by [`csv::MAX_BYTES`]) and queues its lines as
//! a job in the database; the server's worker (or `perch import` in the foreground) applies them,
//! a line that asks other servers at most every [`NETWORK_PACE_MS`], so the settings page can
//! show progress and a restart loses nothing. A line that cannot be used is reported by number
//! and skipped, never aborting the rest. Follows go out through the durable delivery queue, as
//! any Follow does.

pub mod archive;
pub mod csv;

use std::collections::HashSet;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{Actor, FollowState, ImportJob, Timestamp};
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

    /// The name a queued import is stored under (and the export's file name).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Following => "following",
            Kind::Followers => "followers",
            Kind::Blocks => "blocks",
            Kind::Mutes => "mutes",
            Kind::DomainBlocks => "domain_blocks",
            Kind::Bookmarks => "bookmarks",
            Kind::Lists => "lists",
        }
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

/// Imports `text` (a CSV file of `kind`) in the foreground, as `perch import` does: the same
/// job the settings page queues, worked through at once, waiting the polite pace between lines
/// that ask the network. Accounts not yet known are found by WebFinger.
pub fn import(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    kind: Kind,
    text: &str,
    mode: Mode,
) -> Result<Report> {
    let job = queue(conn, kind, text, mode, false, Timestamp::now())?;
    let mut pace = Pace::default();
    loop {
        let now = Timestamp::now();
        match run_job(conn, remote, urls, job, now, &mut pace)? {
            Progress::Finished => return report(conn, job),
            Progress::Waiting(until) => std::thread::sleep(std::time::Duration::from_millis(
                (until.0 - now.0).max(1) as u64,
            )),
            Progress::Applied(_) => {}
            // Only when the job's row is gone (another process removed it): nothing to wait for.
            Progress::Idle => return Err(Error::new(409, "the import was removed while running")),
        }
    }
}

/// The least time between two lines that ask other servers (a WebFinger look-up, an actor's
/// document, a Follow): 1,000 follows take about 17 minutes, and no server sees a burst.
pub const NETWORK_PACE_MS: i64 = 1_000;
/// Lines applied per run: a run is short, so a stop or a page view waits little.
const BATCH: usize = 200;

/// When the next line that asks the network may go.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    next_network_at: Timestamp,
}

impl Default for Pace {
    fn default() -> Pace {
        Pace {
            next_network_at: Timestamp(0),
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// No import is waiting.
    Idle,
    /// Lines applied or skipped; more may be due at once.
    Applied(usize),
    /// The next line asks the network, not before then.
    Waiting(Timestamp),
    /// The job's last line is done (and its overwrite).
    Finished,
}

/// Queues `text` as an import of `kind`; lines that cannot be read are recorded as skipped. A
/// `background` job is the server's worker's; the CLI works through its own.
pub fn queue(
    conn: &mut Connection,
    kind: Kind,
    text: &str,
    mode: Mode,
    background: bool,
    now: Timestamp,
) -> Result<i64> {
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
    store::write(conn, |tx| {
        let job = transfer::insert_import_job(
            tx,
            kind.name(),
            mode == Mode::Overwrite,
            background,
            now.0,
        )?;
        for row in &rows {
            let cells = serde_json::to_string(&row.cells).unwrap_or_else(|_| "[]".into());
            transfer::insert_import_row(tx, job, row.line as i64, &cells, None)?;
        }
        for line in &bad {
            transfer::insert_import_row(tx, job, line.line as i64, "[]", Some(&line.reason))?;
        }
        Ok(job)
    })
}

/// Works on the oldest background import: the server's worker calls this.
pub fn run_imports(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    now: Timestamp,
    pace: &mut Pace,
) -> Result<Progress> {
    match transfer::unfinished_import_job(conn)? {
        Some(job) => run_job(conn, remote, urls, job.id, now, pace),
        None => Ok(Progress::Idle),
    }
}

/// Applies the next lines of `job`: lines that stay in this database at once (a batch), at most
/// one that asks the network, and once none is left, the overwrite.
pub fn run_job(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    job: i64,
    now: Timestamp,
    pace: &mut Pace,
) -> Result<Progress> {
    let Some(record) = transfer::import_job(conn, job)? else {
        return Ok(Progress::Idle);
    };
    if record.finished_at.is_some() {
        return Ok(Progress::Finished);
    }
    let rows = transfer::pending_import_rows(conn, job, BATCH)?;
    let Some(kind) = Kind::parse(&record.kind).filter(|_| !rows.is_empty()) else {
        let removed = if record.overwrite {
            overwrite(conn, urls, job, Kind::parse(&record.kind), now)?
        } else {
            0
        };
        transfer::finish_import_job(conn, job, removed as i64, now.0)?;
        return Ok(Progress::Finished);
    };
    let cells = |row: &transfer::ImportRow| -> Vec<String> {
        serde_json::from_str(&row.cells).unwrap_or_default()
    };
    if matches!(kind, Kind::DomainBlocks | Kind::Bookmarks) {
        // Nothing asks the network: the whole batch in one transaction.
        store::write(conn, |tx| {
            for row in &rows {
                let cells = cells(row);
                let cell = cells.first().map_or("", String::as_str);
                let outcome = match kind {
                    Kind::DomainBlocks => apply_domain(tx, cell, now)?,
                    _ => apply_bookmark(tx, cell, now)?,
                };
                let outcome = outcome.as_ref().map(|t| (t.as_str(), None));
                transfer::finish_import_row(tx, job, row.line, outcome.map_err(String::as_str))?;
            }
            Ok::<_, Error>(())
        })?;
        return Ok(Progress::Applied(rows.len()));
    }
    let mut applied = 0;
    for row in &rows {
        let cells = cells(row);
        let networked = asks_network(conn, urls, kind, &cells)?;
        if networked && now < pace.next_network_at {
            return Ok(if applied > 0 {
                Progress::Applied(applied)
            } else {
                Progress::Waiting(pace.next_network_at)
            });
        }
        let outcome = apply_account(conn, remote, urls, kind, &cells, now)?;
        let outcome = outcome
            .as_ref()
            .map(|(actor, list)| (actor.as_str(), *list));
        store::write(conn, |tx| {
            transfer::finish_import_row(tx, job, row.line, outcome.map_err(String::as_str))
        })?;
        applied += 1;
        if networked {
            pace.next_network_at = Timestamp(now.0 + NETWORK_PACE_MS);
        }
    }
    Ok(Progress::Applied(applied))
}

/// What a job did so far: applied lines, what the overwrite removed, skipped lines with why.
pub fn report(conn: &Connection, job: i64) -> Result<Report> {
    let record =
        transfer::import_job(conn, job)?.ok_or_else(|| Error::new(404, "no such import"))?;
    Ok(Report {
        imported: record.done as usize,
        removed: record.removed as usize,
        skipped: skipped_lines(conn, job, csv::MAX_ROWS)?,
    })
}

/// The newest imports, for the settings page, each with its first skipped lines.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<(ImportJob, Vec<csv::BadLine>)>> {
    let mut jobs = Vec::new();
    for job in transfer::recent_import_jobs(conn, limit)? {
        let skipped = skipped_lines(conn, job.id, 20)?;
        jobs.push((job, skipped));
    }
    Ok(jobs)
}

fn skipped_lines(conn: &Connection, job: i64, limit: usize) -> Result<Vec<csv::BadLine>> {
    Ok(transfer::skipped_import_rows(conn, job, limit)?
        .into_iter()
        .map(|(line, reason)| csv::BadLine {
            line: line as usize,
            reason,
        })
        .collect())
}

fn apply_domain(
    tx: &Connection,
    cell: &str,
    now: Timestamp,
) -> Result<std::result::Result<String, String>> {
    match moderation::normalise_domain(cell) {
        Ok(domain) => {
            // Through the store, not `moderation::block_domain`: one transaction for a batch.
            // What blocking a domain also removes follows.
            if restrictions::block_domain(tx, &domain, now)? {
                follows::delete_in_domain(tx, &domain)?;
            }
            Ok(Ok(domain))
        }
        Err(e) => Ok(Err(e.message)),
    }
}

fn apply_bookmark(
    tx: &Connection,
    uri: &str,
    now: Timestamp,
) -> Result<std::result::Result<String, String>> {
    let valid = url::Url::parse(uri)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !valid {
        return Ok(Err("not an http(s) URL of a post".into()));
    }
    // Kept by id: the post is fetched when the bookmarks are shown, as any bookmark.
    bookmarks::add(tx, uri, now)?;
    Ok(Ok(uri.to_string()))
}

fn handle_column(kind: Kind) -> usize {
    if kind == Kind::Lists {
        1
    } else {
        0
    }
}

/// The columns Perch reads only to report a malformed one: it has no per-follow boost or
/// notification settings, nor mutes that keep notifications.
fn check_columns(kind: Kind, cells: &[String]) -> std::result::Result<(), String> {
    if kind == Kind::Following || kind == Kind::Mutes {
        csv::boolean(cells.get(1), true).and_then(|_| csv::boolean(cells.get(2), false))?;
    }
    Ok(())
}

/// Whether applying this line asks other servers: an account not stored yet, or a Follow.
fn asks_network(conn: &Connection, urls: &Urls, kind: Kind, cells: &[String]) -> Result<bool> {
    if check_columns(kind, cells).is_err() {
        return Ok(false);
    }
    let Some(handle) = cells.get(handle_column(kind)) else {
        return Ok(false);
    };
    let Ok(Some(actor)) = stored_account(conn, urls, handle) else {
        // Not an address (skipped at once) or not stored (found by WebFinger).
        return Ok(actors::parse_handle(handle).is_some());
    };
    let follow = follows::get(conn, actor.id, follows::Direction::Out)?;
    Ok(match kind {
        // `queue_follow` sends a Follow again unless it was accepted; a list follows only anew.
        Kind::Following => !follow.is_some_and(|f| f.state == FollowState::Accepted),
        Kind::Lists => follow.is_none(),
        _ => false,
    })
}

/// Applies one account line: Ok(Ok((actor id, list))) when applied, Ok(Err(why)) when skipped.
#[allow(clippy::type_complexity)]
fn apply_account(
    conn: &mut Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    kind: Kind,
    cells: &[String],
    now: Timestamp,
) -> Result<std::result::Result<(String, Option<i64>), String>> {
    if let Err(e) = check_columns(kind, cells) {
        return Ok(Err(e));
    }
    let Some(handle) = cells.get(handle_column(kind)) else {
        return Ok(Err("the account address is missing".into()));
    };
    let actor = match find_account(conn, remote, urls, handle, now) {
        Ok(actor) => actor,
        Err(reason) => return Ok(Err(format!("{handle}: {reason}"))),
    };
    let applied = match kind {
        Kind::Following => following::follow(conn, urls, &actor, now).map(|()| None),
        Kind::Blocks => moderation::block(conn, urls, &actor, now).map(|()| None),
        Kind::Mutes => moderation::mute(conn, &actor, true, now).map(|()| None),
        Kind::Lists => add_to_list(conn, urls, &cells[0], &actor, now).map(Some),
        Kind::DomainBlocks | Kind::Bookmarks | Kind::Followers => Ok(None),
    };
    match applied {
        Ok(list) => Ok(Ok((actor.id.to_string(), list))),
        Err(e) if e.status >= 500 => Err(e),
        Err(e) => Ok(Err(format!("{handle}: {}", e.message))),
    }
}

/// Undoes what the job's file did not name; returns how many.
fn overwrite(
    conn: &mut Connection,
    urls: &Urls,
    job: i64,
    kind: Option<Kind>,
    now: Timestamp,
) -> Result<usize> {
    let targets = transfer::import_targets(conn, job)?;
    let named: HashSet<&str> = targets.iter().map(|(t, _)| t.as_str()).collect();
    let mut removed = 0;
    match kind {
        Some(Kind::DomainBlocks) => store::write(conn, |tx| {
            for domain in transfer::blocked_domains(tx)? {
                if !named.contains(domain.as_str()) {
                    restrictions::unblock_domain(tx, &domain)?;
                    removed += 1;
                }
            }
            Ok::<_, Error>(())
        })?,
        Some(Kind::Bookmarks) => store::write(conn, |tx| {
            for uri in transfer::bookmarks(tx)? {
                if !named.contains(uri.as_str()) {
                    bookmarks::remove(tx, &uri)?;
                    removed += 1;
                }
            }
            Ok::<_, Error>(())
        })?,
        Some(kind) => {
            let actors: HashSet<i64> = named.iter().filter_map(|t| t.parse().ok()).collect();
            let lists: HashSet<i64> = targets.iter().filter_map(|(_, list)| *list).collect();
            removed = overwrite_accounts(conn, urls, kind, &actors, &lists, now)?;
        }
        None => {}
    }
    Ok(removed)
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

/// The stored account behind `user@domain`, without asking the network; Err when the line
/// cannot name an account.
fn stored_account(
    conn: &Connection,
    urls: &Urls,
    handle: &str,
) -> std::result::Result<Option<Actor>, String> {
    let (user, domain) =
        actors::parse_handle(handle).ok_or("not an account address like user@domain")?;
    if urls
        .acct()
        .eq_ignore_ascii_case(&format!("acct:{user}@{domain}"))
    {
        return Err("that is this account".into());
    }
    transfer::actor_by_handle(conn, &user, &domain).map_err(|e| e.to_string())
}

/// The account behind `user@domain`: the stored one, else found by WebFinger.
fn find_account(
    conn: &Connection,
    remote: &dyn Fetch,
    urls: &Urls,
    handle: &str,
    now: Timestamp,
) -> std::result::Result<Actor, String> {
    if let Some(actor) = stored_account(conn, urls, handle)? {
        return Ok(actor);
    }
    actors::resolve_handle(conn, remote, handle, now).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
