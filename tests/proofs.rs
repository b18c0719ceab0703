//! Object integrity proofs (FEP-8b32) between real servers: Perch publishes the owner's Ed25519
//! key as a Multikey (FEP-521a), another Perch keeps it, and an activity forwarded by a third
//! server is taken on its author's proof alone, without fetching its object again; a tampered
//! one is refused. Fedify's side is in tests/fedify.rs.

use std::time::SystemTime;

use perch::federation::proofs::{self, ProofKey};
use serde_json::{json, Value};

use crate::hardening::remote::{actor_document, Remote};
use crate::harness::{eventually, follow_and_wait, get, Instance, AS_JSON};
use crate::probe;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn now() -> String {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    perch::model::Timestamp(seconds * 1000).rfc3339()
}

/// A Create of a Note by `actor`, addressed to `to` (so that the receiver keeps it).
fn create(actor: &str, note: &str, to: &str, text: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note}/activity"),
        "type": "Create",
        "actor": actor,
        "to": [PUBLIC, to],
        "object": {"id": note, "type": "Note", "attributedTo": actor,
                   "content": format!("<p>{text}</p>"), "to": [PUBLIC, to]}
    })
}

#[test]
fn a_perch_actor_publishes_its_ed25519_key_and_another_perch_keeps_it_and_trusts_its_proofs() {
    let a = Instance::start();
    let b = Instance::start();
    let actor = a.url("/users/ana");
    let document = get(&actor, AS_JSON).json();
    let method = &document["assertionMethod"][0];
    assert_eq!(method["id"], format!("{actor}#ed25519-key"));
    assert_eq!(method["type"], "Multikey");
    assert_eq!(method["controller"], actor);
    let multibase = method["publicKeyMultibase"].as_str().unwrap().to_string();
    assert!(multibase.starts_with("z6Mk"), "{multibase}");
    let context = document["@context"].as_array().unwrap();
    assert!(context.contains(&json!("https://w3id.org/security/multikey/v1")));
    assert!(context.contains(&json!("https://w3id.org/security/data-integrity/v1")));
    assert!(probe::has_ed25519_key(&a));

    // B follows A: B fetched A's actor and keeps its Multikey.
    follow_and_wait(&b, &a);
    assert_eq!(
        probe::ed25519_keys(&b, &actor),
        json!([[format!("{actor}#ed25519-key"), multibase]])
    );

    // A's post reaches B signed by A and proven by A.
    a.post("proven by A itself", &[]);
    eventually("B keeps A's post", || {
        probe::remote_posts_containing(&b, "proven by A itself") == 1
    });

    // A third server passes on an activity of A's, proven with A's own key: B takes it on the
    // proof (the forwarder is nobody B follows), and keeps the object as it came.
    let key = {
        let conn = perch::store::open(a.database(), false).unwrap();
        perch::delivery::proof::owner_key(&conn).unwrap()
    };
    let note = a.url("/users/ana/statuses/1/forwarded");
    let activity = create(
        &actor,
        &note,
        &b.url("/users/ana"),
        "passed on, proven by A",
    );
    let signed = proofs::sign_activity(&activity, &key, &format!("{actor}#ed25519-key"), &now());
    let forwarder = Remote::start();
    let answer = forwarder.post(&b, "/inbox", "fwd", signed.to_string().as_bytes());
    assert_eq!(answer.status, 202, "{}", answer.body);
    eventually("B keeps the forwarded post", || {
        probe::remote_posts_containing(&b, "passed on, proven by A") == 1
    });
}

#[test]
fn a_forward_proven_by_its_author_is_taken_without_a_refetch_and_a_tampered_one_refused() {
    let perch = Instance::start();
    let remote = Remote::start();
    let owner = perch.url("/users/ana");
    let key = ProofKey::from_pkcs8(&ProofKey::generate().unwrap()).unwrap();
    let author = remote.actor("author");
    let method = format!("{author}#ed25519-key");
    let mut document = actor_document(&remote.origin, "author");
    document["@context"] = json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        "https://w3id.org/security/multikey/v1"
    ]);
    document["assertionMethod"] = json!([{"id": method, "type": "Multikey",
        "controller": author, "publicKeyMultibase": key.public_multibase()}]);
    remote.set(document);
    let note = format!("{}/notes/1", remote.origin);
    let activity = create(&author, &note, &owner, "the author's own words");
    let signed = proofs::sign_activity(&activity, &key, &method, &now());

    // Changed after it was proven: refused, and nothing is kept.
    let mut tampered = signed.clone();
    tampered["object"]["content"] = json!("<p>FORGED words</p>");
    let answer = remote.post(&perch, "/inbox", "fwd", tampered.to_string().as_bytes());
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert!(answer.body.contains("proof"), "{}", answer.body);
    // Without a proof, a forward by someone the owner does not follow is refused as before.
    let bare = create(&author, &format!("{note}-bare"), &owner, "unproven");
    let answer = remote.post(&perch, "/inbox", "fwd", bare.to_string().as_bytes());
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(probe::inbound(&perch), 0);

    // As proven: taken as it is.
    let answer = remote.post(&perch, "/inbox", "fwd", signed.to_string().as_bytes());
    assert_eq!(answer.status, 202, "{}", answer.body);
    eventually("Perch keeps the forwarded post", || {
        probe::remote_posts_containing(&perch, "the author's own words") == 1
    });
    assert_eq!(probe::remote_posts_containing(&perch, "FORGED"), 0);
    let fetched: Vec<String> = remote
        .seen()
        .into_iter()
        .filter(|s| s.method == "GET")
        .map(|s| s.path)
        .collect();
    assert!(
        !fetched.iter().any(|path| path.starts_with("/notes/")),
        "the object was fetched again: {fetched:?}"
    );
    // The author's key is kept with the author.
    assert_eq!(
        probe::ed25519_keys(&perch, &author),
        json!([[method, key.public_multibase()]])
    );
}
