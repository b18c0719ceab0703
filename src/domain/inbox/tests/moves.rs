//! Move: believed only when the new account names the old one; then follows move with it.

use serde_json::json;

use super::*;
use crate::model::OtherAccount;
use crate::store::moderation::{self, Restriction};
use crate::store::moving;

const NEW_HOME: &str = "https://c.example/users/alice";

/// Alice's new account at c.example, naming `aliases` in its `alsoKnownAs`.
fn new_home(w: &mut World, aliases: serde_json::Value) {
    let mut document = actor_doc("https://c.example", "alice");
    document["alsoKnownAs"] = aliases;
    w.remote.add(document);
}

fn move_doc(actor: &str, id: &str, target: &str) -> serde_json::Value {
    let mut document = activity_doc("Move", actor, id, json!(actor));
    document["target"] = json!(target);
    document
}

fn moved_to(w: &World, uri: &str) -> Option<String> {
    store::actors::get_by_uri(&w.conn, uri)
        .unwrap()
        .and_then(|a| a.moved_to)
}

#[test]
fn a_move_of_someone_we_follow_moves_our_follow() {
    let mut w = world();
    let old_follow = w.we_follow(ALICE, FollowState::Accepted);
    moderation::add(&w.conn, w.actor_id(ALICE), Restriction::Mute, None, w.now).unwrap();
    new_home(&mut w, json!([ALICE]));
    w.applied(move_doc(ALICE, "https://a.example/m/1", NEW_HOME));

    assert_eq!(moved_to(&w, ALICE).as_deref(), Some(NEW_HOME));
    assert_eq!(w.follow_state(ALICE, Direction::Out), None);
    assert_eq!(
        w.follow_state(NEW_HOME, Direction::Out),
        Some(FollowState::Pending)
    );
    let sent = w.deliveries();
    let undo = sent.iter().find(|(_, a)| a["type"] == "Undo").unwrap();
    assert_eq!(undo.0, "https://a.example/users/alice/inbox");
    assert_eq!(undo.1["object"]["id"], json!(old_follow));
    let follow = sent.iter().find(|(_, a)| a["type"] == "Follow").unwrap();
    assert_eq!(follow.0, "https://c.example/users/alice/inbox");
    assert_eq!(follow.1["object"], json!(NEW_HOME));
    // The owner hears of it; the mute carries over.
    assert_eq!(
        w.notifications(),
        vec![("move".to_string(), Some(NEW_HOME.to_string()))]
    );
    assert!(moderation::has(&w.conn, w.actor_id(NEW_HOME), Restriction::Mute).unwrap());

    // The same Move again (a new id) finds nothing left to move.
    let before = w.deliveries().len();
    w.applied(move_doc(ALICE, "https://a.example/m/2", NEW_HOME));
    assert_eq!(w.deliveries().len(), before);
}

#[test]
fn a_move_of_someone_we_do_not_follow_only_records_it() {
    let mut w = world();
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(ME),
    ));
    let before = w.deliveries().len();
    new_home(&mut w, json!(ALICE));
    w.applied(move_doc(ALICE, "https://a.example/m/1", NEW_HOME));
    assert_eq!(moved_to(&w, ALICE).as_deref(), Some(NEW_HOME));
    assert_eq!(w.deliveries().len(), before);
    assert_eq!(w.follow_state(NEW_HOME, Direction::Out), None);
    assert!(!w.notifications().iter().any(|(kind, _)| kind == "move"));
}

#[test]
fn a_move_the_target_does_not_confirm_is_refused() {
    let mut w = world();
    w.we_follow(ALICE, FollowState::Accepted);
    // The target names someone else (and is fetched afresh, not read from a stored copy).
    new_home(&mut w, json!([BOB]));
    w.refused(move_doc(ALICE, "https://a.example/m/1", NEW_HOME));
    assert_eq!(moved_to(&w, ALICE), None);
    assert_eq!(
        w.follow_state(ALICE, Direction::Out),
        Some(FollowState::Accepted)
    );
    assert!(w.deliveries().is_empty());
    // A target that cannot be fetched is no confirmation either (a 404 is not tried again).
    let gone = w.send(move_doc(
        ALICE,
        "https://a.example/m/2",
        "https://c.example/users/nobody",
    ));
    assert!(matches!(gone, Err(Failure::Permanent(_))), "{gone:?}");
    // Moves of another account, or without a target, or of an unknown actor, are ignored.
    let mut other = move_doc(ALICE, "https://a.example/m/3", NEW_HOME);
    other["object"] = json!(BOB);
    w.ignored(other);
    let mut no_target = move_doc(ALICE, "https://a.example/m/4", NEW_HOME);
    no_target["target"] = json!(null);
    w.ignored(no_target);
    w.ignored(move_doc(BOB, "https://b.example/m/1", NEW_HOME));
    assert_eq!(
        w.follow_state(ALICE, Direction::Out),
        Some(FollowState::Accepted)
    );
}

#[test]
fn a_move_to_us_counts_only_from_our_aliases() {
    let mut w = world();
    w.we_follow(ALICE, FollowState::Accepted);
    // Not an alias: ignored, nothing changes.
    w.ignored(move_doc(ALICE, "https://a.example/m/1", ME));
    assert_eq!(moved_to(&w, ALICE), None);
    assert!(w.notifications().is_empty());

    let alias = OtherAccount {
        uri: ALICE.into(),
        handle: "@alice@a.example".into(),
        url: ALICE.into(),
    };
    moving::set_aliases(&w.conn, &[alias], w.now).unwrap();
    w.applied(move_doc(ALICE, "https://a.example/m/2", ME));
    assert_eq!(moved_to(&w, ALICE).as_deref(), Some(ME));
    assert_eq!(
        w.notifications(),
        vec![("move".to_string(), Some(ME.to_string()))]
    );
    // We never follow ourselves; our follow of the old account is left to the owner.
    assert!(w.deliveries().is_empty());
    assert_eq!(
        w.follow_state(ALICE, Direction::Out),
        Some(FollowState::Accepted)
    );
    // Another account on our server is not ours to move to.
    w.refused(move_doc(
        ALICE,
        "https://a.example/m/3",
        "http://perch.test/users/other",
    ));
}
