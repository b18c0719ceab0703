//! The inbox: what Perch does with an activity sent to it.
//!
//! Two halves, as in Lemmy's activitypub-federation crate. `verify` proves, before anything is
//! stored, that a request may do what it claims (signature, key owner, origin); the web handler
//! then hands it to the one writer of the `inbound` queue (`writer`, which commits rows in batches)
//! and answers 202 once it is stored. The worker (`worker`) takes queued activities in
//! order and hands each to one `on_<type>` function through the `match` in [`handle`]; those
//! apply the rules of each activity (who may undo what, which Accept counts, which posts we keep).
//!
//! Every handler's effects and the marking of its inbound row happen in one transaction
//! ([`Context::apply`]), so a crash never applies an activity twice or loses it.

pub mod activity;
pub mod follows;
mod interactions;
mod moves;
mod notes;
mod quotes;
mod reactions;
pub mod verify;
mod votes;
pub mod worker;
pub mod writer;

use std::cell::{Cell, RefCell};

use rusqlite::{Connection, Transaction};

use crate::federation::vocab::same_authority;
use crate::model::{Actor, Timestamp};
use crate::store::moderation::{self, Restriction};
use crate::store::{self, inbound, posts};
use crate::urls::Urls;

use super::actors::{self, ActorError, Fetch};
use super::stream::{self, Event};

pub use crate::store::inbound::NewInbound;
pub use activity::Activity;
pub use notes::note_row;
pub use worker::{process_due, spawn, InboxWorker};
pub use writer::InboundWriter;

/// A host whose signature to us was RFC 9421 takes one too: our next delivery knocks so first.
/// Called after the signature verified; a failure to note it only costs a second knock later.
pub fn note_signature_scheme(conn: &Connection, key_id: &str, kind: &str, now: Timestamp) {
    let (Some(host), Some(scheme)) = (
        crate::federation::vocab::authority(key_id),
        crate::federation::signatures::Scheme::parse(kind),
    ) else {
        return;
    };
    if scheme != crate::federation::signatures::Scheme::Rfc9421 {
        return;
    }
    if let Err(e) = crate::delivery::knock::learn_from_inbound(conn, &host, scheme, now) {
        crate::log::warn(
            "inbox",
            "cannot note the signature scheme",
            &[("error", &e)],
        );
    }
}

/// What became of an activity that was handled without failing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Nothing to do; the reason is kept on the inbound row.
    Ignored(&'static str),
}

impl Outcome {
    fn note(&self) -> Option<String> {
        match self {
            Outcome::Applied => None,
            Outcome::Ignored(why) => Some(format!("ignored: {why}")),
        }
    }
}

/// Why handling failed: `Transient` is tried again later (the network, a busy database),
/// `Permanent` is recorded and the activity dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Transient(String),
    Permanent(String),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Failure {
        Failure::Transient(format!("database: {e}"))
    }
}

impl From<ActorError> for Failure {
    fn from(e: ActorError) -> Failure {
        if e.is_transient() {
            Failure::Transient(e.to_string())
        } else {
            Failure::Permanent(e.to_string())
        }
    }
}

/// A refusal on principle (an origin rule broken): recorded, never retried.
fn refused(why: &str) -> Failure {
    Failure::Permanent(format!("refused: {why}"))
}

/// What every handler gets besides the database: our URLs, the remote web, the time, and the
/// inbound row it works for.
pub struct Context<'a> {
    pub urls: &'a Urls,
    pub remote: &'a dyn Fetch,
    pub now: Timestamp,
    inbound_id: Option<i64>,
    marked: Cell<bool>,
    /// What the streaming API hears once the handler's transaction commits.
    events: RefCell<Vec<Event>>,
}

