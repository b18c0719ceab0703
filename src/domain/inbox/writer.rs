//! The one writer of the inbound queue. Request handlers verify an activity themselves, then hand
//! the row to this thread and wait; it commits whatever has queued meanwhile in one transaction
//! (group commit) and only then answers each of them. An activity is acknowledged only once it
//! is in SQLite, so a crash never loses an acknowledged one, and the handlers never queue for the
//! write lock or sleep in SQLite's busy handler.
//!
//! Verification stays with the handlers: this thread does nothing but the commit.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use crate::store::inbound::{self, NewInbound};

/// Rows committed together at most, and their bodies' total size: a burst of 1 MB activities is
/// written in a few transactions, not one huge one.
const MAX_BATCH_ROWS: usize = 512;
const MAX_BATCH_BYTES: usize = 8 << 20;

/// The queue could not store the activity (the database failed); the sender should try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotStored;

/// Called once the row is committed: `Ok(true)` when it was new, `Ok(false)` for a replayed id.
pub type Reply = Box<dyn FnOnce(Result<bool, NotStored>) + Send>;

/// One row and who waits for it.
pub struct Pending {
    pub row: NewInbound,
    pub reply: Reply,
}

/// Where handlers send rows; cheap to clone. The thread stops when every sender is gone.
#[derive(Clone)]
pub struct InboundWriter {
    sender: Sender<Pending>,
}

impl InboundWriter {
    /// Starts the writer thread on its own connection.
    pub fn spawn(conn: Connection) -> std::io::Result<(InboundWriter, JoinHandle<()>)> {
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("perch-inbound".into())
            .spawn(move || run(conn, receiver))?;
        Ok((InboundWriter { sender }, thread))
    }

    /// Queues `row`; `reply` is called after the commit (or the failure).
    pub fn submit(&self, row: NewInbound, reply: Reply) {
        if let Err(mpsc::SendError(pending)) = self.sender.send(Pending { row, reply }) {
            crate::log::warn("inbox", "the inbound writer has stopped", &[]);
            (pending.reply)(Err(NotStored));
        }
    }
}

fn run(mut conn: Connection, receiver: Receiver<Pending>) {
    // SQLite's own busy wait sleeps 1, 2, 5 … 100 ms between tries, and every handler waiting on
    // this batch would sleep with it. The inbox worker's transactions are short: look again soon.
    let _ = conn.busy_handler(Some(retry_soon));
    // A checkpoint (copying the WAL into the file, with an fsync) run by a commit here would keep
    // every waiting sender waiting too; the inbox worker's commits, which follow ours, run them.
    let _ = conn.pragma_update(None, "wal_autocheckpoint", 0);
    while let Some(batch) = next_batch(&receiver) {
        commit(&mut conn, batch);
    }
}

/// Waits for the first row, then takes whatever else is queued, within the batch limits. `None`
/// when every sender is gone.
pub fn next_batch(receiver: &Receiver<Pending>) -> Option<Vec<Pending>> {
    let first = receiver.recv().ok()?;
    let mut bytes = first.row.body.len();
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH_ROWS && bytes < MAX_BATCH_BYTES {
        match receiver.try_recv() {
            Ok(pending) => {
                bytes += pending.row.body.len();
                batch.push(pending);
            }
            Err(_) => break,
        }
    }
    Some(batch)
}

/// Stores `batch` in one transaction, then answers each row. If that fails, each row is tried in
/// a transaction of its own, so one bad row cannot fail the others.
pub fn commit(conn: &mut Connection, batch: Vec<Pending>) {
    let (rows, replies): (Vec<NewInbound>, Vec<Reply>) =
        batch.into_iter().map(|p| (p.row, p.reply)).unzip();
    match inbound::insert_all(conn, &rows) {
        Ok(new) => {
            for (reply, new) in replies.into_iter().zip(new) {
                reply(Ok(new));
            }
        }
        Err(e) if rows.len() == 1 => {
            crate::log::warn("inbox", "cannot queue an activity", &[("error", &e)]);
            for reply in replies {
                reply(Err(NotStored));
            }
        }
        Err(e) => {
            crate::log::warn(
                "inbox",
                "cannot queue activities at once; trying one by one",
                &[("count", &rows.len()), ("error", &e)],
            );
            for (row, reply) in rows.into_iter().zip(replies) {
                commit(conn, vec![Pending { row, reply }]);
            }
        }
    }
}

/// About ten seconds in all, as the `busy_timeout` of every other connection.
fn retry_soon(tries: i32) -> bool {
    if tries >= 50_000 {
        return false;
    }
    std::thread::sleep(Duration::from_micros(200));
    true
}

#[cfg(test)]
mod tests;
