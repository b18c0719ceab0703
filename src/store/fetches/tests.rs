use super::*;
use crate::store::testing;

const NOW: Timestamp = Timestamp(1_700_000_000_000);
const MINUTE: i64 = 60_000;

#[test]
fn a_request_is_not_opened_twice_within_its_window() {
    let (_dir, conn) = testing::temporary();
    let subject = "https://a.example/users/alice";
    let kind = RequestKind::Profile;
    let first = open_request(
        &conn,
        kind,
        subject,
        20,
        Timestamp(NOW.0 - 15 * MINUTE),
        NOW,
    )
    .unwrap()
    .unwrap();
    assert!(enqueue(
        &conn,
        first,
        "outbox",
        "https://a.example/o",
        "a.example",
        0,
        NOW
    )
    .unwrap());
    assert!(!enqueue(
        &conn,
        first,
        "outbox",
        "https://a.example/o",
        "a.example",
        0,
        NOW
    )
    .unwrap());
    assert_eq!(pending_for(&conn, subject).unwrap(), 1);
    let soon = Timestamp(NOW.0 + MINUTE);
    let again = open_request(
        &conn,
        kind,
        subject,
        20,
        Timestamp(soon.0 - 15 * MINUTE),
        soon,
    );
    assert_eq!(again.unwrap(), None);
    let later = Timestamp(NOW.0 + 16 * MINUTE);
    let renewed = open_request(
        &conn,
        kind,
        subject,
        20,
        Timestamp(later.0 - 15 * MINUTE),
        later,
    )
    .unwrap();
    assert!(renewed.is_some(), "{first}");
    // The old request's GETs went with it.
    assert_eq!(pending_for(&conn, subject).unwrap(), 0);
}

#[test]
fn the_budget_holds_within_its_window_and_renews_after() {
    let (_dir, conn) = testing::temporary();
    for _ in 0..3 {
        assert_eq!(
            take_budget(&conn, "a.example", MINUTE, 3, NOW).unwrap(),
            None
        );
    }
    let spent = take_budget(&conn, "a.example", MINUTE, 3, Timestamp(NOW.0 + 10)).unwrap();
    assert_eq!(spent, Some(Timestamp(NOW.0 + MINUTE)));
    // Another host has its own budget.
    assert_eq!(
        take_budget(&conn, "b.example", MINUTE, 3, NOW).unwrap(),
        None
    );
    let renewed = take_budget(&conn, "a.example", MINUTE, 3, Timestamp(NOW.0 + MINUTE)).unwrap();
    assert_eq!(renewed, None);
}

#[test]
fn urls_are_remembered_with_their_outcome() {
    let (_dir, conn) = testing::temporary();
    let url = "https://a.example/notes/1";
    assert_eq!(url_state(&conn, url).unwrap(), None);
    record_url(&conn, url, true, NOW).unwrap();
    assert_eq!(url_state(&conn, url).unwrap(), Some((NOW, true)));
    record_url(&conn, url, false, Timestamp(NOW.0 + 1)).unwrap();
    assert_eq!(
        url_state(&conn, url).unwrap(),
        Some((Timestamp(NOW.0 + 1), false))
    );
    assert_eq!(forget_urls(&conn, Timestamp(NOW.0 + 2)).unwrap(), 1);
}
