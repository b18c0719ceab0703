use super::*;
use crate::store::{deliveries, testing};

#[test]
fn counts_the_queue_and_names_the_failing_hosts() {
    let (_dir, conn) = testing::temporary();
    assert_eq!(report(&conn).unwrap(), QueueReport::default());
    let now = Timestamp(1_000_000);
    let activity = deliveries::insert_activity(&conn, "https://a.example/1", "{}", now).unwrap();
    deliveries::insert(&conn, activity, "https://b.example/inbox", "b.example", now).unwrap();
    deliveries::insert(&conn, activity, "https://c.example/inbox", "c.example", now).unwrap();
    deliveries::record_host_failure(&conn, "b.example", now).unwrap();
    conn.execute(
        "UPDATE deliveries SET last_error = 'timed out' WHERE host = 'b.example'",
        [],
    )
    .unwrap();
    let report = report(&conn).unwrap();
    assert_eq!(report.pending, 2);
    assert_eq!(report.failing_count, 1);
    assert_eq!(
        report.failing_hosts,
        vec![FailingHost {
            host: "b.example".into(),
            failures: 1,
            retry_at: None,
            last_error: Some("timed out".into()),
        }]
    );
    assert_eq!(
        report.oldest_error,
        Some(("b.example".into(), now, "timed out".into()))
    );
}
