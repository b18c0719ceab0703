//! EmojiReact and Misskey's Like with a reaction, and their Undo.

use serde_json::json;

use super::*;
use crate::model::ReactionCount;
use crate::store::interactions::{self, Kind};
use crate::store::reactions;

/// A fixture with its actor, id and object made ours to test: `actor` at `id`, about `object`.
fn fixture(path: &str, actor: &str, id: &str, object: &str) -> Option<Value> {
    let dir = testkit::fixtures()?;
    let text = std::fs::read_to_string(dir.join(path)).expect("a readable fixture");
    let mut document: Value = serde_json::from_str(&text).expect("a fixture is JSON");
    document["actor"] = json!(actor);
    document["id"] = json!(id);
    document["object"] = json!(object);
    Some(document)
}

fn count(content: &str, n: u64) -> ReactionCount {
    ReactionCount {
        content: content.into(),
        count: n,
        mine: false,
    }
}

#[test]
fn pleroma_and_misskey_reactions_are_counted_under_our_post_and_notified() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    let Some(pleroma) = fixture(
        "pleroma/emojireact.json",
        ALICE,
        "https://a.example/r/1",
        &ours,
    ) else {
        return;
    };
    w.applied(pleroma);
    let legacy = fixture(
        "misskey/like-with-_misskey_reaction.json",
        BOB,
        "https://b.example/r/1",
        &ours,
    )
    .unwrap();
    w.applied(legacy);
    let custom = fixture(
        "misskey/like-custom-emoji-reaction.json",
        BOB,
        "https://b.example/r/2",
        &ours,
    )
    .unwrap();
    w.applied(custom);
    // A second 👌 by someone else adds to the count; the same one again by Alice does not.
    let mut again = activity_doc("EmojiReact", BOB, "https://b.example/r/3", json!(ours));
    again["content"] = json!("👌");
    w.applied(again);
    let mut twice = activity_doc("EmojiReact", ALICE, "https://a.example/r/2", json!(ours));
    twice["content"] = json!("👌");
    w.ignored(twice);

    assert_eq!(
        reactions::counts(&w.conn, &ours).unwrap(),
        [count("👌", 2), count("🍮", 1), count(":hanapog:", 1)]
    );
    assert_eq!(
        interactions::count(&w.conn, &ours, Kind::Like).unwrap(),
        0,
        "a Like with a reaction is no like"
    );
    let kinds: Vec<_> = w.notifications().into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["reaction"; 4]);
    let contents: Vec<_> = store::notifications::list(&w.conn, None, 10)
        .unwrap()
        .into_iter()
        .filter_map(|n| n.content)
        .collect();
    assert_eq!(contents, ["👌", ":hanapog:", "🍮", "👌"]);
    let image: Option<String> = w
        .conn
        .query_row(
            "SELECT emoji_url FROM reactions WHERE content = ':hanapog:'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        image.as_deref(),
        Some("https://misskey.local.live/files/webpublic-8f8a9768-7264-4171-88d6-2356aabeadcd")
    );
}

#[test]
fn only_the_reacting_actor_undoes_a_reaction() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    let mut react = activity_doc("EmojiReact", ALICE, "https://a.example/r/1", json!(ours));
    react["content"] = json!("🎉");
    w.applied(react.clone());
    let mut misskey = activity_doc("Like", BOB, "https://b.example/r/1", json!(ours));
    misskey["_misskey_reaction"] = json!("⭐");
    w.applied(misskey.clone());

    let mut forged = react.clone();
    forged["actor"] = json!(BOB);
    w.ignored(activity_doc("Undo", BOB, "https://b.example/u/1", forged));
    w.ignored(activity_doc(
        "Undo",
        BOB,
        "https://b.example/u/2",
        json!("https://a.example/r/1"),
    ));
    assert_eq!(reactions::counts(&w.conn, &ours).unwrap().len(), 2);

    react.as_object_mut().unwrap().remove("@context");
    w.applied(activity_doc("Undo", ALICE, "https://a.example/u/1", react));
    // Misskey undoes its reaction as the Like it sent; a bare id does too.
    w.applied(activity_doc(
        "Undo",
        BOB,
        "https://b.example/u/3",
        json!("https://b.example/r/1"),
    ));
    assert_eq!(reactions::counts(&w.conn, &ours).unwrap(), []);
    assert!(w.notifications().is_empty(), "the notifications went too");
}

#[test]
fn reactions_to_what_is_not_ours_or_without_an_emoji_are_ignored() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    let mut elsewhere = activity_doc(
        "EmojiReact",
        ALICE,
        "https://a.example/r/1",
        json!("https://b.example/n/1"),
    );
    elsewhere["content"] = json!("👍");
    w.ignored(elsewhere);
    for (n, content) in [json!("<script>"), json!("words"), json!(null)]
        .into_iter()
        .enumerate()
    {
        let mut bad = activity_doc(
            "EmojiReact",
            ALICE,
            &format!("https://a.example/r/bad{n}"),
            json!(ours),
        );
        bad["content"] = content;
        w.ignored(bad);
    }
    assert_eq!(reactions::counts(&w.conn, &ours).unwrap(), []);
    assert!(w.notifications().is_empty());
}
