use super::*;
use crate::store::actors::tests::sample;
use crate::store::testing;

fn post(uri: &str, actor_id: i64, published: i64) -> NewRemotePost {
    NewRemotePost {
        uri: uri.into(),
        actor_id,
        url: None,
        in_reply_to: Some("https://me.example/users/me/statuses/1".into()),
        content_html: "<p>hi</p>".into(),
        summary: None,
        sensitive: false,
        visibility: Visibility::Public,
        published_at: Timestamp(published),
        updated_at: None,
        raw: "{}".into(),
    }
}

#[test]
fn attachments_are_images_with_http_urls_only_and_capped() {
    let object = serde_json::json!({
        "attachment": [
            {"type": "Document", "mediaType": "image/png", "url": "https://b.example/1.png",
             "name": "first", "width": 40, "height": 30},
            {"type": "Document", "mediaType": "video/mp4", "url": "https://b.example/v.mp4"},
            {"type": "Document", "mediaType": "image/jpeg", "url": "javascript:alert(1)"},
            {"type": "Image", "mediaType": "image/jpeg", "url": {"type": "Link", "href": "http://b.example/2.jpg"}},
            {"mediaType": "image/gif", "url": "https://b.example/3.gif", "width": -4},
            {"mediaType": "image/gif", "url": "https://b.example/4.gif"},
            {"mediaType": "image/gif", "url": "https://b.example/5.gif"}
        ],
        "tag": [{"type": "Mention", "name": "@bo@b.example"}, {"type": "Mention", "name": "@x y@z"},
                {"type": "Hashtag", "name": "#tag"}]
    });
    let found = attachments(&object);
    let urls: Vec<&str> = found.iter().map(|a| a.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://b.example/1.png",
            "http://b.example/2.jpg",
            "https://b.example/3.gif",
            "https://b.example/4.gif"
        ]
    );
    assert_eq!(found[0].description, "first");
    assert_eq!((found[0].width, found[2].width), (Some(40), None));
    assert_eq!(mention_handles(&object), ["@bo@b.example"]);
    assert!(attachments(&serde_json::json!({"attachment": "nope"})).is_empty());
}

#[test]
fn posts_are_kept_once_and_changed_only_by_their_author() {
    let (_dir, conn) = testing::temporary();
    let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    let bob = actors::upsert(&conn, &sample("bob", "b.example"), Timestamp(1)).unwrap();
    let uri = "https://a.example/notes/1";
    assert!(insert(&conn, &post(uri, alice, 500), Timestamp(1_000)).unwrap());
    assert!(!insert(&conn, &post(uri, alice, 500), Timestamp(1_001)).unwrap());
    let mut edit = post(uri, bob, 500);
    edit.content_html = "<p>forged</p>".into();
    assert!(!update(&conn, &edit, Timestamp(1_002)).unwrap());
    edit.actor_id = alice;
    edit.content_html = "<p>edited</p>".into();
    assert!(update(&conn, &edit, Timestamp(1_003)).unwrap());
    let stored = get_by_uri(&conn, uri).unwrap().unwrap();
    assert_eq!(stored.content_html, "<p>edited</p>");
    assert_eq!(stored.updated_at, Some(Timestamp(1_003)));
    assert_eq!(stored.actor.username, "alice");
    assert_eq!(stored.id >> 16, 500, "the id follows the publication time");
    assert_eq!(author_of(&conn, uri).unwrap(), Some(alice));
    assert!(!delete(&conn, uri, bob).unwrap());
    assert_eq!(
        replies_to(&conn, "https://me.example/users/me/statuses/1", true)
            .unwrap()
            .len(),
        1
    );
    assert!(delete(&conn, uri, alice).unwrap());
    assert!(get_by_uri(&conn, uri).unwrap().is_none());
}

#[test]
fn pages_are_newest_first_without_blocked_accounts() {
    let (_dir, conn) = testing::temporary();
    let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    let bob = actors::upsert(&conn, &sample("bob", "b.example"), Timestamp(1)).unwrap();
    for i in 0..3 {
        insert(
            &conn,
            &post(&format!("https://a.example/{i}"), alice, 100 + i),
            Timestamp(1_000),
        )
        .unwrap();
    }
    insert(
        &conn,
        &post("https://b.example/1", bob, 150),
        Timestamp(1_000),
    )
    .unwrap();
    conn.execute(
        "INSERT INTO actor_blocks (actor_id, kind, created_at) VALUES (?1, 'block', 0)",
        [bob],
    )
    .unwrap();
    let first = page(&conn, None, None, 2).unwrap();
    let uris: Vec<_> = first.iter().map(|p| p.uri.as_str()).collect();
    assert_eq!(uris, ["https://a.example/2", "https://a.example/1"]);
    let rest = page(&conn, Some(first[1].id), None, 2).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(by_actor(&conn, bob, None, 10).unwrap().len(), 1);
}
