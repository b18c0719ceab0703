use super::*;

#[test]
fn refusals_are_counted_by_reason_most_frequent_first() {
    record_refusal("status test: b");
    record_refusal("status test: a");
    record_refusal("status test: a");
    let ours: Vec<(String, u64)> = refusals()
        .into_iter()
        .filter(|(r, _)| r.starts_with("status test"))
        .collect();
    assert_eq!(
        ours,
        [
            ("status test: a".to_string(), 2),
            ("status test: b".to_string(), 1)
        ]
    );
}

#[test]
fn gathers_sizes_and_queues() {
    let (dir, conn) = crate::store::testing::temporary();
    let status = gather(&conn, &dir.path().join("test.db")).unwrap();
    assert!(status.database_bytes > 0);
    assert_eq!(status.inbound_pending, 0);
    assert_eq!(status.queue.pending, 0);
    assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
}
