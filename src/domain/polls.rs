//! Polls both ways (issue 15 item 3): the owner's polls (made with a post, federated as a
//! `Question`), votes in them from other servers, the owner's votes in others' polls, and the
//! worker that sends the totals as a throttled `Update` and tells the owner when a poll ended.
//! The web page and the API both come here.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::delivery;
use crate::error::{Error, Result};
use crate::federation::build;
use crate::model::{NotificationKind, Poll, Timestamp};
use crate::store::{self, notifications, polls as stored, posts, remote_posts};
use crate::urls::Urls;

use super::stream::{self, Event};

/// Mastodon's limits, published in the instance configuration.
pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 4;
pub const MAX_CHARS_PER_OPTION: usize = 50;
pub const MIN_EXPIRATION_SECS: i64 = 5 * 60;
pub const MAX_EXPIRATION_SECS: i64 = 7 * 24 * 60 * 60;
/// Votes are gathered for this long before one `Update` carries the new totals.
pub const UPDATE_GAP_MS: i64 = 60 * 1000;
const BATCH: usize = 50;

/// A poll as the owner asks for it (the compose form, `poll[...]` in the API, a scheduled post).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct NewPoll {
    pub options: Vec<String>,
    /// Seconds from publication.
    pub expires_in: i64,
    #[serde(default)]
    pub multiple: bool,
    #[serde(default)]
    pub hide_totals: bool,
}

/// The options trimmed and checked against the limits, or a 422 naming the first problem.
pub fn check(poll: &NewPoll) -> Result<Vec<String>> {
    let options: Vec<String> = poll.options.iter().map(|o| o.trim().to_string()).collect();
    if options.len() < MIN_OPTIONS || options.len() > MAX_OPTIONS {
        return Err(Error::new(
            422,
            format!("Validation failed: a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options"),
        ));
    }
    if options.iter().any(String::is_empty) {
        return Err(Error::new(422, "Validation failed: a poll option is empty"));
    }
    if options
        .iter()
        .any(|o| o.chars().count() > MAX_CHARS_PER_OPTION)
    {
        return Err(Error::new(
            422,
            format!(
                "Validation failed: a poll option is longer than {MAX_CHARS_PER_OPTION} characters"
            ),
        ));
    }
    if options
        .iter()
        .enumerate()
        .any(|(i, o)| options[..i].contains(o))
    {
        return Err(Error::new(
            422,
            "Validation failed: poll options must differ",
        ));
    }
    if !(MIN_EXPIRATION_SECS..=MAX_EXPIRATION_SECS).contains(&poll.expires_in) {
        return Err(Error::new(
            422,
            format!(
                "Validation failed: a poll runs from {} minutes to {} days",
                MIN_EXPIRATION_SECS / 60,
                MAX_EXPIRATION_SECS / 86_400
            ),
        ));
    }
    Ok(options)
}

/// Stores the poll of a post being published, in the caller's transaction (`options` from
/// [`check`]).
pub(super) fn attach(
    tx: &Connection,
    urls: &Urls,
    post_id: i64,
    poll: &NewPoll,
    options: &[String],
    now: Timestamp,
) -> rusqlite::Result<()> {
    stored::insert_own(
        tx,
        post_id,
        &urls.post(post_id),
        &stored::NewPoll {
            options,
            multiple: poll.multiple,
            hide_totals: poll.hide_totals,
            expires_at: Timestamp(now.0 + poll.expires_in * 1000),
        },
        now,
    )
}

/// A poll by its API id (its post's id), ours or one we hold.
pub fn get(conn: &Connection, id: i64) -> Result<Poll> {
    if let Some(post) = posts::get(conn, id)? {
        return post.poll.map(|p| *p).ok_or_else(Error::not_found);
    }
    remote_posts::get_many(conn, &[id])?
        .pop()
        .and_then(|post| post.poll)
        .ok_or_else(Error::not_found)
}

/// The owner votes in someone else's poll: `choices` are option positions (one unless the poll
/// is multiple choice). Each choice goes to the poll's author as a `Create` of a `Note` named
/// as the option, addressed to them alone, as Mastodon sends it.
pub fn vote(
    conn: &mut Connection,
    urls: &Urls,
    id: i64,
    choices: &[usize],
    now: Timestamp,
) -> Result<Poll> {
    if posts::get(conn, id)?.is_some_and(|p| p.poll.is_some()) {
        return Err(Error::new(
            422,
            "Validation failed: votes in your own polls come from others",
        ));
    }
    let post = remote_posts::get_many(conn, &[id])?
        .pop()
        .ok_or_else(Error::not_found)?;
    let poll = post.poll.clone().ok_or_else(Error::not_found)?;
    if poll.expired(now) {
        return Err(Error::new(422, "Validation failed: the poll has ended"));
    }
    let mut wanted: Vec<usize> = choices.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() || wanted.iter().any(|c| *c >= poll.options.len()) {
        return Err(Error::new(
            422,
            "Validation failed: choose among the options",
        ));
    }
    if !poll.multiple && wanted.len() > 1 {
        return Err(Error::new(
            422,
            "Validation failed: the poll takes one choice",
        ));
    }
    store::write(conn, |tx| {
        if stored::has_voted(tx, id, None)? {
            return Err(Error::new(
                422,
                "Validation failed: You have already voted on this poll",
            ));
        }
        stored::track_remote(tx, id, &post.uri, &poll, now)?;
        for &choice in &wanted {
            let vote_id = format!("{}#votes/{}", urls.actor(), store::new_id(now));
            stored::add_vote(tx, id, None, choice, Some(&vote_id), now)?;
            let activity = build::vote(
                urls,
                &vote_id,
                &post.uri,
                &post.actor.uri,
                &poll.options[choice].title,
                now,
            );
            delivery::enqueue(
                tx,
                &activity,
                std::slice::from_ref(&post.actor.inbox),
                urls.origin(),
                now,
            )?;
        }
        Ok(())
    })?;
    stream::publish(Event::Edited(post.uri.as_str().into()));
    get(conn, id)
}

