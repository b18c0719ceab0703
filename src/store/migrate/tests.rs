use super::*;
use crate::store::{self, follows, posts, remote_posts};

/// Rows written with the first schema's columns, which every later schema keeps.
const DATA: &str = "
    INSERT INTO settings (key, value) VALUES ('probe', X'6F6C64');
    INSERT INTO posts (id, created_at, visibility, source, content_html)
        VALUES (7, 1000, 'public', 'hello', '<p>hello</p>');
    INSERT INTO post_edits (post_id, created_at, source, content_html)
        VALUES (7, 900, 'helo', '<p>helo</p>');
    INSERT INTO actors (id, uri, domain, username, inbox, raw, fetched_at)
        VALUES (3, 'https://b.example/users/bo', 'b.example', 'bo',
                'https://b.example/users/bo/inbox', '{}', 1000);
    INSERT INTO follows (actor_id, direction, state, activity_uri, created_at)
        VALUES (3, 'in', 'accepted', 'https://b.example/follows/1', 1000);
    INSERT INTO remote_posts (uri, actor_id, content_html, visibility, published_at, raw,
                              received_at)
        VALUES ('https://b.example/notes/1', 3, '<p>hi</p>', 'public', 1000, '{}', 1000);
";

#[test]
fn every_earlier_schema_upgrades_with_its_data() {
    for version in 1..LATEST {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            assert_eq!(run_to(&mut conn, version).unwrap(), version as usize);
            conn.execute_batch(DATA).unwrap();
        }
        let conn = store::open(&path, false).unwrap();
        let now: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(now, LATEST, "from version {version}");
        let post = posts::get(&conn, 7).unwrap().expect("the post survives");
        assert_eq!(post.source, "hello", "from version {version}");
        assert_eq!(posts::history(&conn, 7).unwrap().len(), 1);
        let count = follows::count(
            &conn,
            follows::Direction::In,
            crate::model::FollowState::Accepted,
        )
        .unwrap();
        assert_eq!(count, 1, "from version {version}");
        // The counters made by 0003 count what was there before them.
        let counters = store::counters::get(&conn).unwrap();
        assert_eq!((counters.posts, counters.followers), (1, 1));
        let note = remote_posts::get_by_uri(&conn, "https://b.example/notes/1")
            .unwrap()
            .expect("the remote post survives");
        assert_eq!(note.actor.username, "bo");
        assert_eq!(
            store::settings::get(&conn, "probe").unwrap().as_deref(),
            Some(&b"old"[..])
        );
    }
}

#[test]
fn a_database_from_a_newer_perch_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        run(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = store::open(&path, false).unwrap_err();
    assert!(err.contains("newer than this Perch knows"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("new.db-wal").exists());
}
