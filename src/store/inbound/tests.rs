use super::*;
use crate::store::testing;

#[test]
fn handled_rows_are_forgotten_after_their_time_and_waiting_ones_never() {
    let (_dir, conn) = testing::temporary();
    insert(&conn, "https://a/1", "https://a/u", "{}", Timestamp(1)).unwrap();
    insert(&conn, "https://a/2", "https://a/u", "{}", Timestamp(1)).unwrap();
    let first = due(&conn, Timestamp(5), 1).unwrap().remove(0);
    mark_processed(&conn, first.id, None, Timestamp(10)).unwrap();
    assert_eq!(
        forget_processed(&conn, Timestamp(10)).unwrap(),
        0,
        "not yet"
    );
    assert_eq!(forget_processed(&conn, Timestamp(i64::MAX)).unwrap(), 1);
    assert_eq!(status(&conn, "https://a/1").unwrap(), None);
    assert_eq!(pending_count(&conn).unwrap(), 1, "the waiting row stays");
}

#[test]
fn a_replayed_id_is_not_queued_twice() {
    let (_dir, conn) = testing::temporary();
    assert!(insert(&conn, "https://a/1", "https://a/u", "{}", Timestamp(1)).unwrap());
    assert!(!insert(
        &conn,
        "https://a/1",
        "https://a/u",
        "{\"x\":1}",
        Timestamp(2)
    )
    .unwrap());
    let rows = due(&conn, Timestamp(5), 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].body, "{}");
}

#[test]
fn a_batch_is_one_commit_and_a_duplicate_inside_it_is_stored_once() {
    let (_dir, mut conn) = testing::temporary();
    insert(&conn, "https://a/0", "https://a/u", "{}", Timestamp(1)).unwrap();
    let row = |id: &str, body: &str| NewInbound {
        activity_uri: id.into(),
        actor_uri: "https://a/u".into(),
        body: body.into(),
        received_at: Timestamp(2),
    };
    let batch = [
        row("https://a/1", "{\"first\":1}"),
        row("https://a/0", "{}"),
        row("https://a/1", "{\"second\":1}"),
        row("https://a/2", "{}"),
    ];
    let new = insert_all(&mut conn, &batch).unwrap();
    assert_eq!(new, [true, false, false, true]);
    let mut rows: Vec<(String, String)> = due(&conn, Timestamp(5), 10)
        .unwrap()
        .into_iter()
        .map(|r| (r.activity_uri, r.body))
        .collect();
    rows.sort();
    let first = ("https://a/1".to_string(), "{\"first\":1}".to_string());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], first, "the first of two copies is kept");
    assert!(conn.is_autocommit());
}

#[test]
fn rows_wait_for_their_time_and_leave_when_processed() {
    let (_dir, conn) = testing::temporary();
    insert(&conn, "https://a/1", "https://a/u", "{}", Timestamp(1)).unwrap();
    insert(&conn, "https://a/2", "https://a/u", "{}", Timestamp(2)).unwrap();
    let first = due(&conn, Timestamp(10), 10).unwrap();
    assert_eq!(first[0].activity_uri, "https://a/1");
    retry_later(&conn, first[0].id, "network", Timestamp(100)).unwrap();
    let now_due = due(&conn, Timestamp(10), 10).unwrap();
    assert_eq!(now_due.len(), 1);
    assert_eq!(now_due[0].activity_uri, "https://a/2");
    mark_processed(&conn, now_due[0].id, None, Timestamp(11)).unwrap();
    let body: String = conn
        .query_row(
            "SELECT body FROM inbound WHERE id = ?1",
            [now_due[0].id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(body, "", "a processed activity keeps its id, not its body");
    let later = due(&conn, Timestamp(100), 10).unwrap();
    assert_eq!(
        (later.len(), later[0].attempts),
        (1, 1),
        "the retried row comes back"
    );
    assert_eq!(pending_count(&conn).unwrap(), 1);
    assert_eq!(status(&conn, "https://a/2").unwrap(), Some((true, None)));
}
