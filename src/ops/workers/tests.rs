use super::*;

#[test]
fn a_finished_thread_is_reported_dead_and_a_stuck_one_is_left() {
    let workers = Workers::default();
    workers.add("quick", std::thread::spawn(|| {}));
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    workers.add(
        "stuck",
        std::thread::spawn(move || {
            let _ = rx.recv();
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while workers.dead().is_empty() {
        assert!(Instant::now() < deadline, "the quick thread ended");
        std::thread::yield_now();
    }
    assert_eq!(workers.dead(), vec!["quick"]);
    let left = workers.join_until(Instant::now() + Duration::from_millis(50));
    assert_eq!(left, vec!["stuck"]);
    drop(tx);
}

#[test]
fn checkpoint_empties_the_wal() {
    let (dir, conn) = crate::store::testing::temporary();
    crate::store::settings::set(&conn, "probe", b"value").unwrap();
    let path = dir.path().join("test.db");
    let wal = dir.path().join("test.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    assert_eq!(checkpoint(&path).unwrap(), 0);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
    drop(conn);
}
