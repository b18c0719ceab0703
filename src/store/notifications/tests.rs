use super::*;
use crate::store::actors::{self, tests::sample};
use crate::store::testing;

#[test]
fn notifications_list_newest_first_once_each() {
    let (_dir, conn) = testing::temporary();
    let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    let follow = Some("https://a.example/follow/1");
    assert!(insert(
        &conn,
        NotificationKind::Follow,
        Some(alice),
        None,
        follow,
        None,
        Timestamp(10)
    )
    .unwrap());
    assert!(!insert(
        &conn,
        NotificationKind::Follow,
        Some(alice),
        None,
        follow,
        None,
        Timestamp(11)
    )
    .unwrap());
    insert(
        &conn,
        NotificationKind::Report,
        None,
        Some("https://me/users/me"),
        Some("https://x/flag"),
        Some("spam"),
        Timestamp(20),
    )
    .unwrap();
    let all = list(&conn, None, 10).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].kind, NotificationKind::Report);
    assert_eq!(all[0].content.as_deref(), Some("spam"));
    assert!(all[0].actor.is_none());
    assert_eq!(all[1].actor.as_ref().unwrap().username, "alice");
    assert_eq!(list(&conn, Some(all[0].id), 10).unwrap().len(), 1);
    assert_eq!(unread_count(&conn).unwrap(), 2);
    mark_read(&conn, Some(all[1].id), Timestamp(30)).unwrap();
    assert_eq!(unread_count(&conn).unwrap(), 1);
    assert_eq!(
        delete_for_activity(&conn, alice, "https://a.example/follow/1").unwrap(),
        1
    );
}
