use super::*;
use crate::store::{counters, testing};

fn account(name: &str) -> OtherAccount {
    OtherAccount {
        uri: format!("https://old.example/users/{name}"),
        handle: format!("@{name}@old.example"),
        url: format!("https://old.example/@{name}"),
    }
}

#[test]
fn aliases_and_the_move_are_kept_and_show_on_the_profile() {
    let (_dir, conn) = testing::temporary();
    profile::create_if_missing(&conn, "Ana", Timestamp(1)).unwrap();
    assert!(aliases(&conn).unwrap().is_empty());
    assert!(moved_to(&conn).unwrap().is_none());
    let before = counters::get(&conn).unwrap().documents;

    set_aliases(&conn, &[account("ana"), account("ana2")], Timestamp(5)).unwrap();
    assert_eq!(
        aliases(&conn).unwrap(),
        vec![account("ana"), account("ana2")]
    );
    set_moved_to(&conn, Some(&account("new")), Timestamp(6)).unwrap();
    let profile = profile::get(&conn, "ana").unwrap().unwrap();
    assert_eq!(profile.also_known_as.len(), 2);
    assert_eq!(profile.moved_to, Some(account("new")));
    assert_eq!(profile.updated_at, Timestamp(6));
    // Copies of the actor document made before are now stale.
    assert_ne!(counters::get(&conn).unwrap().documents, before);

    set_moved_to(&conn, None, Timestamp(7)).unwrap();
    assert!(moved_to(&conn).unwrap().is_none());
    // An unreadable value reads as none rather than failing every page.
    settings::set(&conn, ALSO_KNOWN_AS, b"{not json").unwrap();
    assert!(aliases(&conn).unwrap().is_empty());
}
