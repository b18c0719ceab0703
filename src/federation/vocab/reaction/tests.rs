use serde_json::json;

use super::*;

fn fixture(path: &str) -> Option<Value> {
    let root = std::env::var_os("PERCH_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
        });
    let text = std::fs::read_to_string(root.join(path)).ok()?;
    Some(serde_json::from_str(&text).expect("a fixture is JSON"))
}

#[test]
fn reads_pleromas_emoji_react() {
    let Some(document) = fixture("pleroma/emojireact.json") else {
        eprintln!("SKIPPED: fixtures not found");
        return;
    };
    assert_eq!(
        parse_reaction(&document),
        Some(Reaction {
            content: "👌".into(),
            emoji_url: None
        })
    );
}

#[test]
fn reads_misskeys_likes_with_a_reaction() {
    let Some(legacy) = fixture("misskey/like-with-_misskey_reaction.json") else {
        eprintln!("SKIPPED: fixtures not found");
        return;
    };
    assert_eq!(parse_reaction(&legacy).unwrap().content, "🍮");
    let custom = fixture("misskey/like-custom-emoji-reaction.json").unwrap();
    assert_eq!(
        parse_reaction(&custom),
        Some(Reaction {
            content: ":hanapog:".into(),
            emoji_url: Some(
                "https://misskey.local.live/files/webpublic-8f8a9768-7264-4171-88d6-2356aabeadcd"
                    .into()
            ),
        })
    );
}

#[test]
fn reads_the_emoji_tags_of_an_actor() {
    let Some(actor) = fixture("misskey/actor-person-skippers-bin.json") else {
        eprintln!("SKIPPED: fixtures not found");
        return;
    };
    assert_eq!(
        emoji_tags(&actor),
        [EmojiTag {
            shortcode: "verified".into(),
            icon: "https://skippers-bin.com/files/webpublic-dd10b435-6dad-4602-938b-f69ec0a19f2c"
                .into(),
        }]
    );
}

#[test]
fn a_plain_like_or_content_that_is_no_emoji_is_no_reaction() {
    let like = |content: Value| json!({"type": "Like", "content": content});
    assert_eq!(parse_reaction(&json!({"type": "Like"})), None);
    for bad in [
        json!("hello"),
        json!("<b>x</b>"),
        json!(":no spaces:"),
        json!(":<img>:"),
        json!("::"),
        json!(""),
        json!("🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉"),
        json!(42),
        json!(["👍"]),
    ] {
        assert_eq!(parse_reaction(&like(bad.clone())), None, "{bad}");
    }
    assert_eq!(parse_reaction(&like(json!(" 👍 "))).unwrap().content, "👍");
    // A custom emoji without its tag keeps its shortcode, with no image.
    assert_eq!(
        parse_reaction(&like(json!(":blobcat:"))),
        Some(Reaction {
            content: ":blobcat:".into(),
            emoji_url: None
        })
    );
}

#[test]
fn emoji_tags_without_an_image_or_a_usable_name_are_skipped() {
    let document = json!({"tag": [
        {"type": "Emoji", "name": ":ok:", "icon": {"url": "https://e.example/ok.png"}},
        {"type": "Emoji", "name": ":no_icon:"},
        {"type": "Emoji", "name": ":bad name:", "icon": {"url": "https://e.example/x.png"}},
        {"type": "Emoji", "name": ":js:", "icon": {"url": "javascript:alert(1)"}},
        {"type": "Hashtag", "name": "#tag", "href": "https://e.example/tags/tag"},
    ]});
    assert_eq!(
        emoji_tags(&document),
        [EmojiTag {
            shortcode: "ok".into(),
            icon: "https://e.example/ok.png".into()
        }]
    );
}
