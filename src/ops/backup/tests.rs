use super::*;
use time::macros::datetime;

fn schedule(dir: &Path, keep: usize) -> BackupConfig {
    BackupConfig {
        folder: dir.join("backups"),
        daily_at: (3, 30),
        keep,
    }
}

#[test]
fn one_backup_a_day_after_its_time_and_the_oldest_go() {
    let (dir, conn) = store::testing::temporary();
    store::settings::set(&conn, "probe", b"value").unwrap();
    let database = dir.path().join("test.db");
    let schedule = schedule(dir.path(), 2);
    let early = datetime!(2026-03-01 03:29 UTC);
    assert_eq!(run_once(&database, &schedule, early).unwrap(), None);
    let first = run_once(&database, &schedule, datetime!(2026-03-01 03:30 UTC))
        .unwrap()
        .unwrap();
    assert!(first.ends_with("perch-2026-03-01.db"));
    // Later the same day: already taken.
    let again = datetime!(2026-03-01 22:00 UTC);
    assert_eq!(run_once(&database, &schedule, again).unwrap(), None);
    std::fs::write(schedule.folder.join("notes.txt"), "mine").unwrap();
    for day in [
        datetime!(2026-03-02 04:00 UTC),
        datetime!(2026-03-03 04:00 UTC),
    ] {
        run_once(&database, &schedule, day).unwrap().unwrap();
    }
    let mut names: Vec<String> = std::fs::read_dir(&schedule.folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["notes.txt", "perch-2026-03-02.db", "perch-2026-03-03.db"]
    );
    let copy = store::open(&schedule.folder.join("perch-2026-03-03.db"), false).unwrap();
    assert_eq!(
        store::settings::get(&copy, "probe").unwrap().as_deref(),
        Some(&b"value"[..])
    );
}

#[test]
fn restore_checks_the_file_and_keeps_the_old_database() {
    let (dir, conn) = store::testing::temporary();
    let database = dir.path().join("test.db");
    store::settings::set(&conn, "probe", b"old").unwrap();
    let backup = dir.path().join("backup.db");
    store::backup(&conn, &backup).unwrap();
    store::settings::set(&conn, "probe", b"new").unwrap();
    drop(conn);

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just some bytes").unwrap();
    let err = restore(&database, &junk).unwrap_err();
    assert!(err.contains("not a SQLite database"), "{err}");
    let empty = dir.path().join("empty.db");
    Connection::open(&empty)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = restore(&database, &empty).unwrap_err();
    assert!(err.contains("not a Perch database"), "{err}");

    let held = ServerLock::take(&database).unwrap();
    let err = restore(&database, &backup).unwrap_err();
    assert!(err.contains("a Perch server is running"), "{err}");
    drop(held);

    let kept = restore(&database, &backup).unwrap();
    let restored = store::open(&database, false).unwrap();
    assert_eq!(
        store::settings::get(&restored, "probe").unwrap().as_deref(),
        Some(&b"old"[..])
    );
    let before = store::open(&kept, false).unwrap();
    assert_eq!(
        store::settings::get(&before, "probe").unwrap().as_deref(),
        Some(&b"new"[..])
    );
    drop((restored, before));

    // Over a database too corrupt to open: the backup still goes in.
    std::fs::write(&database, vec![0x5a; 8192]).unwrap();
    restore(&database, &backup).unwrap();
    let restored = store::open(&database, false).unwrap();
    assert_eq!(
        store::settings::get(&restored, "probe").unwrap().as_deref(),
        Some(&b"old"[..])
    );
    assert_eq!(std::fs::read(&kept).unwrap(), vec![0x5a; 8192]);
}

#[test]
fn a_backup_from_a_newer_perch_is_refused() {
    let (dir, conn) = store::testing::temporary();
    let backup = dir.path().join("backup.db");
    store::backup(&conn, &backup).unwrap();
    Connection::open(&backup)
        .unwrap()
        .pragma_update(None, "user_version", store::migrate::LATEST + 1)
        .unwrap();
    let err = check_backup(&backup).unwrap_err();
    assert!(err.contains("newer than this Perch knows"), "{err}");
}
