use super::*;
use crate::domain::testkit;
use crate::model::{Timestamp, Visibility};
use crate::store::actors::tests::sample;
use crate::store::remote_posts::NewRemotePost;
use crate::store::{self, actors, moderation, testing};

/// 60 posts of ours and 60 remote ones interleaved, every third remote one with a muted word.
fn seeded() -> (tempfile::TempDir, Connection) {
    let (dir, conn) = testing::temporary();
    let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    moderation::add_muted_word(&conn, "hushed", Timestamp(1)).unwrap();
    for i in 0..60i64 {
        let at = Timestamp(1_000_000 + i * 10);
        posts::insert(
            &conn,
            &posts::NewPost {
                id: store::new_id(at),
                visibility: Visibility::Public,
                source: "ours",
                content_html: "<p>ours</p>",
                summary: None,
                sensitive: false,
                in_reply_to: None,
                tags: &[],
                mentions: &[],
            },
            at,
        )
        .unwrap();
        let word = if i % 3 == 0 { "hushed" } else { "fine" };
        let at = Timestamp(1_000_005 + i * 10);
        remote_posts::insert(
            &conn,
            &NewRemotePost {
                uri: format!("https://a.example/notes/{i}"),
                actor_id: alice,
                url: None,
                in_reply_to: None,
                content_html: format!("<p>{word}</p>"),
                summary: None,
                sensitive: false,
                visibility: Visibility::Public,
                published_at: at,
                updated_at: None,
                raw: "{}".into(),
            },
            at,
        )
        .unwrap();
    }
    (dir, conn)
}

fn page(conn: &Connection, range: Range) -> (Vec<i64>, Option<i64>) {
    let (entries, older) = entries(conn, &testkit::urls(), Feed::Home, &range).unwrap();
    (entries.iter().map(|e| e.id).collect(), older)
}

#[test]
fn paging_back_and_forward_sees_every_shown_post_once() {
    let (_dir, conn) = seeded();
    let (all, _) = page(
        &conn,
        Range {
            limit: 1000,
            ..Default::default()
        },
    );
    assert_eq!(all.len(), 100, "60 ours + 40 remote without the muted word");
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");

    let mut walked: Vec<i64> = Vec::new();
    let mut max_id = None;
    loop {
        let (ids, older) = page(
            &conn,
            Range {
                max_id,
                limit: 7,
                ..Default::default()
            },
        );
        walked.extend(&ids);
        match older {
            Some(next) => max_id = Some(next),
            None => break,
        }
    }
    assert_eq!(walked, all);

    // Forward from the oldest with min_id: each page is the 7 right after, newest first.
    let mut forward = vec![*all.last().unwrap()];
    loop {
        let (ids, _) = page(
            &conn,
            Range {
                min_id: forward.last().copied(),
                limit: 7,
                ..Default::default()
            },
        );
        if ids.is_empty() {
            break;
        }
        assert!(ids.windows(2).all(|w| w[0] > w[1]));
        forward.extend(ids.iter().rev());
    }
    forward.reverse();
    assert_eq!(forward, all);

    // since_id gives the newest ones above it.
    let (ids, _) = page(
        &conn,
        Range {
            since_id: Some(all[50]),
            limit: 5,
            ..Default::default()
        },
    );
    assert_eq!(ids, all[..5].to_vec());
}
