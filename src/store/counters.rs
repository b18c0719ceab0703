//! Counts kept by triggers (migration 0003), and a cheap way to tell, on every request, whether
//! anything a public document or page is built from has changed since a copy of it was made.

use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;

/// The row of `counters`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub posts: u64,
    /// Public and unlisted posts: what anyone may read.
    pub public_posts: u64,
    /// Accepted follows in and out.
    pub followers: u64,
    pub following: u64,
    /// Moves with every change to posts, their tags, mentions and media, the profile, and the
    /// accepted follows: any copy made at another value may be stale.
    pub documents: i64,
}

pub fn get(conn: &Connection) -> rusqlite::Result<Counters> {
    conn.prepare_cached(
        "SELECT posts, public_posts, followers, following, documents FROM counters WHERE id = 1",
    )?
    .query_row([], |row| {
        Ok(Counters {
            posts: row.get::<_, i64>(0)?.max(0) as u64,
            public_posts: row.get::<_, i64>(1)?.max(0) as u64,
            followers: row.get::<_, i64>(2)?.max(0) as u64,
            following: row.get::<_, i64>(3)?.max(0) as u64,
            documents: row.get(4)?,
        })
    })
}

/// The counters as of now, cheaply enough to ask on every request. A connection of its own asks
/// `PRAGMA data_version`, which moves with every commit by any other connection or process (the
/// CLI included); only then is the `counters` row read again.
pub struct Watch {
    state: Mutex<Watching>,
}

struct Watching {
    conn: Connection,
    /// The `data_version` the counters below were read after.
    data_version: Option<i64>,
    counters: Counters,
}

impl Watch {
    pub fn open(path: &Path) -> Result<Watch, String> {
        let conn = super::open(path, false)?;
        // It is asked from async threads: a locked database means "unknown", never a wait.
        conn.busy_timeout(Duration::ZERO)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Watch {
            state: Mutex::new(Watching {
                conn,
                data_version: None,
                counters: Counters::default(),
            }),
        })
    }

    /// The database's `data_version` as this connection sees it now: it moves with every commit
    /// by any other connection or process. `None` when the database cannot tell at once.
    pub fn data_version(&self) -> Option<i64> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut s| s.query_row([], |row| row.get(0)))
            .ok()
    }

    /// The current counters, or `None` when the database cannot tell at once (busy, or failing):
    /// the caller then reads from the database as if nothing were kept.
    pub fn now(&self) -> Option<Counters> {
        // A panic elsewhere cannot leave this half-changed: `counters` is written after its read.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let version: i64 = state
            .conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut s| s.query_row([], |row| row.get(0)))
            .ok()?;
        if state.data_version != Some(version) {
            // Read after the version: a commit in between makes the version move again, and the
            // next look reads the counters once more.
            let counters = get(&state.conn).ok()?;
            state.counters = counters;
            state.data_version = Some(version);
        }
        Some(state.counters)
    }
}

#[cfg(test)]
mod tests;
