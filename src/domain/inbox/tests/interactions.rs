//! Like, Announce, Block, Flag and their Undo. (Move is `moves`'.)

use serde_json::json;

use super::*;
use crate::store::interactions::{self, Kind};
use crate::store::remote_posts;

#[test]
fn likes_of_our_posts_count_once_and_only_their_actor_undoes_them() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    w.applied(activity_doc(
        "Like",
        ALICE,
        "https://a.example/l/1",
        json!(ours),
    ));
    w.ignored(activity_doc(
        "Like",
        ALICE,
        "https://a.example/l/2",
        json!(ours),
    ));
    w.ignored(activity_doc(
        "Like",
        ALICE,
        "https://a.example/l/3",
        json!("https://b.example/n/1"),
    ));
    w.ignored(activity_doc(
        "Like",
        ALICE,
        "https://a.example/l/4",
        json!("http://perch.test/users/me/statuses/1"),
    ));
    assert_eq!(interactions::count(&w.conn, &ours, Kind::Like).unwrap(), 1);
    assert_eq!(
        w.notifications(),
        [("like".to_string(), Some(ours.clone()))]
    );

    let like =
        json!({"id": "https://a.example/l/1", "type": "Like", "actor": ALICE, "object": ours});
    w.applied(activity_doc(
        "Follow",
        BOB,
        "https://b.example/f/1",
        json!(ME),
    ));
    w.ignored(activity_doc(
        "Undo",
        BOB,
        "https://b.example/u/1",
        json!("https://a.example/l/1"),
    ));
    let mut forged = like.clone();
    forged["actor"] = json!(BOB);
    w.ignored(activity_doc("Undo", BOB, "https://b.example/u/2", forged));
    assert_eq!(interactions::count(&w.conn, &ours, Kind::Like).unwrap(), 1);
    w.applied(activity_doc("Undo", ALICE, "https://a.example/u/1", like));
    assert_eq!(interactions::count(&w.conn, &ours, Kind::Like).unwrap(), 0);
    assert_eq!(
        w.notifications().len(),
        1,
        "only Bob's follow notification is left"
    );
}

#[test]
fn boosts_of_our_public_posts_are_counted() {
    let mut w = world();
    let public = w.our_post(Visibility::Public);
    let private = w.our_post(Visibility::Followers);
    w.applied(activity_doc(
        "Announce",
        ALICE,
        "https://a.example/b/1",
        json!(public),
    ));
    w.ignored(activity_doc(
        "Announce",
        ALICE,
        "https://a.example/b/2",
        json!(private),
    ));
    assert_eq!(
        interactions::count(&w.conn, &public, Kind::Announce).unwrap(),
        1
    );
    assert_eq!(
        w.notifications(),
        [("announce".to_string(), Some(public.clone()))]
    );
    w.applied(activity_doc(
        "Undo",
        ALICE,
        "https://a.example/u/1",
        json!({"id": "https://a.example/b/1", "type": "Announce", "actor": ALICE}),
    ));
    assert_eq!(
        interactions::count(&w.conn, &public, Kind::Announce).unwrap(),
        0
    );
}

#[test]
fn a_boost_by_a_followed_account_never_trusts_the_embedded_copy() {
    let mut w = world();
    w.we_follow(ALICE, FollowState::Accepted);
    let real = json!({"id": "https://b.example/n/1", "type": "Note", "attributedTo": BOB,
                      "content": "<p>the real text</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"]});
    w.remote.add(real);
    let forged = json!({"id": "https://b.example/n/1", "type": "Note", "attributedTo": BOB,
                        "content": "<p>words Bob never wrote</p>"});
    w.applied(activity_doc(
        "Announce",
        ALICE,
        "https://a.example/b/1",
        forged,
    ));
    let kept = remote_posts::get_by_uri(&w.conn, "https://b.example/n/1")
        .unwrap()
        .unwrap();
    assert_eq!(kept.content_html, "<p>the real text</p>");
    assert_eq!(kept.actor.uri, BOB);
    let boosts = interactions::boosts_by_followed(&w.conn, None, 10).unwrap();
    assert_eq!(boosts.len(), 1);
    assert_eq!(boosts[0].object_uri, "https://b.example/n/1");

    // When the post cannot be fetched, only the reference is kept.
    w.applied(activity_doc(
        "Announce",
        ALICE,
        "https://a.example/b/2",
        json!("https://b.example/n/404"),
    ));
    assert!(remote_posts::get_by_uri(&w.conn, "https://b.example/n/404")
        .unwrap()
        .is_none());
    assert_eq!(
        interactions::boosts_by_followed(&w.conn, None, 10)
            .unwrap()
            .len(),
        2
    );
    // Boosts by accounts we do not follow are not kept.
    w.ignored(activity_doc(
        "Announce",
        BOB,
        "https://b.example/b/1",
        json!("https://a.example/n/1"),
    ));
}

#[test]
fn a_block_ends_follows_both_ways_until_its_own_undo() {
    let mut w = world();
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(ME),
    ));
    w.we_follow(ALICE, FollowState::Accepted);
    w.ignored(activity_doc(
        "Block",
        ALICE,
        "https://a.example/k/0",
        json!(BOB),
    ));
    w.applied(activity_doc(
        "Block",
        ALICE,
        "https://a.example/k/1",
        json!(ME),
    ));
    assert_eq!(w.follow_state(ALICE, Direction::In), None);
    assert_eq!(w.follow_state(ALICE, Direction::Out), None);
    let alice = w.actor_id(ALICE);
    assert!(store::actors::is_blocked_by(&w.conn, alice).unwrap());
    w.ignored(activity_doc(
        "Undo",
        ALICE,
        "https://a.example/u/0",
        json!("https://a.example/k/0"),
    ));
    w.ignored(activity_doc(
        "Undo",
        BOB,
        "https://b.example/u/1",
        json!("https://a.example/k/1"),
    ));
    assert!(store::actors::is_blocked_by(&w.conn, alice).unwrap());
    w.applied(activity_doc(
        "Undo",
        ALICE,
        "https://a.example/u/1",
        json!({"id": "https://a.example/k/1", "type": "Block"}),
    ));
    assert!(!store::actors::is_blocked_by(&w.conn, alice).unwrap());
}

#[test]
fn activities_of_accounts_the_owner_blocked_are_dropped() {
    let mut w = world();
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(ME),
    ));
    let alice = w.actor_id(ALICE);
    w.conn
        .execute(
            "INSERT INTO actor_blocks (actor_id, kind, created_at) VALUES (?1, 'block', 0)",
            [alice],
        )
        .unwrap();
    let ours = w.our_post(Visibility::Public);
    w.ignored(activity_doc(
        "Like",
        ALICE,
        "https://a.example/l/1",
        json!(ours),
    ));
    assert_eq!(interactions::count(&w.conn, &ours, Kind::Like).unwrap(), 0);
}

#[test]
fn reports_are_recorded() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    let flag = json!({"id": "https://a.example/flag/1", "type": "Flag", "actor": ALICE,
                      "content": "<p>spam &amp; more</p>", "object": [ME, ours]});
    w.applied(flag);
    let all = store::notifications::list(&w.conn, None, 10).unwrap();
    assert_eq!(all[0].kind.as_str(), "report");
    assert_eq!(all[0].object_uri.as_deref(), Some(ME));
    assert_eq!(all[0].content.as_deref(), Some("spam & more"));
}