/// A vote from another server in one of our polls, already proven to be the actor's own.
#[derive(Clone, Debug)]
pub struct IncomingVote<'a> {
    pub actor_id: i64,
    /// The Question it answers (`inReplyTo`).
    pub question: &'a str,
    /// The option's title (`name`).
    pub option: &'a str,
    pub activity_uri: &'a str,
}

/// Why an incoming vote changed nothing (None: it was counted).
pub fn count_vote(
    tx: &Connection,
    vote: &IncomingVote,
    now: Timestamp,
) -> rusqlite::Result<Option<&'static str>> {
    let Some(row) = stored::get_row(tx, vote.question)?.filter(|r| r.own) else {
        return Ok(Some("a vote in a poll we do not have"));
    };
    if row.ended || row.expires_at.is_some_and(|end| end.0 <= now.0) {
        return Ok(Some("a vote after the poll ended"));
    }
    let Some(poll) = posts::get(tx, row.post_id)?.and_then(|p| p.poll) else {
        return Ok(Some("a vote in a poll we do not have"));
    };
    let Some(choice) = poll.options.iter().position(|o| o.title == vote.option) else {
        return Ok(Some("a vote for an option the poll does not have"));
    };
    if !poll.multiple && stored::has_voted(tx, row.post_id, Some(vote.actor_id))? {
        return Ok(Some("a second vote in a single-choice poll"));
    }
    if !stored::add_vote(
        tx,
        row.post_id,
        Some(vote.actor_id),
        choice,
        Some(vote.activity_uri),
        now,
    )? {
        return Ok(Some("a vote counted already"));
    }
    Ok(None)
}

/// Sends the totals of our polls as a throttled `Update`, and tells the owner about polls that
/// ended (ours, and those the owner voted in). `run_once(now)` steps it by hand.
pub struct PollWorker {
    conn: Connection,
    urls: Urls,
}

/// What one step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Step {
    pub updates: usize,
    pub ended: usize,
}

impl PollWorker {
    pub fn new(conn: Connection, urls: Urls) -> PollWorker {
        PollWorker { conn, urls }
    }

    pub fn run_once(&mut self, now: Timestamp) -> std::result::Result<Step, String> {
        let fail = |e: Error| format!("polls: {e}");
        let mut step = Step::default();
        // Ends first, so a poll that ended carries `closed` in its last Update.
        let ending = stored::due_ends(&self.conn, now, BATCH).map_err(|e| format!("polls: {e}"))?;
        for row in ending {
            let urls = &self.urls;
            store::write(&mut self.conn, |tx| end(tx, urls, &row, now)).map_err(fail)?;
            step.ended += 1;
        }
        let due = stored::due_updates(&self.conn, now, UPDATE_GAP_MS, BATCH)
            .map_err(|e| format!("polls: {e}"))?;
        for post_id in due {
            let urls = &self.urls;
            store::write(&mut self.conn, |tx| send_totals(tx, urls, post_id, now)).map_err(fail)?;
            step.updates += 1;
        }
        if step.ended > 0 {
            stream::publish(Event::Notified);
        }
        Ok(step)
    }

    pub fn next_due(&self) -> std::result::Result<Option<Timestamp>, String> {
        stored::next_due(&self.conn, UPDATE_GAP_MS).map_err(|e| format!("polls: {e}"))
    }
}

/// Queues an `Update` of our poll's Question with its totals for the post's audience.
fn send_totals(tx: &Connection, urls: &Urls, post_id: i64, now: Timestamp) -> Result<()> {
    stored::mark_sent(tx, post_id, now)?;
    if let Some(post) = posts::get(tx, post_id)? {
        super::posts::send(
            tx,
            urls,
            &post,
            &build::update_question(urls, &post, now),
            now,
        )?;
    }
    Ok(())
}

/// Marks a poll ended and notifies the owner, once (the notification is keyed on the poll); for
/// ours, the closing totals go out too.
fn end(tx: &Connection, urls: &Urls, row: &stored::PollRow, now: Timestamp) -> Result<()> {
    stored::mark_ended(tx, row.post_id, now)?;
    let author = if row.own {
        None
    } else {
        match remote_posts::get_by_uri(tx, &row.uri)? {
            Some(post) => Some(post.actor.id),
            // The post was deleted: nothing to show.
            None => return Ok(()),
        }
    };
    let key = format!("{}#poll-ended", row.uri);
    notifications::insert(
        tx,
        NotificationKind::Poll,
        author,
        Some(&row.uri),
        Some(&key),
        None,
        now,
    )?;
    if row.own {
        send_totals(tx, urls, row.post_id, now)?;
    }
    Ok(())
}

/// Runs the worker on its own thread until `stop` is set.
pub fn spawn(
    mut worker: PollWorker,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    const PAUSE: std::time::Duration = std::time::Duration::from_secs(5);
    std::thread::Builder::new()
        .name("perch-polls".into())
        .spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Err(e) = worker.run_once(Timestamp::now()) {
                    crate::log::warn("polls", "worker run failed", &[("error", &e)]);
                }
                let pause = match worker.next_due() {
                    Ok(Some(due)) => {
                        let wait = due.0.saturating_sub(Timestamp::now().0).max(0) as u64;
                        std::time::Duration::from_millis(wait).min(PAUSE)
                    }
                    _ => PAUSE,
                };
                std::thread::park_timeout(pause);
            }
        })
}
