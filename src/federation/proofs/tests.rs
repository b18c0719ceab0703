use super::*;
use ring::rand::SystemRandom;
use ring::signature::KeyPair;

fn key() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
}

fn public(key: &Ed25519KeyPair) -> [u8; 32] {
    key.public_key().as_ref().try_into().unwrap()
}

#[test]
fn a_published_multikey_reads_back_and_real_ones_parse() {
    let key = key();
    let multibase = ed25519_multibase(key.public_key().as_ref());
    assert!(multibase.starts_with("z6Mk"), "{multibase}");
    assert_eq!(parse_ed25519_multibase(&multibase), Some(public(&key)));
    // Fedify's (wizard.casa) and an RSA Multikey, which is not Ed25519.
    assert!(parse_ed25519_multibase("z6MkweqJajqa5jRAJTBVxxu47oCdB7HzmYbBKN8VGbFJmKkC").is_some());
    assert_eq!(
        parse_ed25519_multibase("z4MXj1wBzi9jUstyPzDJGKjQPQWMi9NPMz1xNE4MeJjMp"),
        None
    );
    assert_eq!(parse_ed25519_multibase("not base58 0OIl"), None);
}

#[test]
fn canonical_json_sorts_keys_and_drops_whitespace() {
    let value: Value =
        serde_json::from_str(r#"{ "b": [1, {"d": "é", "c": null}], "a": "\u0001" }"#).unwrap();
    assert_eq!(
        canonical(&value),
        r#"{"a":"\u0001","b":[1,{"c":null,"d":"é"}]}"#
    );
}

#[test]
fn a_signed_activity_verifies_and_any_change_breaks_it() {
    let key = key();
    let activity = serde_json::json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/data-integrity/v1"],
        "id": "https://a.example/activities/1",
        "type": "Create",
        "actor": "https://a.example/users/x",
        "object": {"type": "Note", "content": "hi"}
    });
    let signed = sign(
        &activity,
        &key,
        "https://a.example/users/x#ed25519-key",
        "2026-12-02T18:00:00Z",
    );
    assert_eq!(
        verification_method(&signed),
        Some("https://a.example/users/x#ed25519-key")
    );
    verify(&signed, &public(&key)).unwrap();
    let mut forged = signed.clone();
    forged["object"]["content"] = "bye".into();
    assert_eq!(
        verify(&forged, &public(&key)),
        Err(ProofError::BadSignature)
    );
    assert_eq!(
        verify(&signed, &public(&self::key())),
        Err(ProofError::BadSignature)
    );
    assert_eq!(verify(&activity, &public(&key)), Err(ProofError::NoProof));
}

#[test]
fn a_real_mitra_proof_is_read_but_other_suites_are_not() {
    let Some(fixtures) = crate::domain::testkit::fixtures() else {
        return;
    };
    let text =
        std::fs::read_to_string(fixtures.join("mitra/accept-follow-fep8b32-proof.json")).unwrap();
    let accept: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        verification_method(&accept),
        Some("https://mitra.social/users/localtestgroup#ed25519-key")
    );
    // Its key is not in the fixtures: any other key must fail it, not error on its shape.
    assert_eq!(verify(&accept, &[7; 32]), Err(ProofError::BadSignature));
    let mut other = accept.clone();
    other["proof"]["cryptosuite"] = "ecdsa-rdfc-2019".into();
    assert_eq!(verify(&other, &[7; 32]), Err(ProofError::Unsupported));
}

#[test]
fn an_activity_signed_for_json_ld_readers_gains_the_context_and_verifies() {
    let key = ProofKey::from_pkcs8(&ProofKey::generate().unwrap()).unwrap();
    let public = parse_ed25519_multibase(&key.public_multibase()).unwrap();
    let activity = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://a.example/activities/1", "type": "Like",
        "actor": "https://a.example/users/x", "object": "https://b.example/notes/1"
    });
    let method = "https://a.example/users/x#ed25519-key";
    let signed = sign_activity(&activity, &key, method, "2026-12-04T18:00:00Z");
    assert_eq!(
        signed["@context"],
        serde_json::json!([
            "https://www.w3.org/ns/activitystreams",
            DATA_INTEGRITY_CONTEXT
        ])
    );
    verify(&signed, &public).unwrap();
    check_shape(&signed).unwrap();
    // Signed twice, the context is not added twice.
    let again = sign_activity(&signed, &key, method, "2026-12-04T18:00:00Z");
    assert_eq!(again["@context"], signed["@context"]);

    // In a list of proofs, each one checks on its own.
    let other = ProofKey::from_pkcs8(&ProofKey::generate().unwrap()).unwrap();
    let second = sign_activity(
        &activity,
        &other,
        "https://a.example/users/x#other",
        "2026-12-04T18:00:00Z",
    );
    let mut both = signed.clone();
    both["proof"] = serde_json::json!([second["proof"], signed["proof"]]);
    assert_eq!(
        verification_methods(&both),
        ["https://a.example/users/x#other", method]
    );
    let mine = only_proof_by(&both, method).unwrap();
    verify(&mine, &public).unwrap();
    let theirs = only_proof_by(&both, "https://a.example/users/x#other").unwrap();
    let other_public = parse_ed25519_multibase(&other.public_multibase()).unwrap();
    verify(&theirs, &other_public).unwrap();
    assert_eq!(verify(&theirs, &public), Err(ProofError::BadSignature));
    assert_eq!(
        only_proof_by(&signed, "https://a.example/users/x#other"),
        None
    );
    assert_eq!(only_proof_by(&activity, method), None);
    assert!(ProofKey::from_pkcs8(b"not a key").is_err());
}
