//! Public documents and pages kept in memory as the bytes sent: the actor, public posts as Note
//! and Create, the profile page as strangers see it. A popular post is then answered on the async
//! thread, without the hop to a blocking thread and SQLite.
//!
//! A copy is served only while the database's `documents` counter still has the value it had in
//! the transaction the copy was built in. Triggers move that counter with every change to what
//! these are built from (`store::counters`), and it is read again whenever any other connection
//! or process has committed (`PRAGMA data_version`): an edit, a deletion or a profile change made
//! by the CLI is seen by the next request. Only what anyone may read is kept; a post that is not
//! for everyone fails to build, and nothing is kept for it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::store::counters::{self, Watch};

/// What is kept.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Key {
    Actor,
    Note(i64),
    Create(i64),
    /// The first page of the profile, for visitors who are not the owner.
    ProfilePage,
}

/// At most this many bytes are kept: every public post fetched once must not grow the process.
const MAX_BYTES: usize = 2 << 20;
/// A larger body is built each time rather than pushing out everything else.
const MAX_BODY_BYTES: usize = MAX_BYTES / 8;

pub struct Documents {
    watch: Watch,
    kept: Mutex<Kept>,
}

struct Kept {
    /// The `documents` counter every copy below was built at.
    documents: i64,
    copies: HashMap<Key, Arc<str>>,
    bytes: usize,
}

impl Documents {
    pub fn open(path: &Path) -> std::result::Result<Documents, String> {
        Ok(Documents {
            watch: Watch::open(path)?,
            kept: Mutex::new(Kept {
                documents: i64::MIN,
                copies: HashMap::new(),
                bytes: 0,
            }),
        })
    }

    /// The kept copy of `key`, if nothing it was built from has changed since. Never waits on the
    /// database: when it cannot tell at once, there is no copy.
    pub fn fresh(&self, key: Key) -> Option<Arc<str>> {
        let documents = self.watch.now()?.documents;
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.documents != documents {
            return None;
        }
        kept.copies.get(&key).cloned()
    }

    /// Builds `key` with `build`, in one read transaction with the counter it is kept under, and
    /// keeps it. An error (a post that is gone or not public) keeps nothing.
    pub fn build(
        &self,
        conn: &mut Connection,
        key: Key,
        build: impl FnOnce(&Connection) -> Result<String>,
    ) -> Result<Arc<str>> {
        let tx = conn.transaction().map_err(Error::internal)?;
        let documents = counters::get(&tx)?.documents;
        let body: Arc<str> = build(&tx)?.into();
        // Read only: ending it either way is the same.
        tx.commit().map_err(Error::internal)?;
        self.keep(key, documents, body.clone());
        Ok(body)
    }

    fn keep(&self, key: Key, documents: i64, body: Arc<str>) {
        if body.len() > MAX_BODY_BYTES {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.documents != documents {
            // Copies of another state are never served again (an older build racing a newer
            // one only costs the newer copies a rebuild).
            kept.copies.clear();
            kept.bytes = 0;
            kept.documents = documents;
        }
        while kept.bytes + body.len() > MAX_BYTES {
            let Some(&evicted) = kept.copies.keys().next() else {
                break;
            };
            if let Some(old) = kept.copies.remove(&evicted) {
                kept.bytes -= old.len();
            }
        }
        kept.bytes += body.len();
        if let Some(old) = kept.copies.insert(key, body) {
            kept.bytes -= old.len();
        }
    }
}

#[cfg(test)]
mod tests;
