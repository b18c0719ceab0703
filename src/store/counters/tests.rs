use super::*;
use crate::model::{FollowState, Timestamp, Visibility};
use crate::store::follows::{self, Direction};
use crate::store::{actors, posts, testing};

fn post(conn: &Connection, id: i64, visibility: Visibility) {
    posts::insert(
        conn,
        &posts::NewPost {
            id,
            visibility,
            source: "hi",
            content_html: "<p>hi</p>",
            summary: None,
            sensitive: false,
            in_reply_to: None,
            tags: &["tag".to_string()],
            mentions: &[],
        },
        Timestamp(id),
    )
    .unwrap();
}

#[test]
fn triggers_keep_the_counts_and_move_the_generation() {
    let (_dir, conn) = testing::temporary();
    let start = get(&conn).unwrap();
    assert_eq!((start.posts, start.public_posts), (0, 0));
    post(&conn, 1, Visibility::Public);
    post(&conn, 2, Visibility::Unlisted);
    post(&conn, 3, Visibility::Followers);
    post(&conn, 4, Visibility::Direct);
    let four = get(&conn).unwrap();
    assert_eq!((four.posts, four.public_posts), (4, 2));
    assert!(four.documents > start.documents);
    assert_eq!(posts::count(&conn, posts::Audience::Anyone).unwrap(), 2);
    assert_eq!(posts::count(&conn, posts::Audience::Owner).unwrap(), 4);
    conn.execute("UPDATE posts SET visibility = 'public' WHERE id = 3", [])
        .unwrap();
    assert_eq!(get(&conn).unwrap().public_posts, 3);
    posts::delete(&conn, 1).unwrap();
    posts::delete(&conn, 4).unwrap();
    let after = get(&conn).unwrap();
    assert_eq!((after.posts, after.public_posts), (2, 2));

    // Tags alone move the generation too (an edit rewrites them).
    let before = get(&conn).unwrap().documents;
    conn.execute("DELETE FROM post_tags WHERE post_id = 2", [])
        .unwrap();
    assert!(get(&conn).unwrap().documents > before);
}

#[test]
fn only_accepted_follows_count_and_cascades_are_counted() {
    let (_dir, conn) = testing::temporary();
    let actor = |name: &str| {
        actors::upsert(
            &conn,
            &actors::tests::sample(name, "remote.example"),
            Timestamp(1),
        )
        .unwrap()
    };
    let (ana, bo) = (actor("ana"), actor("bo"));
    follows::upsert(
        &conn,
        ana,
        Direction::In,
        FollowState::Pending,
        "f1",
        Timestamp(1),
    )
    .unwrap();
    assert_eq!(get(&conn).unwrap().followers, 0);
    follows::set_state(&conn, ana, Direction::In, FollowState::Accepted).unwrap();
    follows::upsert(
        &conn,
        bo,
        Direction::In,
        FollowState::Accepted,
        "f2",
        Timestamp(1),
    )
    .unwrap();
    follows::upsert(
        &conn,
        bo,
        Direction::Out,
        FollowState::Accepted,
        "f3",
        Timestamp(1),
    )
    .unwrap();
    let counters = get(&conn).unwrap();
    assert_eq!((counters.followers, counters.following), (2, 1));
    assert_eq!(
        follows::count(&conn, Direction::In, FollowState::Accepted).unwrap(),
        2
    );
    // A newer Follow from the same actor replaces the row: still one follower.
    follows::upsert(
        &conn,
        ana,
        Direction::In,
        FollowState::Accepted,
        "f4",
        Timestamp(2),
    )
    .unwrap();
    assert_eq!(get(&conn).unwrap().followers, 2);
    // Removing an actor removes its follows through the foreign key: counted as well.
    conn.execute("DELETE FROM actors WHERE id = ?1", [bo])
        .unwrap();
    let counters = get(&conn).unwrap();
    assert_eq!((counters.followers, counters.following), (1, 0));
    follows::delete(&conn, ana, Direction::In).unwrap();
    assert_eq!(get(&conn).unwrap().followers, 0);
}

#[test]
fn the_watch_sees_commits_of_other_connections() {
    let (dir, conn) = testing::temporary();
    let watch = Watch::open(&dir.path().join("test.db")).unwrap();
    let first = watch.now().unwrap();
    assert_eq!(watch.now().unwrap(), first, "nothing changed");
    post(&conn, 1, Visibility::Public);
    let second = watch.now().unwrap();
    assert_eq!(second.posts, 1);
    assert!(second.documents > first.documents);
    // A change from yet another connection, opened after the watch (as the CLI would be).
    let other = crate::store::open(&dir.path().join("test.db"), false).unwrap();
    posts::delete(&other, 1).unwrap();
    let third = watch.now().unwrap();
    assert_eq!(third.posts, 0);
    assert!(third.documents > second.documents);
    // An uncommitted change is not seen; its commit is.
    other.execute_batch("BEGIN").unwrap();
    post(&other, 2, Visibility::Public);
    assert_eq!(watch.now().unwrap(), third);
    other.execute_batch("COMMIT").unwrap();
    assert_eq!(watch.now().unwrap().posts, 1);
}
