//! Publishing, editing and deleting, against a temporary database.

use super::*;
use crate::config::Config;
use crate::store::testing;

fn urls() -> Urls {
    Urls::new(
        &Config::parse(
            "domain = \"a.example\"\nusername = \"ana\"",
            std::path::Path::new("."),
        )
        .unwrap(),
    )
}

fn compose(source: &str) -> Compose {
    Compose {
        source: source.into(),
        summary: None,
        visibility: Visibility::Public,
        in_reply_to: None,
    }
}

#[test]
fn publish_validates_and_stores() {
    let (_dir, mut conn) = testing::temporary();
    let u = urls();
    assert_eq!(
        publish(&mut conn, &u, &compose("  "), Timestamp(1))
            .unwrap_err()
            .status,
        400
    );
    let long = "x".repeat(MAX_POST_CHARS + 1);
    assert_eq!(
        publish(&mut conn, &u, &compose(&long), Timestamp(1))
            .unwrap_err()
            .status,
        400
    );
    let mut bad_reply = compose("hi");
    bad_reply.in_reply_to = Some("javascript:alert(1)".into());
    assert_eq!(
        publish(&mut conn, &u, &bad_reply, Timestamp(1))
            .unwrap_err()
            .status,
        400
    );

    let first = publish(&mut conn, &u, &compose("first"), Timestamp(1_000)).unwrap();
    let mut reply = compose("second");
    reply.in_reply_to = Some(u.post_page(first.id));
    reply.summary = Some(" spoilers ".into());
    let second = publish(&mut conn, &u, &reply, Timestamp(2_000)).unwrap();
    assert_eq!(
        second.in_reply_to,
        Some(u.post(first.id)),
        "page URL turned into the object id"
    );
    assert_eq!(second.summary.as_deref(), Some("spoilers"));
    assert!(second.sensitive);
    let chain = ancestors(&conn, &u, &second, false).unwrap();
    assert_eq!(chain.iter().map(|p| p.id).collect::<Vec<_>>(), [first.id]);
}

fn upload(description: &str) -> Upload {
    let image = image::RgbImage::from_pixel(8, 6, image::Rgb([200, 40, 40]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    Upload {
        data: bytes.into_inner(),
        description: description.into(),
    }
}

fn descriptions(post: &Post) -> Vec<&str> {
    post.media.iter().map(|m| m.description.as_str()).collect()
}

#[test]
fn edits_change_alt_text_remove_and_add_images_and_keep_them_in_history() {
    let (_dir, mut conn) = testing::temporary();
    let u = urls();
    let post = publish_with_media(
        &mut conn,
        &u,
        None,
        &compose("two pictures"),
        &[upload("first"), upload("second")],
        Timestamp(1_000),
    )
    .unwrap();
    let (first, second) = (post.media[0].id, post.media[1].id);
    let changes = PostChanges {
        source: "three pictures".into(),
        summary: None,
        media: vec![
            MediaChange {
                id: first,
                description: " the first, described better ".into(),
                remove: false,
            },
            MediaChange {
                id: second,
                description: String::new(),
                remove: true,
            },
        ],
        added: vec![upload("third"), upload("fourth")],
    };
    let edited = edit(&mut conn, &u, post.id, &changes, Timestamp(2_000)).unwrap();
    assert_eq!(
        descriptions(&edited),
        ["the first, described better", "third", "fourth"]
    );
    assert_eq!(edited.media[0].id, first, "kept images keep their place");
    let history = posts::history(&conn, post.id).unwrap();
    assert_eq!(history[0].media_descriptions, ["first", "second"]);
    let note = build::note(&u, &edited);
    let names: Vec<_> = note["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(names, ["the first, described better", "third", "fourth"]);

    // Five images in all, or an image of another post, change nothing.
    let too_many = PostChanges {
        source: "five".into(),
        added: vec![upload("5"), upload("6")],
        ..PostChanges::default()
    };
    let refused = edit(&mut conn, &u, post.id, &too_many, Timestamp(3_000)).unwrap_err();
    assert_eq!(refused.status, 422);
    let other = publish_with_media(
        &mut conn,
        &u,
        None,
        &compose("other"),
        &[upload("theirs")],
        Timestamp(4_000),
    )
    .unwrap();
    let foreign = PostChanges {
        source: "steal".into(),
        media: vec![MediaChange {
            id: other.media[0].id,
            description: String::new(),
            remove: true,
        }],
        ..PostChanges::default()
    };
    let refused = edit(&mut conn, &u, post.id, &foreign, Timestamp(5_000)).unwrap_err();
    assert_eq!(refused.status, 422);
    let unchanged = posts::get(&conn, post.id).unwrap().unwrap();
    assert_eq!(unchanged.source, "three pictures");
    assert_eq!(unchanged.media.len(), 3);
    assert_eq!(posts::get(&conn, other.id).unwrap().unwrap().media.len(), 1);
}

#[test]
fn private_posts_are_not_found_for_strangers() {
    let (_dir, mut conn) = testing::temporary();
    let u = urls();
    let mut c = compose("secret");
    c.visibility = Visibility::Followers;
    let post = publish(&mut conn, &u, &c, Timestamp(1)).unwrap();
    assert_eq!(get_visible(&conn, post.id, false).unwrap_err().status, 404);
    assert!(get_visible(&conn, post.id, true).is_ok());
    delete(&mut conn, &u, post.id, Timestamp(2)).unwrap();
    assert_eq!(
        delete(&mut conn, &u, post.id, Timestamp(3))
            .unwrap_err()
            .status,
        404
    );
}
