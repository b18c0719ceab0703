use super::*;

#[test]
fn a_second_lock_is_refused_until_the_first_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("perch.db");
    let first = ServerLock::take(&db).unwrap();
    let err = ServerLock::take(&db).err().unwrap();
    assert!(err.contains("a Perch server is running"), "{err}");
    drop(first);
    ServerLock::take(&db).unwrap();
}
