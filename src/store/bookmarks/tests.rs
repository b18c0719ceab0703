use super::*;
use crate::store::testing;

#[test]
fn bookmarks_are_kept_once_and_listed_newest_first() {
    let (_dir, conn) = testing::temporary();
    assert!(add(&conn, "https://b.example/1", Timestamp(1)).unwrap());
    assert!(!add(&conn, "https://b.example/1", Timestamp(2)).unwrap());
    assert!(add(&conn, "https://b.example/2", Timestamp(3)).unwrap());
    assert!(contains(&conn, "https://b.example/1").unwrap());
    let all = list(&conn, None, 10).unwrap();
    assert_eq!(all[0].0, "https://b.example/2");
    assert_eq!(list(&conn, Some(Timestamp(3)), 10).unwrap().len(), 1);
    assert!(remove(&conn, "https://b.example/1").unwrap());
    assert!(!contains(&conn, "https://b.example/1").unwrap());
}
