use serde_json::{json, Value};

use super::worker::run_due;
use super::*;
use crate::domain::actors::get_or_fetch;
use crate::domain::testkit::{self, actor_doc, FakeRemote};
use crate::store::{interactions, notifications, testing};

const NOW: Timestamp = Timestamp(1_700_000_000_000);
const ALICE: &str = "https://a.example/users/alice";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn note(id: &str, author: &str, published: &str, in_reply_to: Option<&str>) -> Value {
    json!({"id": id, "type": "Note", "attributedTo": author, "content": format!("<p>{id}</p>"),
           "published": published, "inReplyTo": in_reply_to, "to": [PUBLIC]})
}

fn create(note: Value) -> Value {
    json!({"id": format!("{}/activity", note["id"].as_str().unwrap()), "type": "Create",
           "actor": note["attributedTo"], "to": [PUBLIC], "object": note})
}

/// Alice's outbox: 30 posts over two pages, newest first, and one boost of Bob's post.
fn alice_web() -> FakeRemote {
    let mut remote = FakeRemote::with([
        actor_doc("https://a.example", "alice"),
        actor_doc("https://b.example", "bob"),
    ]);
    let outbox = format!("{ALICE}/outbox");
    let items = |range: std::ops::Range<u32>| -> Vec<Value> {
        range
            .rev()
            .map(|i| {
                create(note(
                    &format!("{ALICE}/statuses/{i}"),
                    ALICE,
                    &format!("2023-11-01T00:{i:02}:00Z"),
                    None,
                ))
            })
            .collect()
    };
    let mut first: Vec<Value> = vec![
        json!({"id": format!("{ALICE}/boosts/1"), "type": "Announce",
        "actor": ALICE, "published": "2023-11-29T00:00:00Z", "to": [PUBLIC],
        "object": "https://b.example/users/bob/statuses/7"}),
    ];
    first.extend(items(15..30));
    remote.add(
        json!({"id": outbox, "type": "OrderedCollection", "totalItems": 30,
        "first": format!("{outbox}?page=1")}),
    );
    remote.add(
        json!({"id": format!("{outbox}?page=1"), "type": "OrderedCollectionPage",
        "orderedItems": first, "next": format!("{outbox}?page=2")}),
    );
    remote.add(
        json!({"id": format!("{outbox}?page=2"), "type": "OrderedCollectionPage",
        "orderedItems": items(0..15), "next": format!("{outbox}?page=3")}),
    );
    remote.add(note(
        "https://b.example/users/bob/statuses/7",
        "https://b.example/users/bob",
        "2023-11-20T00:00:00Z",
        None,
    ));
    remote
}

fn drain(conn: &mut rusqlite::Connection, remote: &FakeRemote, now: Timestamp) -> RunReport {
    let urls = testkit::urls();
    let mut all = RunReport::default();
    for _ in 0..200 {
        let report = run_due(conn, remote, &urls, now).unwrap();
        all.requests += report.requests;
        all.stored += report.stored;
        all.taken += report.taken;
        if report.taken == report.postponed {
            break;
        }
    }
    all
}

#[test]
fn a_follow_keeps_the_twenty_newest_posts_and_boosts_with_their_dates() {
    let (_dir, mut conn) = testing::temporary();
    let remote = alice_web();
    let alice = get_or_fetch(&conn, &remote, ALICE, NOW).unwrap();
    assert!(request_follow(&conn, &alice, NOW).unwrap());
    let report = drain(&mut conn, &remote, NOW);
    assert_eq!(report.stored, 20, "{report:?}");
    // The boost, then posts 29 … 11: the third page is never asked for.
    let held = remote_posts::by_actor(&conn, alice.id, None, 50).unwrap();
    assert_eq!(held.len(), 19);
    assert_eq!(held[0].uri, format!("{ALICE}/statuses/29"));
    assert_eq!(held[18].uri, format!("{ALICE}/statuses/11"));
    assert!(held.iter().all(|p| p.published_at < NOW), "real dates");
    assert_eq!(
        interactions::count(
            &conn,
            "https://b.example/users/bob/statuses/7",
            interactions::Kind::Announce
        )
        .unwrap(),
        1
    );
    assert!(!remote
        .fetched
        .borrow()
        .iter()
        .any(|u| u.ends_with("page=3")));
    assert_eq!(notifications::unread_count(&conn).unwrap_or(0), 0);
    // Asked again at once, nothing is queued: no duplicates, no second round.
    assert!(!request_follow(&conn, &alice, NOW).unwrap());
    eprintln!(
        "unit: follow backfill stored {} with {} requests",
        report.stored, report.requests
    );
}

