use super::*;
use crate::domain::testkit::{actor_doc, FakeRemote};
use crate::store::testing;
use serde_json::json;

const ALICE_KEY: &str = "https://a.example/users/alice#main-key";

#[test]
fn a_key_is_fetched_once_then_cached() {
    let (_dir, conn) = testing::temporary();
    let remote = FakeRemote::with([actor_doc("https://a.example", "alice")]);
    assert!(cached_key(&conn, ALICE_KEY).unwrap().is_none());
    let owner = fetch_key(&conn, &remote, ALICE_KEY, Timestamp(1_000)).unwrap();
    assert_eq!(owner.actor_uri, "https://a.example/users/alice");
    assert_eq!(*remote.fetched.borrow(), ["https://a.example/users/alice"]);
    let cached = cached_key(&conn, ALICE_KEY).unwrap().unwrap();
    assert_eq!(cached.actor_id, owner.actor_id);
    assert!(!cached.may_refetch(Timestamp(1_000 + REFETCH_AFTER_MS)));
    assert!(cached.may_refetch(Timestamp(1_001 + REFETCH_AFTER_MS)));
}

#[test]
fn a_key_on_its_own_document_needs_an_owner_that_lists_it() {
    let (_dir, conn) = testing::temporary();
    let key_id = "https://a.example/keys/alice";
    let mut actor = actor_doc("https://a.example", "alice");
    actor["publicKey"]["id"] = json!(key_id);
    let key_doc = json!({"id": key_id, "owner": "https://a.example/users/alice",
                         "publicKeyPem": actor["publicKey"]["publicKeyPem"]});
    let remote = FakeRemote::with([actor.clone(), key_doc.clone()]);
    let owner = fetch_key(&conn, &remote, key_id, Timestamp(1)).unwrap();
    assert_eq!(owner.actor_uri, "https://a.example/users/alice");

    // A key document pointing at an owner that does not list it.
    let (_dir, conn) = testing::temporary();
    let remote = FakeRemote::with([actor_doc("https://a.example", "alice"), key_doc]);
    assert!(matches!(
        fetch_key(&conn, &remote, key_id, Timestamp(1)),
        Err(ActorError::Invalid(_))
    ));
    // An owner on another host.
    let foreign =
        json!({"id": key_id, "owner": "https://b.example/users/alice", "publicKeyPem": "x"});
    let remote = FakeRemote::with([foreign, actor_doc("https://b.example", "alice")]);
    assert!(matches!(
        fetch_key(&conn, &remote, key_id, Timestamp(1)),
        Err(ActorError::Invalid(_))
    ));
}

#[test]
fn an_actor_claiming_another_actors_key_is_refused() {
    let (_dir, conn) = testing::temporary();
    // Bob's document says its key is Alice's key id.
    let mut bob = actor_doc("https://a.example", "bob");
    bob["publicKey"]["id"] = json!(ALICE_KEY);
    let mut remote = FakeRemote::default();
    remote
        .documents
        .insert("https://a.example/users/alice".into(), bob);
    assert!(fetch_key(&conn, &remote, ALICE_KEY, Timestamp(1)).is_err());
    assert!(cached_key(&conn, ALICE_KEY).unwrap().is_none());
    // And a document without that key at all.
    let remote = FakeRemote::with([actor_doc("https://a.example", "alice")]);
    assert!(matches!(
        fetch_key(
            &conn,
            &remote,
            "https://a.example/users/alice#other-key",
            Timestamp(1)
        ),
        Err(ActorError::Invalid(_))
    ));
}
