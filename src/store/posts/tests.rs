use super::*;
use crate::store::testing;

fn add(conn: &Connection, id: i64, visibility: Visibility, tags: &[&str]) {
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    insert(
        conn,
        &NewPost {
            id,
            visibility,
            source: "hello",
            content_html: "<p>hello</p>",
            summary: None,
            sensitive: false,
            in_reply_to: None,
            tags: &tags,
            mentions: &[],
        },
        Timestamp(id),
    )
    .unwrap();
}

#[test]
fn pages_walk_both_ways_and_hide_private_posts() {
    let (_dir, conn) = testing::temporary();
    for id in 1..=7 {
        let visibility = if id == 4 {
            Visibility::Followers
        } else {
            Visibility::Public
        };
        add(&conn, id, visibility, &[]);
    }
    let first = page(&conn, Audience::Anyone, None, None, 3).unwrap();
    assert_eq!(
        first.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [7, 6, 5]
    );
    assert_eq!((first.older, first.newer), (Some(5), None));
    let second = page(&conn, Audience::Anyone, first.older, None, 3).unwrap();
    assert_eq!(
        second.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert_eq!((second.older, second.newer), (None, Some(3)));
    let back = page(&conn, Audience::Anyone, None, Some(3), 3).unwrap();
    assert_eq!(
        back.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [7, 6, 5]
    );
    assert_eq!(back.newer, None);
    let owner = page(&conn, Audience::Owner, None, None, 10).unwrap();
    assert_eq!(owner.items.len(), 7);
    assert_eq!(count(&conn, Audience::Anyone).unwrap(), 6);
    assert_eq!(count(&conn, Audience::Owner).unwrap(), 7);
}

#[test]
fn a_page_carries_each_posts_tags_mentions_and_media_as_a_single_post_does() {
    let (_dir, conn) = testing::temporary();
    add(&conn, 1, Visibility::Public, &["b", "a"]);
    add(&conn, 2, Visibility::Public, &[]);
    add(&conn, 3, Visibility::Public, &["c"]);
    let mention = |uri: &str| Mention {
        uri: uri.into(),
        handle: format!("@{uri}"),
    };
    replace_tags_and_mentions(&conn, 3, &["c".into()], &[mention("z"), mention("y")]).unwrap();
    for (id, post, position) in [(10, 1, 1), (11, 1, 0), (12, 3, 0)] {
        let media = media::NewMedia {
            id,
            mime: "image/png",
            width: 1,
            height: 1,
            blurhash: "",
            description: "",
            data: b"png",
            preview: None,
        };
        media::insert(&conn, &media, Timestamp(1)).unwrap();
        assert!(media::attach(&conn, id, post, position).unwrap());
    }
    let listed = page(&conn, Audience::Anyone, None, None, 10).unwrap().items;
    assert_eq!(listed.len(), 3);
    for post in listed {
        let alone = get(&conn, post.id).unwrap().unwrap();
        assert_eq!(post.tags, alone.tags);
        assert_eq!(post.mentions, alone.mentions);
        let ids = |p: &Post| p.media.iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(ids(&post), ids(&alone));
    }
    let first = get(&conn, 1).unwrap().unwrap();
    assert_eq!(first.tags, ["a", "b"]);
    assert_eq!(
        first.media.iter().map(|m| m.id).collect::<Vec<_>>(),
        [11, 10]
    );
    assert_eq!(get(&conn, 3).unwrap().unwrap().mentions.len(), 2);
}

#[test]
fn tags_are_case_insensitive_and_edits_keep_history() {
    let (_dir, conn) = testing::temporary();
    add(&conn, 1, Visibility::Public, &["Rust"]);
    add(&conn, 2, Visibility::Public, &["cats"]);
    let tagged = page_with_tag(&conn, "rust", Audience::Anyone, None, 10).unwrap();
    assert_eq!(tagged.items.len(), 1);
    assert_eq!(tagged.items[0].tags, ["Rust"]);
    let changed = edit(
        &conn,
        1,
        &PostEdit {
            source: "bye",
            content_html: "<p>bye</p>",
            summary: Some("cw"),
            sensitive: true,
            tags: &[],
            mentions: &[],
        },
        Timestamp(50),
    )
    .unwrap();
    assert!(changed);
    let post = get(&conn, 1).unwrap().unwrap();
    assert_eq!(post.content_html, "<p>bye</p>");
    assert_eq!(post.updated_at, Some(Timestamp(50)));
    assert!(post.tags.is_empty());
    let versions = history(&conn, 1).unwrap();
    assert_eq!(
        versions,
        vec![PostVersion {
            written: Timestamp(1),
            content_html: "<p>hello</p>".to_string(),
            summary: None,
            media_descriptions: Vec::new(),
        }]
    );
    assert!(!edit(
        &conn,
        99,
        &PostEdit {
            source: "",
            content_html: "",
            summary: None,
            sensitive: false,
            tags: &[],
            mentions: &[]
        },
        Timestamp(1)
    )
    .unwrap());
    assert!(delete(&conn, 1).unwrap());
    assert!(
        history(&conn, 1).unwrap().is_empty(),
        "history goes with the post"
    );
}