#[test]
fn a_restart_in_the_middle_finishes_without_fetching_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("perch.db");
    let remote = alice_web();
    {
        let mut conn = crate::store::open(&path, true).unwrap();
        let alice = get_or_fetch(&conn, &remote, ALICE, NOW).unwrap();
        request_follow(&conn, &alice, NOW).unwrap();
        // One run: the outbox itself; its first page is queued, then the process "dies".
        run_due(&mut conn, &remote, &testkit::urls(), NOW).unwrap();
    }
    let fetched_before = remote.fetched.borrow().len();
    let mut conn = crate::store::open(&path, false).unwrap();
    drain(&mut conn, &remote, NOW);
    let fetched = remote.fetched.borrow();
    let mut unique = fetched.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        fetched.len(),
        "nothing fetched twice: {fetched:?}"
    );
    assert!(fetched.len() > fetched_before);
    assert_eq!(crate::store::fetches::pending(&conn).unwrap(), 0);
}

#[test]
fn a_thread_takes_its_context_collection_first_and_walks_ancestors() {
    let (_dir, mut conn) = testing::temporary();
    let urls = testkit::urls();
    let root = format!("{ALICE}/statuses/1");
    let middle = format!("{ALICE}/statuses/2");
    let context = "https://a.example/contexts/1";
    let mut focus = note(
        &format!("{ALICE}/statuses/3"),
        ALICE,
        "2023-11-03T00:00:00Z",
        Some(&middle),
    );
    focus["context"] = json!(context);
    let bob_reply = note(
        "https://b.example/users/bob/statuses/9",
        "https://b.example/users/bob",
        "2023-11-04T00:00:00Z",
        Some(focus["id"].as_str().unwrap()),
    );
    let mut remote = FakeRemote::with([
        actor_doc("https://a.example", "alice"),
        actor_doc("https://b.example", "bob"),
        note(&root, ALICE, "2023-11-01T00:00:00Z", None),
        note(&middle, ALICE, "2023-11-02T00:00:00Z", Some(&root)),
        focus.clone(),
        bob_reply.clone(),
    ]);
    // NodeBB-style: Creates; the one on another host is fetched from there by its id.
    remote.add(json!({"id": context, "type": "OrderedCollection",
        "orderedItems": [create(note(&root, ALICE, "2023-11-01T00:00:00Z", None)),
                         create(bob_reply.clone())]}));
    let uri = focus["id"].as_str().unwrap().to_string();
    crate::domain::importer::import(&conn, &remote, &urls, &uri, NOW).unwrap();
    assert!(request_thread(&conn, &urls, &uri, NOW).unwrap());
    assert!(pending_for(&conn, &uri).unwrap() >= 2);
    drain(&mut conn, &remote, NOW);
    for held in [
        &root,
        &middle,
        &bob_reply["id"].as_str().unwrap().to_string(),
    ] {
        assert!(remote_posts::raw(&conn, held).unwrap().is_some(), "{held}");
    }
    assert_eq!(pending_for(&conn, &uri).unwrap(), 0);
    // No replies collection was walked: the context answered for the whole conversation.
    assert!(!remote
        .fetched
        .borrow()
        .iter()
        .any(|u| u.contains("/replies")));
    // Kept for the thread: Bob, whom we do not follow, is not on the home timeline.
    let home = remote_posts::page(&conn, None, None, 50).unwrap();
    assert!(!home.iter().any(|p| p.uri.contains("bob")));
}

