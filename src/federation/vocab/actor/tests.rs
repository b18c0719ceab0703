use super::*;
use crate::domain::testkit::{actor_doc, test_key};
use serde_json::json;

#[test]
fn a_mastodon_style_actor_is_read_with_its_key() {
    let doc = actor_doc("https://a.example", "alice");
    let actor = parse_actor(&doc, None).unwrap();
    assert_eq!(actor.uri, "https://a.example/users/alice");
    assert_eq!(actor.domain, "a.example");
    assert_eq!(actor.username, "alice");
    assert_eq!(
        actor.shared_inbox.as_deref(),
        Some("https://a.example/inbox")
    );
    let (key_id, pem) = actor.key.unwrap();
    assert_eq!(key_id, "https://a.example/users/alice#main-key");
    assert_eq!(pem, test_key().1);
}

#[test]
fn keys_owned_by_someone_else_are_not_kept() {
    let mut doc = actor_doc("https://a.example", "alice");
    doc["publicKey"]["owner"] = json!("https://a.example/users/bob");
    assert!(parse_actor(&doc, None).unwrap().key.is_none());
    let mut doc = actor_doc("https://a.example", "alice");
    doc["publicKey"]["id"] = json!("https://b.example/users/alice#main-key");
    assert!(parse_actor(&doc, None).unwrap().key.is_none());
    let mut doc = actor_doc("https://a.example", "alice");
    doc["publicKey"]["publicKeyPem"] =
        json!("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");
    assert!(parse_actor(&doc, None).unwrap().key.is_none());
    let doc = actor_doc("https://a.example", "alice");
    assert!(
        parse_actor(&doc, Some("https://a.example/users/alice#other"))
            .unwrap()
            .key
            .is_none()
    );
}

#[test]
fn a_key_id_of_another_path_is_kept_only_when_asked_for() {
    // Bob's document says its key is Alice's: never believed when reading Bob.
    let mut doc = actor_doc("https://a.example", "bob");
    doc["publicKey"]["id"] = json!("https://a.example/users/alice#main-key");
    assert!(parse_actor(&doc, None).unwrap().key.is_none());
    let mut doc = actor_doc("https://a.example", "bob");
    doc["publicKey"]["id"] = json!("https://a.example/keys/bob");
    assert!(parse_actor(&doc, None).unwrap().key.is_none());
    assert!(parse_actor(&doc, Some("https://a.example/keys/bob"))
        .unwrap()
        .key
        .is_some());
}

#[test]
fn every_string_and_list_is_capped_and_sanitised() {
    let mut doc = actor_doc("https://a.example", "alice");
    doc["name"] = json!("N".repeat(1000));
    doc["summary"] = json!(format!(
        "<p onclick=\"x()\">hi<script>alert(1)</script></p>{}",
        "s".repeat(20_000)
    ));
    let fields: Vec<Value> = (0..100)
        .map(|i| {
            json!({"type": "PropertyValue", "name": format!("n{i}{}", "x".repeat(500)),
                        "value": "<a href=\"javascript:alert(1)\">v</a>"})
        })
        .collect();
    doc["attachment"] = json!(fields);
    doc["icon"] = json!({"type": "Image", "url": "javascript:alert(1)"});
    doc["image"] = json!({"type": "Image", "url": "https://a.example/h.png"});
    let actor = parse_actor(&doc, None).unwrap();
    assert_eq!(actor.display_name.chars().count(), MAX_DISPLAY_NAME_CHARS);
    assert!(!actor.summary_html.contains("script") && !actor.summary_html.contains("onclick"));
    assert!(actor.summary_html.chars().count() <= MAX_SUMMARY_CHARS + 100);
    assert_eq!(actor.fields.len(), MAX_REMOTE_FIELDS);
    assert!(actor.fields[0].name.chars().count() <= MAX_FIELD_CHARS);
    assert!(!actor.fields[0].value.contains("javascript"));
    assert_eq!(actor.avatar_url, None);
    assert_eq!(actor.header_url.as_deref(), Some("https://a.example/h.png"));
}

#[test]
fn documents_that_are_not_actors_are_refused() {
    assert!(parse_actor(
        &json!({"id": "https://a/x", "type": "Note", "inbox": "https://a/i"}),
        None
    )
    .is_err());
    assert!(parse_actor(&json!({"id": "https://a/x", "type": "Person"}), None).is_err());
    assert!(parse_actor(&json!({"type": "Person", "inbox": "https://a/i"}), None).is_err());
    assert!(parse_actor(&json!([1, 2]), None).is_err());
    let bare = parse_actor(
        &json!({"id": "https://a/u/zed/", "type": ["Person"], "inbox": "https://a/i"}),
        None,
    )
    .unwrap();
    assert_eq!(bare.username, "zed");
}

#[test]
fn ed25519_assertion_methods_of_the_actor_are_kept_and_others_not() {
    // A real one (wizard.casa): an RSA Multikey, which is not for proofs, and an Ed25519 one.
    if let Some(fixtures) = crate::domain::testkit::fixtures() {
        let text =
            std::fs::read_to_string(fixtures.join("mitra/actor-person-wizard.casa.json")).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let actor = parse_actor(&doc, None).unwrap();
        assert_eq!(
            actor.ed25519_keys,
            [(
                "https://wizard.casa/users/hongminhee#ed25519-key".to_string(),
                "z6MkweqJajqa5jRAJTBVxxu47oCdB7HzmYbBKN8VGbFJmKkC".to_string()
            )]
        );
    }
    let key = "z6MkweqJajqa5jRAJTBVxxu47oCdB7HzmYbBKN8VGbFJmKkC";
    let entry = |id: &str, controller: &str, kind: &str, multibase: &str| json!({"id": id, "controller": controller, "type": kind, "publicKeyMultibase": multibase});
    let alice = "https://a.example/users/alice";
    let mut doc = actor_doc("https://a.example", "alice");
    doc["assertionMethod"] = json!([
        entry(
            "https://a.example/users/alice#ed25519-key",
            alice,
            "Multikey",
            key
        ),
        entry(
            "https://a.example/users/alice#theirs",
            "https://a.example/users/bob",
            "Multikey",
            key
        ),
        entry(
            "https://b.example/users/alice#elsewhere",
            alice,
            "Multikey",
            key
        ),
        entry(
            "https://a.example/users/alice#odd",
            alice,
            "JsonWebKey",
            key
        ),
        entry(
            "https://a.example/users/alice#broken",
            alice,
            "Multikey",
            "z6Mk0OIl"
        ),
    ]);
    let actor = parse_actor(&doc, None).unwrap();
    assert_eq!(
        actor.ed25519_keys,
        [(format!("{alice}#ed25519-key"), key.to_string())]
    );
    // A single entry, not in a list, counts too; none is none.
    doc["assertionMethod"] = entry(&format!("{alice}#k"), alice, "Multikey", key);
    assert_eq!(parse_actor(&doc, None).unwrap().ed25519_keys.len(), 1);
    let plain = actor_doc("https://a.example", "alice");
    assert!(parse_actor(&plain, None).unwrap().ed25519_keys.is_empty());
}
