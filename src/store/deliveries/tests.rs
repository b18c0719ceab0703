use super::*;
use crate::store::testing;

const NOW: Timestamp = Timestamp(1_700_000_000_000);

fn later(ms: i64) -> Timestamp {
    Timestamp(NOW.0 + ms)
}

#[test]
fn an_activity_body_is_stored_once() {
    let (_dir, conn) = testing::temporary();
    let a = insert_activity(&conn, "https://me.example/a/1", "{\"v\":1}", NOW).unwrap();
    let again = insert_activity(&conn, "https://me.example/a/1", "{\"v\":2}", NOW).unwrap();
    assert_eq!(a, again);
    assert_eq!(body(&conn, a).unwrap().as_deref(), Some("{\"v\":1}"));
    assert!(insert(&conn, a, "https://x.example/inbox", "x.example", NOW).unwrap());
    assert!(!insert(&conn, a, "https://x.example/inbox", "x.example", NOW).unwrap());
    assert_eq!(count(&conn).unwrap(), 1);
}

#[test]
fn due_takes_a_few_per_host_and_skips_open_breakers() {
    let (_dir, conn) = testing::temporary();
    let a = insert_activity(&conn, "https://me.example/a/1", "{}", NOW).unwrap();
    for i in 0..5 {
        insert(
            &conn,
            a,
            &format!("https://x.example/{i}"),
            "x.example",
            NOW,
        )
        .unwrap();
    }
    insert(&conn, a, "https://y.example/inbox", "y.example", NOW).unwrap();
    insert(&conn, a, "https://z.example/inbox", "z.example", later(10)).unwrap();
    let hosts = |rows: Vec<Pending>| rows.into_iter().map(|p| p.host).collect::<Vec<_>>();
    assert_eq!(
        hosts(due(&conn, NOW, 100, 2).unwrap()),
        ["x.example", "x.example", "y.example"]
    );
    assert_eq!(due(&conn, NOW, 100, 10).unwrap().len(), 6);
    assert_eq!(due(&conn, later(10), 100, 10).unwrap().len(), 7);
    assert_eq!(due(&conn, NOW, 3, 10).unwrap().len(), 3);

    record_host_failure(&conn, "x.example", NOW).unwrap();
    pause_host(&conn, "x.example", later(60)).unwrap();
    assert_eq!(hosts(due(&conn, NOW, 100, 10).unwrap()), ["y.example"]);
    assert_eq!(due(&conn, later(60), 100, 10).unwrap().len(), 7);
    // A delivery queued while the breaker is open waits for it.
    let b = insert_activity(&conn, "https://me.example/a/2", "{}", NOW).unwrap();
    insert(&conn, b, "https://x.example/0", "x.example", NOW).unwrap();
    let id: i64 = conn
        .query_row(
            "SELECT id FROM deliveries WHERE activity_id = ?1",
            [b],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(get(&conn, id).unwrap(), Some((0, later(60))));
}

#[test]
fn host_failures_count_up_and_clear() {
    let (_dir, conn) = testing::temporary();
    assert_eq!(host(&conn, "x.example").unwrap(), None);
    record_host_failure(&conn, "x.example", NOW).unwrap();
    let record = record_host_failure(&conn, "x.example", later(5)).unwrap();
    assert_eq!(
        record,
        HostRecord {
            failures: 2,
            failing_since: Some(NOW),
            retry_at: None
        }
    );
    pause_host(&conn, "x.example", later(100)).unwrap();
    pause_host(&conn, "x.example", later(50)).unwrap();
    assert_eq!(
        host(&conn, "x.example").unwrap().unwrap().retry_at,
        Some(later(100))
    );
    clear_host(&conn, "x.example").unwrap();
    assert_eq!(host(&conn, "x.example").unwrap(), None);
}

#[test]
fn postponing_expiring_and_cleaning_up() {
    let (_dir, conn) = testing::temporary();
    let a = insert_activity(&conn, "https://me.example/a/1", "{}", NOW).unwrap();
    insert(&conn, a, "https://x.example/1", "x.example", NOW).unwrap();
    insert(&conn, a, "https://x.example/2", "x.example", later(500)).unwrap();
    insert(&conn, a, "https://y.example/1", "y.example", NOW).unwrap();
    assert_eq!(postpone_host(&conn, "x.example", later(100)).unwrap(), 1);
    assert_eq!(due(&conn, later(99), 10, 10).unwrap().len(), 1);
    assert_eq!(next_due(&conn).unwrap(), Some(NOW));
    assert_eq!(
        delete_older_for_host(&conn, "x.example", later(1)).unwrap(),
        1
    );
    assert_eq!(delete_for_inbox(&conn, "https://y.example/1").unwrap(), 1);
    assert_eq!(next_due(&conn).unwrap(), Some(later(500)));
    assert_eq!(delete_finished_activities(&conn).unwrap(), 0);
    let only = due(&conn, later(500), 10, 10).unwrap();
    assert!(reschedule(
        &conn,
        only[0].id,
        1,
        later(900),
        Some(500),
        Some("HTTP 500")
    )
    .unwrap());
    assert_eq!(get(&conn, only[0].id).unwrap(), Some((1, later(900))));
    assert!(delete(&conn, only[0].id).unwrap());
    assert_eq!(next_due(&conn).unwrap(), None);
    assert_eq!(delete_finished_activities(&conn).unwrap(), 1);
    assert_eq!(activity_count(&conn).unwrap(), 0);
}
