use super::*;
use crate::store::testing;

fn watch(dir: &tempfile::TempDir) -> std::sync::Arc<Watch> {
    std::sync::Arc::new(Watch::open(&dir.path().join("test.db")).unwrap())
}

fn commit(conn: &rusqlite::Connection) {
    conn.execute("UPDATE counters SET documents = documents + 1", [])
        .unwrap();
}

#[test]
fn a_value_is_served_until_anything_is_committed() {
    let (dir, conn) = testing::temporary();
    let memo: Memo<&str, u32> = Memo::new(watch(&dir), 8);
    let stamp = memo.stamp();
    assert!(stamp.is_some());
    memo.keep(stamp, "token", 7);
    assert_eq!(memo.get(&"token"), Some(7));
    assert_eq!(memo.get(&"other"), None);
    commit(&conn);
    assert_eq!(memo.get(&"token"), None, "a commit elsewhere drops it");
    // Read before that commit, kept after: never served.
    memo.keep(stamp, "token", 8);
    assert_eq!(memo.get(&"token"), None);
    let now = memo.stamp();
    memo.keep(now, "token", 9);
    assert_eq!(memo.get(&"token"), Some(9));
    // An older read racing in later does not push out the newer values.
    memo.keep(stamp, "late", 1);
    assert_eq!(memo.get(&"token"), Some(9));
    assert_eq!(memo.get(&"late"), None);
}

#[test]
fn it_starts_again_empty_past_its_capacity() {
    let (dir, _conn) = testing::temporary();
    let memo: Memo<u32, u32> = Memo::new(watch(&dir), 2);
    let stamp = memo.stamp();
    memo.keep(stamp, 1, 1);
    memo.keep(stamp, 2, 2);
    memo.keep(stamp, 3, 3);
    assert_eq!(memo.get(&1), None);
    assert_eq!(memo.get(&3), Some(3));
}
