//! Create, Update and Delete of posts and actors.

use serde_json::{json, Value};

use super::*;
use crate::store::remote_posts;

fn note(id: &str, author: &str, extra: Value) -> Value {
    let mut note = json!({
        "id": id, "type": "Note", "attributedTo": author,
        "content": "<p>hi <script>alert(1)</script><a href=\"javascript:x\">there</a></p>",
        "published": "2023-11-14T22:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{author}/followers")],
    });
    for (key, value) in extra.as_object().unwrap() {
        note[key] = value.clone();
    }
    note
}

fn create(actor: &str, id: &str, object: Value) -> Value {
    activity_doc("Create", actor, id, object)
}

#[test]
fn replies_and_mentions_are_kept_and_notified() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    let reply = note("https://a.example/n/1", ALICE, json!({"inReplyTo": ours}));
    w.applied(create(ALICE, "https://a.example/c/1", reply.clone()));
    let kept = remote_posts::get_by_uri(&w.conn, "https://a.example/n/1")
        .unwrap()
        .unwrap();
    assert!(!kept.content_html.contains("script") && !kept.content_html.contains("javascript"));
    assert_eq!(kept.visibility, Visibility::Public);
    assert_eq!(kept.in_reply_to.as_deref(), Some(ours.as_str()));
    assert_eq!(kept.actor.uri, ALICE);
    assert_eq!(
        remote_posts::replies_to(&w.conn, &ours, true)
            .unwrap()
            .len(),
        1
    );

    let mention = note(
        "https://b.example/n/1",
        BOB,
        json!({"to": [ME], "cc": [], "tag": [{"type": "Mention", "href": ME, "name": "@me@perch.test"}]}),
    );
    w.applied(create(BOB, "https://b.example/c/1", mention));
    let direct = remote_posts::get_by_uri(&w.conn, "https://b.example/n/1")
        .unwrap()
        .unwrap();
    assert_eq!(direct.visibility, Visibility::Direct);
    assert_eq!(
        w.notifications(),
        [
            (
                "reply".to_string(),
                Some("https://a.example/n/1".to_string())
            ),
            (
                "mention".to_string(),
                Some("https://b.example/n/1".to_string())
            ),
        ]
    );
    // The same Create again (a replay under a new id): no second post or notification.
    w.ignored(create(ALICE, "https://a.example/c/2", reply));
    assert_eq!(w.notifications().len(), 2);
}

#[test]
fn a_reply_fetched_before_its_create_is_still_notified_once() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    let reply = note("https://a.example/n/1", ALICE, json!({"inReplyTo": ours}));
    w.applied(create(ALICE, "https://a.example/c/1", reply.clone()));
    // As if a thread's backfill had stored it: the post held, nobody told.
    w.conn.execute("DELETE FROM notifications", []).unwrap();
    w.applied(create(ALICE, "https://a.example/c/2", reply.clone()));
    assert_eq!(w.notifications().len(), 1);
    assert_eq!(remote_posts_count(&w), 1, "the post is not stored twice");
    w.ignored(create(ALICE, "https://a.example/c/3", reply));
    assert_eq!(w.notifications().len(), 1);
}

fn remote_posts_count(w: &World) -> i64 {
    w.conn
        .query_row("SELECT count(*) FROM remote_posts", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn posts_of_strangers_are_not_kept_but_those_of_followed_accounts_are() {
    let mut w = world();
    w.ignored(create(
        ALICE,
        "https://a.example/c/1",
        note("https://a.example/n/1", ALICE, json!({})),
    ));
    w.we_follow(ALICE, FollowState::Pending);
    w.ignored(create(
        ALICE,
        "https://a.example/c/2",
        note("https://a.example/n/2", ALICE, json!({})),
    ));
    w.we_follow(ALICE, FollowState::Accepted);
    let followers_only = note(
        "https://a.example/n/3",
        ALICE,
        json!({"to": [format!("{ALICE}/followers")], "cc": []}),
    );
    w.applied(create(ALICE, "https://a.example/c/3", followers_only));
    let kept = remote_posts::get_by_uri(&w.conn, "https://a.example/n/3")
        .unwrap()
        .unwrap();
    assert_eq!(kept.visibility, Visibility::Followers);
    assert!(w.notifications().is_empty());
    assert_eq!(
        remote_posts::page(&w.conn, None, None, 10).unwrap().len(),
        1
    );
}

#[test]
fn public_posts_with_a_followed_tag_are_kept_from_strangers() {
    let mut w = world();
    let tagged = |id: &str, to: Value| {
        note(
            id,
            ALICE,
            json!({"to": to, "tag": [{"type": "Hashtag", "name": "#Gardening"}]}),
        )
    };
    let public = json!(["https://www.w3.org/ns/activitystreams#Public"]);
    w.ignored(create(
        ALICE,
        "https://a.example/c/1",
        tagged("https://a.example/n/1", public.clone()),
    ));
    crate::store::lists::follow_tag(&w.conn, "gardening", Timestamp(1)).unwrap();
    w.applied(create(
        ALICE,
        "https://a.example/c/2",
        tagged("https://a.example/n/2", public),
    ));
    let private = tagged(
        "https://a.example/n/3",
        json!([format!("{ALICE}/followers")]),
    );
    w.ignored(create(ALICE, "https://a.example/c/3", private));
    assert!(remote_posts::get_by_uri(&w.conn, "https://a.example/n/2")
        .unwrap()
        .is_some());
}

#[test]
fn objects_must_be_their_actors_own() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    let reply = json!({"inReplyTo": ours});
    // On another host than the actor.
    w.refused(create(
        ALICE,
        "https://a.example/c/1",
        note("https://b.example/n/1", ALICE, reply.clone()),
    ));
    // Attributed to someone else.
    w.refused(create(
        ALICE,
        "https://a.example/c/2",
        note("https://a.example/n/2", BOB, reply.clone()),
    ));
    // Claiming our own domain.
    w.refused(create(
        ALICE,
        "https://a.example/c/3",
        note(
            "http://perch.test/users/me/statuses/9",
            ALICE,
            reply.clone(),
        ),
    ));
    let mut several = note("https://a.example/n/4", ALICE, reply);
    several["attributedTo"] = json!([BOB, ALICE]);
    w.refused(create(ALICE, "https://a.example/c/4", several));
    assert!(remote_posts::page(&w.conn, None, None, 10)
        .unwrap()
        .is_empty());
    assert!(w.notifications().is_empty());
}

#[test]
fn a_create_by_id_is_fetched_and_other_types_are_ignored() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    w.remote.add(note(
        "https://a.example/n/1",
        ALICE,
        json!({"inReplyTo": ours}),
    ));
    w.applied(create(
        ALICE,
        "https://a.example/c/1",
        json!("https://a.example/n/1"),
    ));
    assert!(remote_posts::get_by_uri(&w.conn, "https://a.example/n/1")
        .unwrap()
        .is_some());
    let event = json!({"id": "https://a.example/e/1", "type": "Event", "attributedTo": ALICE});
    w.ignored(create(ALICE, "https://a.example/c/2", event));
}