impl<'a> Context<'a> {
    pub fn new(
        urls: &'a Urls,
        remote: &'a dyn Fetch,
        now: Timestamp,
        inbound_id: Option<i64>,
    ) -> Context<'a> {
        Context {
            urls,
            remote,
            now,
            inbound_id,
            marked: Cell::new(false),
            events: RefCell::new(Vec::new()),
        }
    }

    /// Runs a handler's writes in one transaction together with marking its inbound row done.
    pub fn apply(
        &self,
        conn: &mut Connection,
        work: impl FnOnce(&Transaction) -> Result<Outcome, Failure>,
    ) -> Result<Outcome, Failure> {
        let outcome = store::write(conn, |tx| {
            let outcome = work(tx)?;
            if let Some(id) = self.inbound_id {
                inbound::mark_processed(tx, id, outcome.note().as_deref(), self.now)?;
            }
            Ok::<_, Failure>(outcome)
        });
        let events = std::mem::take(&mut *self.events.borrow_mut());
        let outcome = outcome?;
        // Only now can another connection read what the events name.
        events.into_iter().for_each(stream::publish);
        self.marked.set(self.inbound_id.is_some());
        Ok(outcome)
    }

    /// Publishes `event` to the streaming API when the transaction of [`Context::apply`] that
    /// is running commits (dropped if it rolls back).
    fn emit(&self, event: Event) {
        self.events.borrow_mut().push(event);
    }

    /// Whether [`Context::apply`] already marked the inbound row.
    fn marked(&self) -> bool {
        self.marked.get()
    }

    /// The activity's actor, from the store or fetched.
    fn actor(&self, conn: &Connection, uri: &str) -> Result<Actor, Failure> {
        Ok(actors::get_or_fetch(conn, self.remote, uri, self.now)?)
    }

    /// Whether a URL is on our own host.
    fn is_ours(&self, uri: &str) -> bool {
        same_authority(uri, self.urls.origin())
    }

    /// The id of our post that `uri` names (its object id, page URL or activity URL), if we
    /// still have it.
    fn our_post(&self, conn: &Connection, uri: &str) -> Result<Option<i64>, Failure> {
        if !uri.starts_with(&format!("{}/", self.urls.origin())) {
            return Ok(None);
        }
        let Some(id) = self.urls.parse_post_reference(uri) else {
            return Ok(None);
        };
        Ok(posts::get(conn, id)?.map(|post| post.id))
    }
}

/// One `match` from activity type to handler. Anything Perch does not handle is ignored.
pub fn handle(
    conn: &mut Connection,
    cx: &Context,
    activity: &Activity,
) -> Result<Outcome, Failure> {
    // Verification refuses these at the door; queued rows are checked again all the same.
    if cx.is_ours(&activity.actor) {
        return Err(refused("the actor claims to be on this server"));
    }
    if moderation::has_uri(conn, &activity.actor, Restriction::Block)? {
        return Ok(Outcome::Ignored("the actor is blocked"));
    }
    match activity.kind.as_str() {
        "Follow" => follows::on_follow(conn, cx, activity),
        "Accept" => match quotes::answered_request(conn, cx, activity)? {
            Some(quote) => quotes::on_accept(conn, cx, activity, &quote),
            None => follows::on_accept(conn, cx, activity),
        },
        "Reject" => match quotes::answered_request(conn, cx, activity)? {
            Some(quote) => quotes::on_reject(conn, cx, activity, &quote),
            None => follows::on_reject(conn, cx, activity),
        },
        "QuoteRequest" => quotes::on_quote_request(conn, cx, activity),
        "Undo" => interactions::on_undo(conn, cx, activity),
        "Create" => notes::on_create(conn, cx, activity),
        "Update" => notes::on_update(conn, cx, activity),
        "Delete" => notes::on_delete(conn, cx, activity),
        "Like" => interactions::on_like(conn, cx, activity),
        "EmojiReact" => reactions::on_emoji_react(conn, cx, activity),
        "Announce" => interactions::on_announce(conn, cx, activity),
        "Block" => interactions::on_block(conn, cx, activity),
        "Flag" => interactions::on_flag(conn, cx, activity),
        "Move" => moves::on_move(conn, cx, activity),
        _ => Ok(Outcome::Ignored("an activity type Perch does not handle")),
    }
}

#[cfg(test)]
mod tests;
