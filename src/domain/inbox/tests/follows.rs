//! Follow, its Undo, the owner's approval, and the answers to our own Follows.

use serde_json::json;

use super::*;
use crate::domain::follows::{approve_follow, reject_follow};

#[test]
fn a_follow_is_accepted_at_once_and_answered() {
    let mut w = world();
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(ME),
    ));
    assert_eq!(
        w.follow_state(ALICE, Direction::In),
        Some(FollowState::Accepted)
    );
    let deliveries = w.deliveries();
    assert_eq!(deliveries.len(), 1);
    let (inbox, accept) = &deliveries[0];
    assert_eq!(inbox, "https://a.example/users/alice/inbox");
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], ME);
    assert!(accept["id"]
        .as_str()
        .unwrap()
        .starts_with("http://perch.test/users/me/activities/"));
    assert_eq!(
        accept["object"],
        json!({"id": "https://a.example/f/1", "type": "Follow", "actor": ALICE, "object": ME})
    );
    assert_eq!(w.notifications(), [("follow".to_string(), None)]);
    assert_eq!(
        store::follows::follower_inboxes(&w.conn).unwrap(),
        ["https://a.example/inbox"]
    );

    // Following again (they lost our Accept): answered again, no second notification.
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/2",
        json!(ME),
    ));
    assert_eq!(w.deliveries().len(), 2);
    assert_eq!(w.notifications().len(), 1);
}

#[test]
fn a_follow_of_someone_else_is_ignored() {
    let mut w = world();
    w.ignored(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(BOB),
    ));
    w.ignored(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/2",
        json!("http://perch.test/users/other"),
    ));
    assert!(w.deliveries().is_empty());
}

#[test]
fn with_approval_on_a_follow_waits_for_the_owner() {
    let mut w = world();
    w.conn
        .execute("UPDATE profile SET manually_approves_followers = 1", [])
        .unwrap();
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(ME),
    ));
    w.applied(activity_doc(
        "Follow",
        BOB,
        "https://b.example/f/1",
        json!(ME),
    ));
    // Asking again keeps one request and one notification.
    w.applied(activity_doc(
        "Follow",
        BOB,
        "https://b.example/f/2",
        json!(ME),
    ));
    assert_eq!(
        w.follow_state(ALICE, Direction::In),
        Some(FollowState::Pending)
    );
    assert!(
        w.deliveries().is_empty(),
        "no Accept before the owner approves"
    );
    assert!(store::follows::follower_inboxes(&w.conn)
        .unwrap()
        .is_empty());
    assert_eq!(w.notifications().len(), 2);
    assert_eq!(w.notifications()[0].0, "follow_request");

    let (alice, bob) = (w.actor_id(ALICE), w.actor_id(BOB));
    assert!(approve_follow(&mut w.conn, &w.urls, alice, w.now).unwrap());
    assert!(
        !approve_follow(&mut w.conn, &w.urls, alice, w.now).unwrap(),
        "only once"
    );
    assert_eq!(
        w.follow_state(ALICE, Direction::In),
        Some(FollowState::Accepted)
    );
    assert!(reject_follow(&mut w.conn, &w.urls, bob, w.now).unwrap());
    assert_eq!(w.follow_state(BOB, Direction::In), None);
    let sent: Vec<_> = w
        .deliveries()
        .into_iter()
        .map(|(inbox, a)| (inbox, a["type"].clone()))
        .collect();
    assert_eq!(
        sent,
        [
            (
                "https://a.example/users/alice/inbox".to_string(),
                json!("Accept")
            ),
            (
                "https://b.example/users/bob/inbox".to_string(),
                json!("Reject")
            ),
        ]
    );
    assert_eq!(
        w.notifications().len(),
        1,
        "the refused request's notification is gone"
    );
    assert_eq!(
        store::follows::follower_inboxes(&w.conn).unwrap(),
        ["https://a.example/inbox"]
    );
}

