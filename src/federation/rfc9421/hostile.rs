//! Our own signed requests verified, and the hostile cases the inbox must refuse.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

use super::fields::Member;
use super::tests::{only_member, WINDOW};
use super::*;
use crate::domain::testkit::test_key;

const NOW: u64 = 1_800_000_000;
const INBOX: &str = "https://perch.example/users/me/inbox";
const BODY: &[u8] = br#"{"type":"Follow"}"#;
const KEY_ID: &str = "https://remote.example/users/a#main-key";

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn ed25519_pair() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("a new key");
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("it loads")
}

fn ed25519_public(pair: &Ed25519KeyPair) -> PublicKey {
    PublicKey::Ed25519(pair.public_key().as_ref().to_vec())
}

/// Headers of a request signed over `components` with `params`, by `pair`.
fn signed_by(
    pair: &Ed25519KeyPair,
    label: &str,
    method: &str,
    body: &[u8],
    components: &[&str],
    params: &str,
) -> Vec<(String, String)> {
    let digest = content_digest(body, DigestAlgorithm::Sha256);
    let list: Vec<String> = components.iter().map(|c| format!("\"{c}\"")).collect();
    let input = format!("{label}=({}){params}", list.join(" "));
    let Member::InnerList(items, parsed) = only_member(&input) else {
        unreachable!()
    };
    let headers = [("content-digest", digest.as_str())];
    let request = Request {
        method,
        target_uri: INBOX,
        headers: &headers,
        body,
    };
    let base = signature_base(&request, &items, &parsed).expect("a base");
    let signature = STANDARD.encode(pair.sign(base.as_bytes()));
    vec![
        ("Content-Digest".into(), digest),
        ("Signature-Input".into(), input),
        ("Signature".into(), format!("{label}=:{signature}:")),
    ]
}

fn check(
    method: &str,
    headers: &[(String, String)],
    body: &[u8],
    now: SystemTime,
    key: &PublicKey,
) -> Result<Verified, Refusal> {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = Request {
        method,
        target_uri: INBOX,
        headers: &headers,
        body,
    };
    verify_request(&request, now, WINDOW, |id| {
        (id == KEY_ID).then(|| key.clone())
    })
}

fn one_reason(result: Result<Verified, Refusal>) -> Reason {
    match result {
        Err(Refusal::Invalid(mut reasons)) if reasons.len() == 1 => reasons.remove(0).1,
        other => panic!("expected one refused signature, got {other:?}"),
    }
}

fn headers_of(signed: &SignedHeaders) -> Vec<(String, String)> {
    let mut headers = vec![
        (
            "Signature-Input".to_string(),
            signed.signature_input.clone(),
        ),
        ("Signature".to_string(), signed.signature.clone()),
    ];
    if let Some(digest) = &signed.content_digest {
        headers.push(("Content-Digest".to_string(), digest.clone()));
    }
    headers
}

const POLICY_PARAMS: &str = ";created=1800000000;keyid=\"https://remote.example/users/a#main-key\"";

#[test]
fn our_ed25519_post_verifies() {
    let pair = ed25519_pair();
    let signed = sign_request(
        &Signer::Ed25519(&pair),
        KEY_ID,
        "POST",
        INBOX,
        Some(BODY),
        at(NOW),
    )
    .unwrap();
    assert!(signed
        .signature_input
        .starts_with("sig1=(\"@method\" \"@target-uri\" \"content-digest\");created=1800000000;"));
    assert!(signed.signature_input.ends_with(";alg=\"ed25519\""));
    let verified = check(
        "POST",
        &headers_of(&signed),
        BODY,
        at(NOW + 5),
        &ed25519_public(&pair),
    )
    .expect("verifies");
    assert_eq!(verified.algorithm, Algorithm::Ed25519);
    assert_eq!(
        verified.covered,
        ["@method", "@target-uri", "content-digest"]
    );
    assert_eq!(verified.created, NOW as i64);
}

#[test]
fn our_rsa_get_and_post_verify() {
    let (key, _) = test_key();
    let public = PublicKey::Rsa(key.public_pkcs1_der());
    let signer = Signer::Rsa(key);
    let get = sign_request(&signer, KEY_ID, "GET", INBOX, None, at(NOW)).unwrap();
    assert_eq!(get.content_digest, None);
    assert!(get
        .signature_input
        .starts_with("sig1=(\"@method\" \"@target-uri\");"));
    let verified = check("GET", &headers_of(&get), b"", at(NOW), &public).unwrap();
    assert_eq!(verified.algorithm, Algorithm::RsaV15Sha256);

    let post = sign_request(&signer, KEY_ID, "POST", INBOX, Some(BODY), at(NOW)).unwrap();
    check("POST", &headers_of(&post), BODY, at(NOW), &public).unwrap();
    // The same signature on another method does not verify.
    assert_eq!(
        one_reason(check("PUT", &headers_of(&post), BODY, at(NOW), &public)),
        Reason::BadSignature
    );
}

