use super::*;
use crate::store::testing;

#[test]
fn sessions_live_until_expired_or_deleted() {
    let (_dir, conn) = testing::temporary();
    insert(&conn, "a", "csrf-a", "ua", Timestamp(1_000)).unwrap();
    insert(&conn, "b", "csrf-b", "ua", Timestamp(1_000)).unwrap();
    assert_eq!(
        get(&conn, "a", Timestamp(0)).unwrap().as_deref(),
        Some("csrf-a")
    );
    assert_eq!(get(&conn, "a", Timestamp(2_000)).unwrap(), None, "too old");
    touch(&conn, "a", Timestamp(100_000)).unwrap();
    assert!(get(&conn, "a", Timestamp(2_000)).unwrap().is_some());
    assert_eq!(delete_others(&conn, Some("a")).unwrap(), 1);
    assert!(get(&conn, "b", Timestamp(0)).unwrap().is_none());
    delete(&conn, "a").unwrap();
    assert!(get(&conn, "a", Timestamp(0)).unwrap().is_none());
}

#[test]
fn login_failures_count_per_address() {
    let (_dir, conn) = testing::temporary();
    record_login_failure(&conn, "1.2.3.4", Timestamp(10)).unwrap();
    record_login_failure(&conn, "1.2.3.4", Timestamp(20)).unwrap();
    record_login_failure(&conn, "5.6.7.8", Timestamp(20)).unwrap();
    assert_eq!(
        login_failures_since(&conn, "1.2.3.4", Timestamp(0)).unwrap(),
        (2, 3)
    );
    assert_eq!(
        login_failures_since(&conn, "1.2.3.4", Timestamp(15)).unwrap(),
        (1, 2)
    );
    forget_login_failures(&conn, Timestamp(15)).unwrap();
    assert_eq!(
        login_failures_since(&conn, "1.2.3.4", Timestamp(0)).unwrap(),
        (1, 2)
    );
}
