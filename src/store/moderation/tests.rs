use super::*;
use crate::store::actors::tests::sample;
use crate::store::testing;

#[test]
fn blocks_mutes_domains_and_words_are_kept_once() {
    let (_dir, conn) = testing::temporary();
    let id = actors::upsert(&conn, &sample("bo", "b.example"), Timestamp(1)).unwrap();
    assert!(add(
        &conn,
        id,
        Restriction::Block,
        Some("https://a/1"),
        Timestamp(2)
    )
    .unwrap());
    assert!(!add(&conn, id, Restriction::Block, None, Timestamp(3)).unwrap());
    assert!(has(&conn, id, Restriction::Block).unwrap());
    assert_eq!(list(&conn, Restriction::Block).unwrap()[0].id, id);
    assert!(list(&conn, Restriction::Mute).unwrap().is_empty());
    assert_eq!(
        remove(&conn, id, Restriction::Block).unwrap(),
        Some(Some("https://a/1".into()))
    );
    assert_eq!(remove(&conn, id, Restriction::Block).unwrap(), None);

    assert!(block_domain(&conn, "bad.example", Timestamp(1)).unwrap());
    assert!(actors::is_domain_blocked(&conn, "sub.bad.example:8443").unwrap());
    assert_eq!(blocked_domains(&conn).unwrap(), ["bad.example"]);
    assert!(unblock_domain(&conn, "bad.example").unwrap());

    assert!(add_muted_word(&conn, "Spoiler", Timestamp(1)).unwrap());
    assert!(
        !add_muted_word(&conn, "spoiler", Timestamp(2)).unwrap(),
        "case-insensitive"
    );
    assert!(remove_muted_word(&conn, "SPOILER").unwrap());
}
