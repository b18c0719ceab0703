use serde_json::Value;

use super::*;
use crate::domain::testkit::{self, FakeRemote};
use crate::model::{ReactionCount, Visibility};
use crate::store::actors::tests::sample;
use crate::store::remote_posts::{self, NewRemotePost};
use crate::store::{actors, profile, testing};

const POST: &str = "https://a.example/notes/1";

/// A database holding Alice's post, with her server running `software` (None: no NodeInfo).
fn world(software: Option<&str>) -> (tempfile::TempDir, Connection, FakeRemote) {
    let (dir, conn) = testing::temporary();
    profile::create_if_missing(&conn, "Me", Timestamp(1)).unwrap();
    let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    let post = NewRemotePost {
        uri: POST.into(),
        actor_id: alice,
        url: None,
        in_reply_to: None,
        content_html: "<p>hi</p>".into(),
        summary: None,
        sensitive: false,
        visibility: Visibility::Public,
        published_at: Timestamp(10),
        updated_at: None,
        raw: "{}".into(),
    };
    remote_posts::insert(&conn, &post, Timestamp(10)).unwrap();
    let mut remote = FakeRemote::default();
    if let Some(name) = software {
        remote.software.insert("a.example".into(), name.into());
    }
    (dir, conn, remote)
}

/// What was queued for delivery: (inbox, document), oldest first.
fn sent(conn: &Connection) -> Vec<(String, Value)> {
    testkit::queued(conn)
}

const NOW: Timestamp = Timestamp(1_700_000_000_000);

#[test]
fn a_reaction_to_a_misskey_post_goes_as_an_emoji_react_and_its_undo_follows() {
    let (_dir, mut conn, remote) = world(Some("misskey"));
    let urls = testkit::urls();
    react(&mut conn, &remote, &urls, POST, "🎉", NOW).unwrap();
    react(&mut conn, &remote, &urls, POST, " 🎉 ", NOW).unwrap();
    assert_eq!(
        reactions::counts(&conn, POST).unwrap(),
        [ReactionCount {
            content: "🎉".into(),
            count: 1,
            mine: true
        }]
    );
    let out = sent(&conn);
    assert_eq!(out.len(), 1, "a repeat sends nothing");
    let (inbox, react) = &out[0];
    assert_eq!(inbox, "https://a.example/users/alice/inbox");
    assert_eq!(react["type"], "EmojiReact");
    assert_eq!(react["content"], "🎉");
    assert_eq!(react["_misskey_reaction"], "🎉");
    assert_eq!(react["object"], POST);
    assert_eq!(react["actor"], urls.actor());

    unreact(&mut conn, &urls, POST, "🎉", NOW).unwrap();
    assert_eq!(reactions::counts(&conn, POST).unwrap(), []);
    let out = sent(&conn);
    assert_eq!(out[1].1["type"], "Undo");
    assert_eq!(out[1].1["object"]["type"], "EmojiReact");
    assert_eq!(out[1].1["object"]["id"], react["id"]);
    assert_eq!(
        remote.fetched.borrow().as_slice(),
        ["nodeinfo:a.example"],
        "NodeInfo is asked once"
    );
}

#[test]
fn a_server_not_known_to_take_reactions_gets_a_like() {
    for software in [Some("mastodon"), None] {
        let (_dir, mut conn, remote) = world(software);
        let urls = testkit::urls();
        react(&mut conn, &remote, &urls, POST, "👍", NOW).unwrap();
        let out = sent(&conn);
        assert_eq!(out[0].1["type"], "Like", "{software:?}");
        assert!(out[0].1.get("content").is_none());
        unreact(&mut conn, &urls, POST, "👍", NOW).unwrap();
        let out = sent(&conn);
        assert_eq!(out[1].1["type"], "Undo");
        assert_eq!(out[1].1["object"]["type"], "Like");
    }
}

#[test]
fn what_a_host_runs_is_asked_again_only_when_stale() {
    let (_dir, conn, remote) = world(Some("akkoma"));
    assert!(takes_reactions(&conn, &remote, "a.example", NOW).unwrap());
    assert!(takes_reactions(&conn, &remote, "a.example", Timestamp(NOW.0 + 1000)).unwrap());
    assert_eq!(remote.fetched.borrow().len(), 1);
    let week_later = Timestamp(NOW.0 + SOFTWARE_MAX_AGE_MS);
    assert!(takes_reactions(&conn, &remote, "a.example", week_later).unwrap());
    assert_eq!(remote.fetched.borrow().len(), 2);
    // No NodeInfo: no, asked again after a day.
    assert!(!takes_reactions(&conn, &remote, "b.example", NOW).unwrap());
    assert!(!takes_reactions(&conn, &remote, "b.example", NOW).unwrap());
    assert_eq!(remote.fetched.borrow().len(), 3);
}

#[test]
fn only_an_emoji_is_a_reaction() {
    let (_dir, mut conn, remote) = world(Some("pleroma"));
    let urls = testkit::urls();
    for bad in ["", "hello", "<b>", "🎉 party", ":blobcat:"] {
        let error = react(&mut conn, &remote, &urls, POST, bad, NOW).unwrap_err();
        assert_eq!(error.status, 422, "{bad}");
    }
    let unknown = react(
        &mut conn,
        &remote,
        &urls,
        "https://c.example/n/9",
        "👍",
        NOW,
    );
    assert_eq!(unknown.unwrap_err().status, 404);
    assert!(sent(&conn).is_empty());
}

#[test]
fn the_owner_reacts_to_their_own_post_without_sending_anything() {
    let (_dir, mut conn, remote) = world(None);
    let urls = testkit::urls();
    let ours = urls.post(42);
    react(&mut conn, &remote, &urls, &ours, "❤️", NOW).unwrap();
    assert_eq!(reactions::counts(&conn, &ours).unwrap().len(), 1);
    unreact(&mut conn, &urls, &ours, "❤️", NOW).unwrap();
    assert!(reactions::counts(&conn, &ours).unwrap().is_empty());
    assert!(sent(&conn).is_empty());
    assert!(remote.fetched.borrow().is_empty());
}