#[test]
fn a_signature_without_target_uri_is_refused() {
    let pair = ed25519_pair();
    let headers = signed_by(
        &pair,
        "s",
        "POST",
        BODY,
        &["@method", "content-digest"],
        POLICY_PARAMS,
    );
    let reason = one_reason(check(
        "POST",
        &headers,
        BODY,
        at(NOW),
        &ed25519_public(&pair),
    ));
    assert_eq!(reason, Reason::NotCovered("@target-uri"));
    // @authority alone is not enough either; with @path it is.
    let headers = signed_by(
        &pair,
        "s",
        "POST",
        BODY,
        &["@method", "@authority", "content-digest"],
        POLICY_PARAMS,
    );
    let reason = one_reason(check(
        "POST",
        &headers,
        BODY,
        at(NOW),
        &ed25519_public(&pair),
    ));
    assert_eq!(reason, Reason::NotCovered("@target-uri"));
    let headers = signed_by(
        &pair,
        "s",
        "POST",
        BODY,
        &["@method", "@authority", "@path", "content-digest"],
        POLICY_PARAMS,
    );
    check("POST", &headers, BODY, at(NOW), &ed25519_public(&pair)).unwrap();
}

#[test]
fn a_post_without_content_digest_is_refused() {
    let pair = ed25519_pair();
    let headers = signed_by(
        &pair,
        "s",
        "POST",
        BODY,
        &["@method", "@target-uri"],
        POLICY_PARAMS,
    );
    let reason = one_reason(check(
        "POST",
        &headers,
        BODY,
        at(NOW),
        &ed25519_public(&pair),
    ));
    assert_eq!(reason, Reason::NotCovered("content-digest"));
}

#[test]
fn created_outside_the_window_or_expired_is_refused() {
    let pair = ed25519_pair();
    let key = ed25519_public(&pair);
    let signed = sign_request(
        &Signer::Ed25519(&pair),
        KEY_ID,
        "POST",
        INBOX,
        Some(BODY),
        at(NOW),
    )
    .unwrap();
    let headers = headers_of(&signed);
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW + 3601), &key)),
        Reason::CreatedTooOld
    );
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW - 301), &key)),
        Reason::CreatedInFuture
    );
    let components = ["@method", "@target-uri", "content-digest"];
    let params = format!("{POLICY_PARAMS};expires={}", NOW + 60);
    let headers = signed_by(&pair, "s", "POST", BODY, &components, &params);
    check("POST", &headers, BODY, at(NOW + 59), &key).unwrap();
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW + 60), &key)),
        Reason::Expired
    );
    let headers = signed_by(&pair, "s", "POST", BODY, &components, ";keyid=\"k\"");
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW), &key)),
        Reason::NoCreated
    );
}

#[test]
fn a_content_digest_mismatch_is_refused() {
    let pair = ed25519_pair();
    let key = ed25519_public(&pair);
    let signed = sign_request(
        &Signer::Ed25519(&pair),
        KEY_ID,
        "POST",
        INBOX,
        Some(BODY),
        at(NOW),
    )
    .unwrap();
    let other = br#"{"type":"Block"}"#;
    assert_eq!(
        one_reason(check("POST", &headers_of(&signed), other, at(NOW), &key)),
        Reason::DigestMismatch
    );
    let mut headers = headers_of(&signed);
    headers.retain(|(n, _)| n != "Content-Digest");
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW), &key)),
        Reason::MissingComponent("content-digest".into())
    );
    headers.push(("Content-Digest".into(), "md5=:AAAA:".into()));
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW), &key)),
        Reason::DigestUnsupported
    );
}

#[test]
fn content_digest_is_made_and_checked_in_both_sizes() {
    let body = br#"{"hello": "world"}"#;
    let sha256 = content_digest(body, DigestAlgorithm::Sha256);
    assert_eq!(
        sha256,
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    );
    let sha512 = content_digest(body, DigestAlgorithm::Sha512);
    assert_eq!(check_content_digest(&sha256, body), Ok(()));
    assert_eq!(check_content_digest(&sha512, body), Ok(()));
    let both = format!("{sha256}, {sha512}, md5=:AAAA:");
    assert_eq!(check_content_digest(&both, body), Ok(()));
    let one_wrong = format!(
        "{sha256}, {}",
        content_digest(b"x", DigestAlgorithm::Sha512)
    );
    assert_eq!(
        check_content_digest(&one_wrong, body),
        Err(Reason::DigestMismatch)
    );
    assert_eq!(
        check_content_digest("sha-256=abc", body),
        Err(Reason::DigestInvalid)
    );
    assert_eq!(
        check_content_digest("sha-256=:%%:", body),
        Err(Reason::DigestInvalid)
    );
}

fn with_signature_headers(input: &str, signature: &str) -> Vec<(String, String)> {
    vec![
        ("Signature-Input".into(), input.into()),
        ("Signature".into(), signature.into()),
    ]
}

