use super::*;
use crate::store::actors::{self, tests::sample};
use crate::store::testing;

#[test]
fn lists_keep_members_until_the_list_or_the_account_goes() {
    let (_dir, conn) = testing::temporary();
    let id = insert(&conn, "Friends", "list", false, Timestamp(1)).unwrap();
    let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    let bob = actors::upsert(&conn, &sample("bob", "b.example"), Timestamp(1)).unwrap();
    assert!(add_member(&conn, id, alice).unwrap());
    assert!(!add_member(&conn, id, alice).unwrap());
    assert!(add_member(&conn, id, bob).unwrap());
    let ids: Vec<i64> = members(&conn, id, 0, 10)
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, vec![alice.min(bob), alice.max(bob)]);
    assert_eq!(of_actor(&conn, bob).unwrap()[0].title, "Friends");
    assert!(remove_member(&conn, id, bob).unwrap());
    actors::delete(&conn, alice).unwrap();
    assert!(members(&conn, id, 0, 10).unwrap().is_empty());
    let mut list = get(&conn, id).unwrap().unwrap();
    list.exclusive = true;
    assert!(update(&conn, &list).unwrap());
    assert!(get(&conn, id).unwrap().unwrap().exclusive);
    assert!(delete(&conn, id).unwrap());
    assert!(all(&conn).unwrap().is_empty());
}

#[test]
fn followed_tags_ignore_case() {
    let (_dir, conn) = testing::temporary();
    assert!(follow_tag(&conn, "Rust", Timestamp(1)).unwrap());
    assert!(!follow_tag(&conn, "rust", Timestamp(2)).unwrap());
    assert!(follows_tag(&conn, "RUST").unwrap());
    assert_eq!(followed_tags(&conn).unwrap(), vec!["Rust".to_string()]);
    assert!(unfollow_tag(&conn, "rust").unwrap());
}
