use super::*;
use crate::store::actors::{self, tests::sample};
use crate::store::moderation::{self, Restriction};
use crate::store::testing;

#[test]
fn notes_and_follow_options_are_kept_and_cleared() {
    let (_dir, conn) = testing::temporary();
    let id = actors::upsert(&conn, &sample("bo", "b.example"), Timestamp(1)).unwrap();
    assert_eq!(note(&conn, id).unwrap(), "");
    set_note(&conn, id, "met at the fair", Timestamp(2)).unwrap();
    assert_eq!(note(&conn, id).unwrap(), "met at the fair");
    set_note(&conn, id, "", Timestamp(3)).unwrap();
    assert_eq!(note(&conn, id).unwrap(), "");

    assert_eq!(follow_options(&conn, id).unwrap(), (true, false));
    set_follow_options(&conn, id, false, true).unwrap();
    assert_eq!(follow_options(&conn, id).unwrap(), (false, true));
    assert!(boosts_hidden(&conn).unwrap().contains(&id));
    set_follow_options(&conn, id, true, false).unwrap();
    assert!(boosts_hidden(&conn).unwrap().is_empty());
}

#[test]
fn actors_are_found_by_handle_and_by_name() {
    let (_dir, conn) = testing::temporary();
    let id = actors::upsert(&conn, &sample("Bo", "b.example:8443"), Timestamp(1)).unwrap();
    actors::upsert(&conn, &sample("cy", "c.example"), Timestamp(1)).unwrap();
    assert_eq!(
        by_handle(&conn, "bo", "B.example:8443")
            .unwrap()
            .unwrap()
            .id,
        id
    );
    assert!(by_handle(&conn, "bo", "b.example").unwrap().is_none());
    let found = search(&conn, "bo", 10).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, id);
    // LIKE's wildcards are the query's own characters.
    assert!(search(&conn, "%", 10).unwrap().is_empty());
    assert_eq!(
        known_domains(&conn, 10).unwrap(),
        ["b.example:8443", "c.example"]
    );
}

#[test]
fn a_mute_with_a_duration_lapses_by_itself() {
    let (_dir, conn) = testing::temporary();
    let id = actors::upsert(&conn, &sample("bo", "b.example"), Timestamp(1)).unwrap();
    let now = Timestamp::now();
    moderation::mute_until(&conn, id, Some(Timestamp(now.0 + 3_600_000)), now).unwrap();
    assert!(moderation::has(&conn, id, Restriction::Mute).unwrap());
    assert_eq!(
        moderation::mute_expiry(&conn, id).unwrap(),
        Some(Some(Timestamp(now.0 + 3_600_000)))
    );
    moderation::mute_until(&conn, id, Some(Timestamp(now.0 - 1)), now).unwrap();
    assert!(!moderation::has(&conn, id, Restriction::Mute).unwrap());
    assert!(moderation::list(&conn, Restriction::Mute)
        .unwrap()
        .is_empty());
    assert_eq!(moderation::mute_expiry(&conn, id).unwrap(), None);
    moderation::mute_until(&conn, id, None, now).unwrap();
    assert_eq!(moderation::mute_expiry(&conn, id).unwrap(), Some(None));
}