#[test]
fn edits_apply_only_by_the_author_to_posts_we_hold() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    w.applied(create(
        ALICE,
        "https://a.example/c/1",
        note("https://a.example/n/1", ALICE, json!({"inReplyTo": ours})),
    ));
    let edited = note(
        "https://a.example/n/1",
        ALICE,
        json!({"content": "<p>edited</p>", "inReplyTo": ours}),
    );
    // Bob cannot edit Alice's post: the object is not on his host.
    w.refused(activity_doc(
        "Update",
        BOB,
        "https://b.example/u/1",
        edited.clone(),
    ));
    // Nor claim it by attributing a copy on his host.
    let copy = note(
        "https://b.example/n/1",
        ALICE,
        json!({"content": "<p>forged</p>"}),
    );
    w.refused(activity_doc("Update", BOB, "https://b.example/u/2", copy));
    // A post we do not hold is not created by an Update.
    w.ignored(activity_doc(
        "Update",
        ALICE,
        "https://a.example/u/0",
        note("https://a.example/n/2", ALICE, json!({})),
    ));
    w.applied(activity_doc(
        "Update",
        ALICE,
        "https://a.example/u/1",
        edited,
    ));
    let kept = remote_posts::get_by_uri(&w.conn, "https://a.example/n/1")
        .unwrap()
        .unwrap();
    assert_eq!(kept.content_html, "<p>edited</p>");
    assert!(kept.updated_at.is_some());
    assert!(remote_posts::get_by_uri(&w.conn, "https://a.example/n/2")
        .unwrap()
        .is_none());
}

#[test]
fn profile_updates_apply_only_to_the_actor_itself() {
    let mut w = world();
    w.applied(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!(ME),
    ));
    let mut profile = actor_doc("https://a.example", "alice");
    profile["name"] = json!("Alice L.");
    w.refused(activity_doc(
        "Update",
        BOB,
        "https://b.example/u/1",
        profile.clone(),
    ));
    w.applied(activity_doc(
        "Update",
        ALICE,
        "https://a.example/u/1",
        profile,
    ));
    let alice = store::actors::get_by_uri(&w.conn, ALICE).unwrap().unwrap();
    assert_eq!(alice.display_name, "Alice L.");
}

#[test]
fn deletes_remove_only_the_authors_own_posts_and_actors_themselves() {
    let mut w = world();
    let ours = w.our_post(Visibility::Public);
    w.applied(create(
        ALICE,
        "https://a.example/c/1",
        note("https://a.example/n/1", ALICE, json!({"inReplyTo": ours})),
    ));
    w.applied(activity_doc(
        "Follow",
        BOB,
        "https://b.example/f/1",
        json!(ME),
    ));
    w.refused(activity_doc(
        "Delete",
        BOB,
        "https://b.example/d/1",
        json!("https://a.example/n/1"),
    ));
    w.refused(activity_doc(
        "Delete",
        BOB,
        "https://b.example/d/2",
        json!(ours),
    ));
    // Delete of someone else's actor is refused by the same origin rule.
    w.refused(activity_doc(
        "Delete",
        BOB,
        "https://b.example/d/3",
        json!(ALICE),
    ));
    assert!(remote_posts::get_by_uri(&w.conn, "https://a.example/n/1")
        .unwrap()
        .is_some());
    let tombstone = json!({"id": "https://a.example/n/1", "type": "Tombstone"});
    w.applied(activity_doc(
        "Delete",
        ALICE,
        "https://a.example/d/1",
        tombstone,
    ));
    assert!(remote_posts::get_by_uri(&w.conn, "https://a.example/n/1")
        .unwrap()
        .is_none());
    assert!(w.notifications().iter().all(|(kind, _)| kind != "reply"));

    w.applied(activity_doc(
        "Delete",
        BOB,
        "https://b.example/d/4",
        json!({"id": BOB, "type": "Person"}),
    ));
    assert!(store::actors::get_by_uri(&w.conn, BOB).unwrap().is_none());
    assert!(store::follows::follower_inboxes(&w.conn)
        .unwrap()
        .is_empty());
    assert!(w.notifications().is_empty());
}
