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