#[test]
fn malformed_oversized_and_duplicated_headers_are_refused() {
    let key = ed25519_public(&ed25519_pair());
    let refuse = |input: &str, signature: &str| {
        check(
            "GET",
            &with_signature_headers(input, signature),
            b"",
            at(NOW),
            &key,
        )
    };
    assert!(matches!(
        refuse("sig1=(\"@method\"", "sig1=:AA==:"),
        Err(Refusal::Malformed(_))
    ));
    assert!(matches!(
        refuse("sig1=(\"@method\")", "sig1=:A%A==:"),
        Err(Refusal::Malformed(_))
    ));
    assert!(matches!(
        refuse("Sig1=()", "Sig1=:AA==:"),
        Err(Refusal::Malformed(_))
    ));
    assert!(matches!(
        refuse("sig1=();created=1;created=2", "sig1=:AA==:"),
        Err(Refusal::Malformed(_))
    ));
    assert_eq!(
        refuse("sig1=(), sig1=()", "sig1=:AA==:"),
        Err(Refusal::Malformed("a label or parameter is repeated"))
    );
    let long = format!("sig1=(\"{}\")", "a".repeat(9000));
    assert_eq!(refuse(&long, "sig1=:AA==:"), Err(Refusal::TooLong));
    let many: Vec<String> = (0..5).map(|i| format!("s{i}=()")).collect();
    assert_eq!(refuse(&many.join(", "), "s0=:AA==:"), Err(Refusal::TooMany));
    let items = vec!["\"a\""; 33].join(" ");
    assert_eq!(
        refuse(&format!("s=({items})"), "s=:AA==:"),
        Err(Refusal::TooMany)
    );
    assert_eq!(
        check("GET", &[], b"", at(NOW), &key),
        Err(Refusal::NotSigned)
    );
    // A label with no signature, and a signature that is not a byte sequence.
    let input = format!("s=(\"@method\" \"@target-uri\"){POLICY_PARAMS}");
    assert_eq!(
        one_reason(refuse(&input, "t=:AA==:")),
        Reason::MissingSignature
    );
    assert!(matches!(
        one_reason(refuse(&input, "s=\"AA==\"")),
        Reason::Malformed(_)
    ));
    // Several header lines are one field; split across two, a repeated label is still caught.
    let mut headers = with_signature_headers(&input, "s=:AA==:");
    headers.push(("signature-input".into(), input.clone()));
    assert!(matches!(
        check("GET", &headers, b"", at(NOW), &key),
        Err(Refusal::Malformed(_))
    ));
}

#[test]
fn one_valid_signature_of_several_is_enough_and_none_names_each_reason() {
    let pair = ed25519_pair();
    let stranger = ed25519_pair();
    let components = ["@method", "@target-uri", "content-digest"];
    let good = signed_by(&pair, "good", "POST", BODY, &components, POLICY_PARAMS);
    let bad = signed_by(&stranger, "bad", "POST", BODY, &components, POLICY_PARAMS);
    let merged = |first: &[(String, String)], second: &[(String, String)]| {
        let mut headers = first.to_vec();
        headers.extend(
            second
                .iter()
                .filter(|(n, _)| n != "Content-Digest")
                .cloned(),
        );
        headers
    };
    let key = ed25519_public(&pair);
    let verified = check("POST", &merged(&bad, &good), BODY, at(NOW), &key).unwrap();
    assert_eq!(verified.label, "good");

    let thin = signed_by(&pair, "thin", "POST", BODY, &["@method"], POLICY_PARAMS);
    assert_eq!(
        check("POST", &merged(&bad, &thin), BODY, at(NOW), &key),
        Err(Refusal::Invalid(vec![
            ("bad".into(), Reason::BadSignature),
            ("thin".into(), Reason::NotCovered("@target-uri")),
        ]))
    );
}

#[test]
fn keys_and_algorithms_must_fit() {
    let pair = ed25519_pair();
    let components = ["@method", "@target-uri", "content-digest"];
    let params = format!("{POLICY_PARAMS};alg=\"rsa-v1_5-sha256\"");
    let headers = signed_by(&pair, "s", "POST", BODY, &components, &params);
    let key = ed25519_public(&pair);
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW), &key)),
        Reason::AlgorithmDoesNotFitKey
    );
    let params = format!("{POLICY_PARAMS};alg=\"hmac-sha256\"");
    let headers = signed_by(&pair, "s", "POST", BODY, &components, &params);
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW), &key)),
        Reason::UnsupportedAlgorithm
    );
    let params = ";created=1800000000;keyid=\"https://elsewhere.example/k\"";
    let headers = signed_by(&pair, "s", "POST", BODY, &components, params);
    assert_eq!(
        one_reason(check("POST", &headers, BODY, at(NOW), &key)),
        Reason::UnknownKey
    );
}

#[test]
fn a_signature_replayed_to_another_inbox_does_not_verify() {
    let pair = ed25519_pair();
    let key = ed25519_public(&pair);
    let signed = sign_request(
        &Signer::Ed25519(&pair),
        KEY_ID,
        "POST",
        INBOX,
        Some(BODY),
        at(NOW),
    )
    .unwrap();
    let headers = headers_of(&signed);
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let elsewhere = Request {
        method: "POST",
        target_uri: "https://perch.example/inbox",
        headers: &headers,
        body: BODY,
    };
    let result = verify_request(&elsewhere, at(NOW), WINDOW, |_| Some(key.clone()));
    assert_eq!(one_reason(result), Reason::BadSignature);
}
