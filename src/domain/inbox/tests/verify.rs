//! The verify half: which signed requests are let in.

use std::time::SystemTime;

use serde_json::json;

use super::*;
use crate::domain::inbox::verify::{authenticate, parse_body, Refusal, Verdict};
use crate::domain::testkit::test_key;
use crate::federation::keys::{self, SigningKey};
use crate::federation::proofs::{self, ProofKey};
use crate::federation::signatures::{self, IncomingRequest, PendingSignature, Signer};

const ALICE_KEY: &str = "https://a.example/users/alice#main-key";

/// Signs `body` as `key_id` with `key`, and runs the key-free checks on it.
fn signed(key: &SigningKey, key_id: &str, body: &[u8]) -> PendingSignature {
    let url = url::Url::parse("http://perch.test/users/me/inbox").unwrap();
    let signer = Signer { key, key_id };
    let now = SystemTime::now();
    let headers: Vec<(String, String)> =
        signatures::sign_post(&signer, &url, body, "application/activity+json", now)
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect();
    let request = IncomingRequest {
        method: "POST",
        path_and_query: "/users/me/inbox",
        headers: &headers,
        body: Some(body),
    };
    signatures::check(&request, now).unwrap()
}

fn verify(w: &World, key_id: &str, document: serde_json::Value) -> Result<Verdict, Refusal> {
    let body = document.to_string();
    let signature = signed(&test_key().0, key_id, body.as_bytes());
    let activity = parse_body(body.as_bytes())?;
    authenticate(
        || Ok(&w.conn),
        &w.remote,
        &w.urls,
        &signature,
        &activity,
        w.now,
    )
}

fn unauthorized(result: Result<Verdict, Refusal>) -> String {
    match result {
        Err(Refusal::Unauthorized(why)) => why,
        other => panic!("expected a 401, got {other:?}"),
    }
}

#[test]
fn a_signed_activity_from_the_keys_owner_is_accepted_and_the_key_cached() {
    let w = world();
    let follow = activity_doc("Follow", ALICE, "https://a.example/f/1", json!(ME));
    assert_eq!(verify(&w, ALICE_KEY, follow.clone()), Ok(Verdict::Accept));
    assert_eq!(verify(&w, ALICE_KEY, follow), Ok(Verdict::Accept));
    assert_eq!(
        w.remote.fetched.borrow().len(),
        1,
        "the key is fetched once"
    );
}

#[test]
fn the_actor_must_own_the_key_and_the_id_be_on_its_host() {
    let w = world();
    let as_bob = activity_doc("Follow", BOB, "https://b.example/f/1", json!(ME));
    assert!(unauthorized(verify(&w, ALICE_KEY, as_bob)).contains("owner"));
    let elsewhere = activity_doc("Follow", ALICE, "https://b.example/f/1", json!(ME));
    assert!(unauthorized(verify(&w, ALICE_KEY, elsewhere)).contains("host"));
    let ours = activity_doc("Follow", ME, "http://perch.test/f/1", json!(ME));
    assert!(
        unauthorized(verify(&w, "http://perch.test/users/me#main-key", ours))
            .contains("this server")
    );
    // Bob's key id, which Bob's own key does not match (signed with another key).
    let (der, _) = keys::generate().unwrap();
    let other = SigningKey::from_pkcs8(&der).unwrap();
    let body = activity_doc("Follow", BOB, "https://b.example/f/2", json!(ME)).to_string();
    let signature = signed(
        &other,
        "https://b.example/users/bob#main-key",
        body.as_bytes(),
    );
    let activity = parse_body(body.as_bytes()).unwrap();
    let result = authenticate(
        || Ok(&w.conn),
        &w.remote,
        &w.urls,
        &signature,
        &activity,
        w.now,
    );
    assert!(unauthorized(result).contains("does not match"));
    // A key that cannot be had.
    let unknown = activity_doc(
        "Follow",
        "https://c.example/users/carol",
        "https://c.example/f/1",
        json!(ME),
    );
    assert!(unauthorized(verify(
        &w,
        "https://c.example/users/carol#main-key",
        unknown
    ))
    .contains("signing key"));
}

