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
mod tests {
    use super::*;
    use crate::domain::posts as post_rules;
    use crate::model::{Timestamp, Visibility};
    use crate::store::{self, posts, profile};

    fn add(conn: &Connection, id: i64, visibility: Visibility, html: &str) {
        posts::insert(
            conn,
            &posts::NewPost {
                id,
                visibility,
                source: html,
                content_html: html,
                summary: None,
                sensitive: false,
                in_reply_to: None,
                tags: &[],
                mentions: &[],
            },
            Timestamp(id),
        )
        .unwrap();
    }

    /// What the Note handler keeps: the post's HTML, only when anyone may read it.
    fn note(conn: &Connection, id: i64) -> Result<String> {
        Ok(post_rules::get_visible(conn, id, false)?.content_html)
    }

    /// A server's cache and pool, and a second connection standing in for the CLI.
    fn setup() -> (tempfile::TempDir, Documents, store::Db, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let db = store::Db::open(&path).unwrap();
        let documents = Documents::open(&path).unwrap();
        let cli = store::open(&path, false).unwrap();
        (dir, documents, db, cli)
    }

    fn serve(documents: &Documents, db: &store::Db, id: i64) -> Result<Arc<str>> {
        if let Some(body) = documents.fresh(Key::Note(id)) {
            return Ok(body);
        }
        documents.build(&mut db.get().unwrap(), Key::Note(id), |conn| note(conn, id))
    }

    #[test]
    fn a_kept_post_is_served_until_another_connection_edits_or_deletes_it() {
        let (_dir, documents, db, cli) = setup();
        add(&cli, 1, Visibility::Public, "first");
        assert!(documents.fresh(Key::Note(1)).is_none());
        assert_eq!(&*serve(&documents, &db, 1).unwrap(), "first");
        assert_eq!(
            documents.fresh(Key::Note(1)).as_deref(),
            Some("first"),
            "kept"
        );

        // Edited from another connection (the CLI, another process): not served from memory.
        let edit = posts::PostEdit {
            source: "second",
            content_html: "second",
            summary: None,
            sensitive: false,
            tags: &[],
            mentions: &[],
        };
        assert!(posts::edit(&cli, 1, &edit, Timestamp(5)).unwrap());
        assert!(documents.fresh(Key::Note(1)).is_none());
        assert_eq!(&*serve(&documents, &db, 1).unwrap(), "second");

        // Deleted: gone at once, and not kept as anything.
        assert!(posts::delete(&cli, 1).unwrap());
        assert!(documents.fresh(Key::Note(1)).is_none());
        assert_eq!(serve(&documents, &db, 1).unwrap_err().status, 404);
        assert!(documents.fresh(Key::Note(1)).is_none());
    }

    #[test]
    fn posts_not_for_everyone_are_never_kept() {
        let (_dir, documents, db, cli) = setup();
        add(&cli, 1, Visibility::Followers, "followers");
        add(&cli, 2, Visibility::Direct, "direct");
        add(&cli, 3, Visibility::Unlisted, "unlisted");
        for id in [1, 2] {
            assert_eq!(serve(&documents, &db, id).unwrap_err().status, 404);
            assert!(documents.fresh(Key::Note(id)).is_none());
        }
        assert_eq!(&*serve(&documents, &db, 3).unwrap(), "unlisted");
        // Made followers-only behind the server's back: no longer served.
        cli.execute("UPDATE posts SET visibility = 'followers' WHERE id = 3", [])
            .unwrap();
        assert!(documents.fresh(Key::Note(3)).is_none());
        assert_eq!(serve(&documents, &db, 3).unwrap_err().status, 404);
    }

    #[test]
    fn any_change_to_what_documents_show_drops_every_copy_and_other_writes_do_not() {
        let (_dir, documents, db, cli) = setup();
        add(&cli, 1, Visibility::Public, "one");
        add(&cli, 2, Visibility::Public, "two");
        serve(&documents, &db, 1).unwrap();
        serve(&documents, &db, 2).unwrap();
        // A write elsewhere (a session, a delivery) leaves the copies served.
        store::settings::set(&cli, "probe", b"x").unwrap();
        assert!(documents.fresh(Key::Note(1)).is_some());
        // The profile changes: the actor and every page may show it.
        profile::create_if_missing(&cli, "Me", Timestamp(1)).unwrap();
        cli.execute("UPDATE profile SET display_name = 'You'", [])
            .unwrap();
        assert!(documents.fresh(Key::Note(1)).is_none());
        assert!(documents.fresh(Key::Note(2)).is_none());
        // A change made through the server's own pool is seen the same way.
        serve(&documents, &db, 2).unwrap();
        add(&db.get().unwrap(), 3, Visibility::Public, "three");
        assert!(documents.fresh(Key::Note(2)).is_none());
    }

    #[test]
    fn a_copy_built_from_an_older_state_is_not_served() {
        let (_dir, documents, db, cli) = setup();
        add(&cli, 1, Visibility::Public, "old");
        // The build reads its snapshot, then the post changes before the copy is kept.
        let mut conn = db.get().unwrap();
        let body = documents
            .build(&mut conn, Key::Note(1), |conn| {
                let body = note(conn, 1)?;
                posts::delete(&cli, 1).unwrap();
                Ok(body)
            })
            .unwrap();
        assert_eq!(&*body, "old");
        assert!(documents.fresh(Key::Note(1)).is_none());
    }

    #[test]
    fn the_kept_bytes_stay_bounded() {
        let (_dir, documents, db, cli) = setup();
        let big = "x".repeat(MAX_BODY_BYTES);
        for id in 1..=20 {
            add(&cli, id, Visibility::Public, &big);
        }
        for id in 1..=20 {
            serve(&documents, &db, id).unwrap();
        }
        let kept = documents.kept.lock().unwrap();
        assert!(kept.bytes <= MAX_BYTES);
        assert_eq!(
            kept.bytes,
            kept.copies.values().map(|b| b.len()).sum::<usize>()
        );
        assert!(kept.copies.len() < 20);
    }
}
