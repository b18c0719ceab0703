use super::*;
use crate::domain::testkit::{actor_doc, FakeRemote};
use crate::store::testing;
use serde_json::json;

#[test]
fn actors_are_fetched_once_then_served_from_the_store() {
    let (_dir, conn) = testing::temporary();
    let remote = FakeRemote::with([actor_doc("https://a.example", "alice")]);
    let uri = "https://a.example/users/alice";
    let actor = get_or_fetch(&conn, &remote, uri, Timestamp(1_000)).unwrap();
    assert_eq!(
        (actor.username.as_str(), actor.display_name.as_str()),
        ("alice", "ALICE")
    );
    get_or_fetch(&conn, &remote, uri, Timestamp(2_000)).unwrap();
    assert_eq!(remote.fetched.borrow().len(), 1);
    // A day later it is refreshed; when that fails, the stale copy serves.
    let mut gone = FakeRemote::default();
    gone.down.push(uri.into());
    let later = Timestamp(1_000 + ACTOR_MAX_AGE_MS);
    assert_eq!(get_or_fetch(&conn, &gone, uri, later).unwrap().id, actor.id);
    assert_eq!(gone.fetched.borrow().len(), 1);
}

#[test]
fn a_document_with_another_id_or_a_blocked_domain_is_refused() {
    let (_dir, conn) = testing::temporary();
    let mut remote = FakeRemote::default();
    let mut doc = actor_doc("https://a.example", "alice");
    remote
        .documents
        .insert("https://a.example/users/bob".into(), doc.clone());
    assert!(matches!(
        fetch_actor(&conn, &remote, "https://a.example/users/bob", Timestamp(1)),
        Err(ActorError::Invalid(_))
    ));
    doc["id"] = json!("https://evil.example/users/alice");
    remote.add(doc);
    conn.execute(
        "INSERT INTO domain_blocks (domain, created_at) VALUES ('evil.example', 0)",
        [],
    )
    .unwrap();
    assert!(matches!(
        fetch_actor(
            &conn,
            &remote,
            "https://evil.example/users/alice",
            Timestamp(1)
        ),
        Err(ActorError::Blocked)
    ));
    assert_eq!(
        remote.fetched.borrow().len(),
        1,
        "no request to a blocked domain"
    );
}

#[test]
fn handles_resolve_on_their_domain_or_when_the_host_confirms() {
    let (_dir, conn) = testing::temporary();
    let mut remote = FakeRemote::with([
        actor_doc("https://a.example", "alice"),
        actor_doc("https://social.b.example", "bob"),
        actor_doc("https://c.example", "carol"),
    ]);
    remote.webfinger.insert(
        "alice@a.example".into(),
        "https://a.example/users/alice".into(),
    );
    // bob@b.example lives on social.b.example, which confirms it.
    remote.webfinger.insert(
        "bob@b.example".into(),
        "https://social.b.example/users/bob".into(),
    );
    remote.webfinger.insert(
        "bob@social.b.example".into(),
        "https://social.b.example/users/bob".into(),
    );
    // evil.example claims carol, and c.example does not confirm.
    remote.webfinger.insert(
        "carol@evil.example".into(),
        "https://c.example/users/carol".into(),
    );
    remote.webfinger.insert(
        "carol@c.example".into(),
        "https://c.example/users/someone-else".into(),
    );

    let alice = resolve_handle(&conn, &remote, "@alice@A.example", Timestamp(1)).unwrap();
    assert_eq!(alice.uri, "https://a.example/users/alice");
    let bob = resolve_handle(&conn, &remote, "bob@b.example", Timestamp(1)).unwrap();
    assert_eq!(bob.uri, "https://social.b.example/users/bob");
    assert!(matches!(
        resolve_handle(&conn, &remote, "@carol@evil.example", Timestamp(1)),
        Err(ActorError::Invalid(_))
    ));
    assert!(matches!(
        resolve_handle(&conn, &remote, "@nobody", Timestamp(1)),
        Err(ActorError::Invalid(_))
    ));
    assert!(
        resolve_handle(&conn, &remote, "@x@nowhere.example", Timestamp(1))
            .is_err_and(|e| !e.is_transient())
    );
}

#[test]
fn updates_apply_only_to_the_actor_itself_and_moves_need_confirmation() {
    let (_dir, conn) = testing::temporary();
    let mut remote = FakeRemote::with([actor_doc("https://a.example", "alice")]);
    let alice = fetch_actor(
        &conn,
        &remote,
        "https://a.example/users/alice",
        Timestamp(1),
    )
    .unwrap();
    let mut changed = actor_doc("https://a.example", "alice");
    changed["name"] = json!("Alice Liddell");
    assert!(apply_update(&conn, &alice.uri, &changed, Timestamp(2)).unwrap());
    let other = actor_doc("https://a.example", "bob");
    assert!(!apply_update(&conn, &alice.uri, &other, Timestamp(2)).unwrap());
    assert!(actors::get_by_uri(&conn, other["id"].as_str().unwrap())
        .unwrap()
        .is_none());
    assert_eq!(
        actors::get(&conn, alice.id).unwrap().unwrap().display_name,
        "Alice Liddell"
    );

    let mut target = actor_doc("https://b.example", "alice");
    remote.add(target.clone());
    let target_uri = "https://b.example/users/alice";
    let (_, aliases) = fetch_with_aliases(&conn, &remote, target_uri, Timestamp(3)).unwrap();
    assert!(aliases.is_empty());
    target["alsoKnownAs"] = json!([alice.uri]);
    remote.add(target);
    // Fetched afresh: the stored copy without aliases is not what is read.
    let (moved, aliases) = fetch_with_aliases(&conn, &remote, target_uri, Timestamp(3)).unwrap();
    assert_eq!(moved.uri, target_uri);
    assert_eq!(aliases, vec![alice.uri.clone()]);
    assert!(remove(&conn, &alice.uri).unwrap());
    assert!(!remove(&conn, &alice.uri).unwrap());
}