#[test]
fn a_rotated_key_is_fetched_again_but_not_more_than_every_five_minutes() {
    let mut w = world();
    // We cached Alice with an old key.
    let (_, old_pem) = keys::generate().unwrap();
    let mut old = actor_doc("https://a.example", "alice");
    old["publicKey"]["publicKeyPem"] = json!(old_pem);
    let stale = crate::federation::vocab::parse_actor(&old, None).unwrap();
    store::actors::upsert(&w.conn, &stale, w.now).unwrap();
    let follow = activity_doc("Follow", ALICE, "https://a.example/f/1", json!(ME));
    // Just fetched: no refetch, refused.
    assert!(unauthorized(verify(&w, ALICE_KEY, follow.clone())).contains("does not match"));
    assert!(w.remote.fetched.borrow().is_empty());
    // Later, the new key is fetched and the signature verifies.
    w.now = Timestamp(w.now.0 + 5 * 60_000 + 1);
    assert_eq!(verify(&w, ALICE_KEY, follow), Ok(Verdict::Accept));
    assert_eq!(w.remote.fetched.borrow().len(), 1);
}

#[test]
fn blocked_domains_are_refused_without_a_fetch_and_blocked_actors_dropped() {
    let w = world();
    w.conn
        .execute(
            "INSERT INTO domain_blocks (domain, created_at) VALUES ('a.example', 0)",
            [],
        )
        .unwrap();
    let follow = activity_doc("Follow", ALICE, "https://a.example/f/1", json!(ME));
    assert!(matches!(
        verify(&w, ALICE_KEY, follow),
        Err(Refusal::Forbidden(_))
    ));
    assert!(w.remote.fetched.borrow().is_empty());

    let bob = crate::domain::actors::fetch_actor(&w.conn, &w.remote, BOB, w.now).unwrap();
    w.conn
        .execute(
            "INSERT INTO actor_blocks (actor_id, kind, created_at) VALUES (?1, 'block', 0)",
            [bob.id],
        )
        .unwrap();
    let follow = activity_doc("Follow", BOB, "https://b.example/f/1", json!(ME));
    assert!(matches!(
        verify(&w, "https://b.example/users/bob#main-key", follow),
        Ok(Verdict::Drop(_))
    ));
}

#[test]
fn a_delete_of_an_unknown_actor_is_dropped_without_a_fetch() {
    let w = world();
    let delete = activity_doc(
        "Delete",
        ALICE,
        "https://a.example/users/alice#delete",
        json!(ALICE),
    );
    assert!(matches!(
        verify(&w, ALICE_KEY, delete),
        Ok(Verdict::Drop(_))
    ));
    assert!(w.remote.fetched.borrow().is_empty());
}