#[test]
fn replies_are_walked_three_levels_deep_and_no_further() {
    let (_dir, mut conn) = testing::temporary();
    let urls = testkit::urls();
    let mut remote = FakeRemote::with([actor_doc("https://a.example", "alice")]);
    // A chain of five posts, each the only reply of the one before, each with a replies page.
    let id = |i: u32| format!("{ALICE}/statuses/{i}");
    for i in 0..5 {
        let mut post = note(
            &id(i),
            ALICE,
            "2023-11-01T00:00:00Z",
            (i > 0).then(|| id(i - 1)).as_deref(),
        );
        post["replies"] = json!({"id": format!("{}/replies", id(i)), "type": "Collection",
            "first": {"type": "CollectionPage", "next": format!("{}/replies?page=true", id(i)),
                      "items": []}});
        remote.add(post);
        remote.add(
            json!({"id": format!("{}/replies?page=true", id(i)), "type": "CollectionPage",
            "items": [id(i + 1)]}),
        );
    }
    crate::domain::importer::import(&conn, &remote, &urls, &id(0), NOW).unwrap();
    request_thread(&conn, &urls, &id(0), NOW).unwrap();
    drain(&mut conn, &remote, NOW);
    for i in 1..=3 {
        assert!(
            remote_posts::raw(&conn, &id(i)).unwrap().is_some(),
            "level {i}"
        );
    }
    assert!(
        remote_posts::raw(&conn, &id(4)).unwrap().is_none(),
        "a fourth level is not walked"
    );
}

#[test]
fn the_per_host_budget_postpones_and_blocked_domains_and_the_switch_stop_everything() {
    let (_dir, mut conn) = testing::temporary();
    let urls = testkit::urls();
    let mut remote = FakeRemote::with([actor_doc("https://a.example", "alice")]);
    let root = format!("{ALICE}/statuses/0");
    let replies: Vec<String> = (1..=100).map(|i| format!("{ALICE}/statuses/{i}")).collect();
    let mut post = note(&root, ALICE, "2023-11-01T00:00:00Z", None);
    post["replies"] =
        json!({"type": "Collection", "first": {"type": "CollectionPage", "items": replies}});
    remote.add(post);
    for reply in &replies {
        remote.add(note(reply, ALICE, "2023-11-02T00:00:00Z", Some(&root)));
    }
    crate::domain::importer::import(&conn, &remote, &urls, &root, NOW).unwrap();
    request_thread(&conn, &urls, &root, NOW).unwrap();
    let before = remote.fetched.borrow().len();
    let report = drain(&mut conn, &remote, NOW);
    assert_eq!(
        remote.fetched.borrow().len() - before,
        polite::PER_HOST_PER_MINUTE as usize
    );
    assert_eq!(report.requests as i64, polite::PER_HOST_PER_MINUTE);
    // A minute on, the budget is renewed.
    let later = Timestamp(NOW.0 + polite::MINUTE_MS);
    drain(&mut conn, &remote, later);
    assert_eq!(remote.fetched.borrow().len() - before, 100);

    // Switched off, the queue waits; a blocked domain gets nothing fetched.
    let (_dir2, mut conn) = testing::temporary();
    let remote = alice_web();
    let alice = get_or_fetch(&conn, &remote, ALICE, NOW).unwrap();
    request_follow(&conn, &alice, NOW).unwrap();
    set_enabled(&conn, false).unwrap();
    assert!(!enabled(&conn).unwrap());
    let fetched = remote.fetched.borrow().len();
    assert_eq!(drain(&mut conn, &remote, NOW).requests, 0);
    set_enabled(&conn, true).unwrap();
    crate::store::moderation::block_domain(&conn, "a.example", NOW).unwrap();
    drain(&mut conn, &remote, NOW);
    assert_eq!(
        remote.fetched.borrow().len(),
        fetched,
        "nothing fetched from a blocked domain"
    );
}
