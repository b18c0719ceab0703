//! The activities as they have always gone out: each builder against the JSON literal it
//! replaced (key order does not matter: the wire form sorts them).

use serde_json::{json, Value};

use super::*;
use crate::config::Config;
use crate::model::Timestamp;
use crate::urls::Urls;

fn urls() -> Urls {
    let config = Config::parse(
        "domain = \"me.test\"\nusername = \"me\"\nhttps = true",
        ".".as_ref(),
    )
    .expect("a valid test configuration");
    Urls::new(&config)
}

const ME: &str = "https://me.test/users/me";
const THEM: &str = "https://a.test/users/them";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const FOLLOWERS: &str = "https://me.test/users/me/followers";

fn wire(document: &impl serde::Serialize) -> Value {
    serde_json::to_value(document).unwrap()
}

#[test]
fn follow_and_its_undo() {
    let u = urls();
    let follow = json!({"id": "https://me.test/f/1", "type": "Follow", "actor": ME,
                        "object": THEM, "to": [THEM]});
    let mut sent = follow.clone();
    sent["@context"] = json!(AS_CONTEXT);
    assert_eq!(wire(&build_follow(&u)), sent);
    assert_eq!(
        wire(&undo_follow(&u, "https://me.test/f/1", THEM)),
        json!({"@context": AS_CONTEXT, "id": "https://me.test/f/1#undo", "type": "Undo",
               "actor": ME, "object": follow, "to": [THEM]})
    );
}

fn build_follow(u: &Urls) -> Document<Follow> {
    follow(u, "https://me.test/f/1", THEM)
}

#[test]
fn accept_and_reject_embed_their_follow() {
    let u = urls();
    for (kind, built) in [
        (
            "Accept",
            accept_follow(&u, "https://me.test/a/2", "https://a.test/f/9", THEM),
        ),
        (
            "Reject",
            reject_follow(&u, "https://me.test/a/2", "https://a.test/f/9", THEM),
        ),
    ] {
        assert_eq!(
            wire(&built),
            json!({"@context": AS_CONTEXT, "id": "https://me.test/a/2", "type": kind,
                   "actor": ME, "to": [THEM],
                   "object": {"id": "https://a.test/f/9", "type": "Follow", "actor": THEM,
                              "object": ME}})
        );
    }
}

#[test]
fn likes_boosts_and_blocks_with_their_undos() {
    let u = urls();
    let post = "https://a.test/notes/1";
    let like = json!({"id": "https://me.test/l/1", "type": "Like", "actor": ME,
                      "object": post, "to": [THEM]});
    let mut sent = like.clone();
    sent["@context"] = json!(AS_CONTEXT);
    assert_eq!(
        wire(&super::like(&u, "https://me.test/l/1", post, THEM)),
        sent
    );
    assert_eq!(
        wire(&undo_like(&u, "https://me.test/l/1", post, THEM)),
        json!({"@context": AS_CONTEXT, "id": "https://me.test/l/1#undo", "type": "Undo",
               "actor": ME, "object": like, "to": [THEM]})
    );

    let now = Timestamp(1_700_000_000_000);
    let boost = json!({"id": "https://me.test/b/1", "type": "Announce", "actor": ME,
                       "published": now.rfc3339(), "to": [PUBLIC], "cc": [THEM, FOLLOWERS],
                       "object": post});
    let mut sent = boost.clone();
    sent["@context"] = json!(AS_CONTEXT);
    assert_eq!(
        wire(&announce(&u, "https://me.test/b/1", post, THEM, now)),
        sent
    );
    assert_eq!(
        wire(&undo_announce(&u, "https://me.test/b/1", post, THEM, now)),
        json!({"@context": AS_CONTEXT, "id": "https://me.test/b/1#undo", "type": "Undo",
               "actor": ME, "object": boost, "to": [PUBLIC]})
    );

    let blocked = json!({"id": "https://me.test/k/1", "type": "Block", "actor": ME,
                         "object": THEM, "to": [THEM]});
    let mut sent = blocked.clone();
    sent["@context"] = json!(AS_CONTEXT);
    assert_eq!(wire(&block(&u, "https://me.test/k/1", THEM)), sent);
    assert_eq!(
        wire(&undo_block(&u, "https://me.test/k/1", THEM)),
        json!({"@context": AS_CONTEXT, "id": "https://me.test/k/1#undo", "type": "Undo",
               "actor": ME, "object": blocked, "to": [THEM]})
    );
}

#[test]
fn pins_are_added_to_and_removed_from_featured() {
    let u = urls();
    for (kind, built) in [
        ("Add", add_featured(&u, "https://me.test/p/1", 7)),
        ("Remove", remove_featured(&u, "https://me.test/p/1", 7)),
    ] {
        assert_eq!(
            wire(&built),
            json!({"@context": AS_CONTEXT, "id": "https://me.test/p/1", "type": kind,
                   "actor": ME, "to": [PUBLIC], "cc": [FOLLOWERS],
                   "object": u.post(7), "target": u.featured()})
        );
    }
}

#[test]
fn the_update_of_the_actor_carries_its_context() {
    let u = urls();
    let actor = json!({"@context": ["x"], "id": ME, "type": "Person"});
    let update = update_actor(&u, actor, Timestamp(5));
    assert_eq!(
        wire(&update),
        json!({"@context": ["x"], "id": format!("{ME}#updates/5"), "type": "Update",
               "actor": ME, "to": [PUBLIC], "cc": [FOLLOWERS],
               "object": {"id": ME, "type": "Person"}})
    );
    assert_eq!(update.to_string(), wire(&update).to_string());
}

#[test]
fn the_actor_publishes_its_ed25519_key_as_a_multikey_and_reads_back() {
    let u = urls();
    let profile = crate::model::Profile {
        username: "me".into(),
        display_name: "Me".into(),
        bio_source: String::new(),
        bio_html: String::new(),
        avatar: None,
        header: None,
        fields: Vec::new(),
        manually_approves_followers: false,
        discoverable: true,
        bot: false,
        created_at: Timestamp(1),
        updated_at: Timestamp(1),
        also_known_as: Vec::new(),
        moved_to: None,
    };
    let key = crate::federation::proofs::ProofKey::generate().unwrap();
    let key = crate::federation::proofs::ProofKey::from_pkcs8(&key).unwrap();
    let pem = &crate::domain::testkit::test_key().1;
    let document = actor(&u, &profile, &[], pem, &key.public_multibase());
    assert_eq!(
        document["assertionMethod"],
        json!([{"id": "https://me.test/users/me#ed25519-key", "type": "Multikey",
                "controller": ME, "publicKeyMultibase": key.public_multibase()}])
    );
    let context = document["@context"].as_array().unwrap();
    for needed in [
        "https://w3id.org/security/data-integrity/v1",
        "https://w3id.org/security/multikey/v1",
        "https://www.w3.org/ns/did/v1",
    ] {
        assert!(context.iter().any(|c| c == needed), "{needed}");
    }
    // Another server reads the key back as ours.
    let read = crate::federation::vocab::parse_actor(&document, None).unwrap();
    assert_eq!(
        read.ed25519_keys,
        [(u.ed25519_key_id(), key.public_multibase())]
    );
}
