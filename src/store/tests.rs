use super::*;

#[test]
fn migrations_set_the_version_and_run_once() {
    let (dir, conn) = testing::temporary();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, migrate::LATEST);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(conn);
    let mut again = open(&dir.path().join("test.db"), false).unwrap();
    assert_eq!(migrate::run(&mut again).unwrap(), 0);
}

#[test]
fn a_newer_schema_is_refused() {
    let (dir, conn) = testing::temporary();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let err = open(&dir.path().join("test.db"), false).err().unwrap();
    assert!(err.contains("newer than this Perch"), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    std::fs::write(&path, b"this is not sqlite at all, not even close .......").unwrap();
    let err = open(&path, false).err().unwrap();
    assert!(err.contains("junk.db"), "{err}");
    assert!(open(&dir.path().join("missing.db"), false).is_err());
}

#[test]
fn ids_sort_by_time_and_do_not_repeat() {
    let a = new_id(Timestamp(1_000));
    let b = new_id(Timestamp(1_000));
    let c = new_id(Timestamp(1_001));
    assert_ne!(a, b);
    assert!(c > a && c > b);
    assert_eq!(a >> 16, 1_000);
}

#[test]
fn the_pool_keeps_its_size_and_opens_more_only_after_a_short_wait() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("pool.db")).unwrap();
    let held: Vec<_> = (0..MAX_CONNECTIONS).map(|_| db.get().unwrap()).collect();
    // None given back: after the wait, one of its own, closed after use.
    let started = Instant::now();
    let extra = db.get().unwrap();
    assert!(started.elapsed() >= MAX_WAIT);
    assert_eq!(db.pool.lock().open, MAX_CONNECTIONS + 1);
    drop(extra);
    assert_eq!(db.pool.lock().open, MAX_CONNECTIONS);
    drop(held);
    assert_eq!(db.pool.lock().idle.len(), MAX_CONNECTIONS);
    assert!(db.get().is_ok());
}

#[test]
fn backup_copies_a_consistent_database() {
    let (dir, conn) = testing::temporary();
    settings::set(&conn, "probe", b"value").unwrap();
    let target = dir.path().join("copy.db");
    backup(&conn, &target).unwrap();
    let copy = open(&target, false).unwrap();
    assert_eq!(
        settings::get(&copy, "probe").unwrap().as_deref(),
        Some(&b"value"[..])
    );
    assert!(backup(&conn, &target)
        .unwrap_err()
        .contains("already exists"));
}

#[test]
fn the_remote_date_skew_is_kept_with_when_it_was_seen() {
    let (_dir, conn) = testing::temporary();
    assert_eq!(settings::remote_date_skew(&conn).unwrap(), None);
    settings::set_remote_date_skew(&conn, -75, Timestamp(1_700_000_000_000)).unwrap();
    settings::set_remote_date_skew(&conn, 3, Timestamp(1_700_000_060_000)).unwrap();
    assert_eq!(
        settings::remote_date_skew(&conn).unwrap(),
        Some((3, Timestamp(1_700_000_060_000)))
    );
    // A value that is not ours reads as nothing recorded, not as an error.
    settings::set(&conn, settings::LAST_REMOTE_DATE_SKEW, b"soon").unwrap();
    assert_eq!(settings::remote_date_skew(&conn).unwrap(), None);
}