#[test]
fn only_the_follower_undoes_its_own_current_follow() {
    let mut w = world();
    let follow =
        json!({"id": "https://a.example/f/1", "type": "Follow", "actor": ALICE, "object": ME});
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(ME),
    ));
    w.applied(activity_doc(
        "Follow",
        BOB,
        "https://b.example/f/1",
        json!(ME),
    ));
    // Bob undoing Alice's follow, embedded or by id: no change.
    w.ignored(activity_doc(
        "Undo",
        BOB,
        "https://b.example/u/1",
        follow.clone(),
    ));
    w.ignored(activity_doc(
        "Undo",
        BOB,
        "https://b.example/u/2",
        json!("https://a.example/f/1"),
    ));
    assert_eq!(
        w.follow_state(ALICE, Direction::In),
        Some(FollowState::Accepted)
    );

    // A newer Follow, then the old Undo arriving late: the newer one stands.
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/2",
        json!(ME),
    ));
    w.ignored(activity_doc("Undo", ALICE, "https://a.example/u/1", follow));
    assert_eq!(
        w.follow_state(ALICE, Direction::In),
        Some(FollowState::Accepted)
    );
    let current =
        json!({"id": "https://a.example/f/2", "type": "Follow", "actor": ALICE, "object": ME});
    w.applied(activity_doc(
        "Undo",
        ALICE,
        "https://a.example/u/2",
        current,
    ));
    assert_eq!(w.follow_state(ALICE, Direction::In), None);
    // Bob's, undone by its bare id.
    w.applied(activity_doc(
        "Undo",
        BOB,
        "https://b.example/u/3",
        json!("https://b.example/f/1"),
    ));
    assert_eq!(w.follow_state(BOB, Direction::In), None);
}

#[test]
fn only_a_genuine_accept_makes_us_follow() {
    let mut w = world();
    let ours = w.we_follow(ALICE, FollowState::Pending);
    w.we_follow(BOB, FollowState::Pending);
    let our_follow = json!({"id": ours, "type": "Follow", "actor": ME, "object": ALICE});
    // From the wrong actor (Bob answering our follow of Alice).
    w.ignored(activity_doc(
        "Accept",
        BOB,
        "https://b.example/a/1",
        our_follow.clone(),
    ));
    assert_eq!(
        w.follow_state(BOB, Direction::Out),
        Some(FollowState::Pending)
    );
    // Of a Follow we never sent.
    let other = json!({"id": "https://a.example/f/9", "type": "Follow", "actor": "https://a.example/users/carol", "object": ALICE});
    w.ignored(activity_doc(
        "Accept",
        ALICE,
        "https://a.example/a/1",
        other,
    ));
    w.ignored(activity_doc(
        "Accept",
        ALICE,
        "https://a.example/a/2",
        json!("http://perch.test/users/me/activities/1"),
    ));
    // From someone we never asked.
    w.remote.add(actor_doc("https://c.example", "carol"));
    w.ignored(activity_doc(
        "Accept",
        "https://c.example/users/carol",
        "https://c.example/a/1",
        our_follow.clone(),
    ));
    assert_eq!(
        w.follow_state(ALICE, Direction::Out),
        Some(FollowState::Pending)
    );
    assert!(
        store::follows::actor_uris(&w.conn, Direction::Out, None, 10)
            .unwrap()
            .is_empty()
    );

    w.applied(activity_doc(
        "Accept",
        ALICE,
        "https://a.example/a/3",
        our_follow,
    ));
    assert_eq!(
        w.follow_state(ALICE, Direction::Out),
        Some(FollowState::Accepted)
    );
    // Bob answers with a rewritten id but our Follow's actor and object: accepted too.
    let rewritten =
        json!({"id": "https://b.example/f/ours", "type": "Follow", "actor": ME, "object": BOB});
    w.applied(activity_doc(
        "Accept",
        BOB,
        "https://b.example/a/2",
        rewritten,
    ));
    assert_eq!(
        w.follow_state(BOB, Direction::Out),
        Some(FollowState::Accepted)
    );
}

#[test]
fn a_reject_from_the_actor_we_asked_ends_our_follow() {
    let mut w = world();
    let ours = w.we_follow(ALICE, FollowState::Accepted);
    w.ignored(activity_doc(
        "Reject",
        BOB,
        "https://b.example/r/1",
        json!(ours),
    ));
    assert_eq!(
        w.follow_state(ALICE, Direction::Out),
        Some(FollowState::Accepted)
    );
    w.applied(activity_doc(
        "Reject",
        ALICE,
        "https://a.example/r/1",
        json!(ours),
    ));
    assert_eq!(w.follow_state(ALICE, Direction::Out), None);
}

#[test]
fn a_withdrawn_request_leaves_no_request_behind() {
    let mut w = world();
    w.conn
        .execute("UPDATE profile SET manually_approves_followers = 1", [])
        .unwrap();
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(ME),
    ));
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/2",
        json!(ME),
    ));
    let current =
        json!({"id": "https://a.example/f/2", "type": "Follow", "actor": ALICE, "object": ME});
    w.applied(activity_doc(
        "Undo",
        ALICE,
        "https://a.example/u/1",
        current,
    ));
    assert_eq!(w.follow_state(ALICE, Direction::In), None);
    assert!(w.notifications().is_empty());
    let alice = w.actor_id(ALICE);
    assert!(!approve_follow(&mut w.conn, &w.urls, alice, w.now).unwrap());
    assert!(w.deliveries().is_empty());
}
