use super::*;
use crate::store::actors::{self, tests::sample};
use crate::store::testing;

#[test]
fn likes_count_once_and_only_their_actor_undoes_them() {
    let (_dir, conn) = testing::temporary();
    let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    let bob = actors::upsert(&conn, &sample("bob", "b.example"), Timestamp(1)).unwrap();
    let post = "https://me.example/users/me/statuses/1";
    assert!(insert(
        &conn,
        Kind::Like,
        Some(alice),
        post,
        "https://a/l1",
        Timestamp(1)
    )
    .unwrap()
    .is_some());
    assert!(insert(
        &conn,
        Kind::Like,
        Some(alice),
        post,
        "https://a/l2",
        Timestamp(2)
    )
    .unwrap()
    .is_none());
    assert!(insert(
        &conn,
        Kind::Like,
        Some(bob),
        post,
        "https://a/l1",
        Timestamp(2)
    )
    .unwrap()
    .is_none());
    insert(
        &conn,
        Kind::Like,
        None,
        post,
        "https://me/like",
        Timestamp(2),
    )
    .unwrap();
    assert_eq!(count(&conn, post, Kind::Like).unwrap(), 1);
    assert!(!delete_by_activity(&conn, None, bob, "https://a/l1").unwrap());
    assert!(!delete_by_activity(&conn, Some(Kind::Announce), alice, "https://a/l1").unwrap());
    assert!(delete_by_activity(&conn, Some(Kind::Like), alice, "https://a/l1").unwrap());
    assert_eq!(count(&conn, post, Kind::Like).unwrap(), 0);
    assert!(delete_own(&conn, Kind::Like, post).unwrap());
}