#[test]
fn bodies_that_are_not_activities_are_malformed() {
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(200), "}".repeat(200));
    let bad: [&[u8]; 8] = [
        deep.as_bytes(),
        deep_object.as_bytes(),
        b"{\"id\": \"https://a/1\", \"type\": \"Like\", \"actor\": \"https://a/u\", \"x\": \"\xff\"}",
        br#"{"id": "https://a/1", "type": "Like", "actor": "https://a/u", "x": "\ud800"}"#,
        br#"["not", "an", "object"]"#,
        br#"{"type": "Like", "actor": "https://a/u"}"#,
        br#"{"id": "https://a/1", "type": "Like", "actor": "https://a/u""#,
        b"",
    ];
    for body in bad {
        assert!(
            matches!(parse_body(body), Err(Refusal::Malformed(_))),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    assert!(parse_body(
        br#"{"id": "https://a/1", "type": "Like", "actor": "https://a/u", "x": "\ud83d\ude00"}"#
    )
    .is_ok());
}

/// Alice's document listing `key`'s public half as her Ed25519 `assertionMethod`.
fn with_multikey(w: &mut World, key: &ProofKey) {
    let mut alice = actor_doc("https://a.example", "alice");
    alice["assertionMethod"] = json!([{
        "id": ALICE_ED25519,
        "type": "Multikey",
        "controller": ALICE,
        "publicKeyMultibase": key.public_multibase(),
    }]);
    w.remote.add(alice);
}

const ALICE_ED25519: &str = "https://a.example/users/alice#ed25519-key";

fn proof_key() -> ProofKey {
    ProofKey::from_pkcs8(&ProofKey::generate().unwrap()).unwrap()
}

/// Alice's reply to us, proven with `key`, signed (HTTP) by Bob: a forward.
fn forwarded_reply(key: &ProofKey) -> serde_json::Value {
    let note = json!({"id": "https://a.example/notes/1", "type": "Note",
                      "attributedTo": ALICE, "content": "<p>hi</p>", "to": [ME]});
    let create = activity_doc("Create", ALICE, "https://a.example/notes/1/activity", note);
    proofs::sign_activity(&create, key, ALICE_ED25519, "2026-12-04T18:00:00Z")
}

const BOB_KEY: &str = "https://b.example/users/bob#main-key";

#[test]
fn a_forward_with_its_authors_valid_proof_is_taken_as_it_is() {
    let mut w = world();
    let key = proof_key();
    with_multikey(&mut w, &key);
    let reply = forwarded_reply(&key);
    // Bob, whom the owner does not follow, forwards it: the proof, not Bob, vouches for it.
    assert_eq!(verify(&w, BOB_KEY, reply.clone()), Ok(Verdict::Accept));
    let fetched = w.remote.fetched.borrow().clone();
    assert!(
        !fetched.iter().any(|u| u.contains("/notes/")),
        "the object is not fetched: {fetched:?}"
    );
    // Alice's keys were kept with her: the next one needs no fetch at all.
    let before = w.remote.fetched.borrow().len();
    assert_eq!(verify(&w, BOB_KEY, reply), Ok(Verdict::Accept));
    assert_eq!(w.remote.fetched.borrow().len(), before);
}

#[test]
fn a_proof_that_does_not_verify_is_refused_however_the_request_was_signed() {
    let mut w = world();
    let key = proof_key();
    with_multikey(&mut w, &key);
    let mut tampered = forwarded_reply(&key);
    tampered["object"]["content"] = json!("<p>FORGED</p>");
    assert!(unauthorized(verify(&w, BOB_KEY, tampered.clone())).contains("proof"));
    // Signed by Alice herself, a bad proof is still refused.
    assert!(unauthorized(verify(&w, ALICE_KEY, tampered)).contains("proof"));
    // An LD Signature added after the proof (as Fedify adds one) is not part of what it proves.
    let mut with_ld_signature = forwarded_reply(&key);
    with_ld_signature["signature"] = json!({"type": "RsaSignature2017", "signatureValue": "x"});
    assert_eq!(verify(&w, BOB_KEY, with_ld_signature), Ok(Verdict::Accept));
    // Made with a key Alice does not list under that id: refused too.
    let other = forwarded_reply(&proof_key());
    assert!(unauthorized(verify(&w, BOB_KEY, other)).contains("proof"));
    let mut broken = forwarded_reply(&key);
    broken["proof"]["proofValue"] = json!("not base58 0OIl");
    assert!(unauthorized(verify(&w, BOB_KEY, broken)).contains("proof"));
}

#[test]
fn without_a_proof_of_its_actor_the_signature_rules_decide() {
    let mut w = world();
    let key = proof_key();
    // Alice lists no Ed25519 key: her proof names nothing of hers, and Bob is no forwarder we trust.
    let reply = forwarded_reply(&key);
    assert!(unauthorized(verify(&w, BOB_KEY, reply.clone())).contains("owner"));
    with_multikey(&mut w, &key);
    // Another suite is not ours to read; a proof by a key on another host is not the actor's.
    let mut other_suite = reply.clone();
    other_suite["proof"]["cryptosuite"] = json!("ecdsa-jcs-2019");
    assert!(unauthorized(verify(&w, BOB_KEY, other_suite)).contains("owner"));
    let mut elsewhere = reply.clone();
    elsewhere["proof"]["verificationMethod"] = json!("https://b.example/users/bob#ed25519-key");
    assert!(unauthorized(verify(&w, BOB_KEY, elsewhere)).contains("owner"));
    // Signed by Alice with no proof at all: as before.
    let mut plain = reply;
    plain.as_object_mut().unwrap().remove("proof");
    assert_eq!(verify(&w, ALICE_KEY, plain), Ok(Verdict::Accept));
}

#[test]
fn a_rotated_ed25519_key_is_fetched_again_but_not_more_than_every_five_minutes() {
    let mut w = world();
    let old = proof_key();
    with_multikey(&mut w, &old);
    let follow = activity_doc("Follow", ALICE, "https://a.example/f/1", json!(ME));
    let first = proofs::sign_activity(&follow, &old, ALICE_ED25519, "2026-12-04T18:00:00Z");
    assert_eq!(verify(&w, ALICE_KEY, first), Ok(Verdict::Accept));
    // Alice rotates her key; we still hold the old one, fetched just now.
    let new = proof_key();
    with_multikey(&mut w, &new);
    let second = proofs::sign_activity(&follow, &new, ALICE_ED25519, "2026-12-04T18:01:00Z");
    let before = w.remote.fetched.borrow().len();
    assert!(unauthorized(verify(&w, BOB_KEY, second.clone())).contains("proof"));
    assert_eq!(
        w.remote.fetched.borrow().len(),
        before + 1,
        "Bob's key only, no refetch of Alice"
    );
    w.now = Timestamp(w.now.0 + 5 * 60_000 + 1);
    assert_eq!(verify(&w, BOB_KEY, second), Ok(Verdict::Accept));
}
