//! Both schemes through one door: `check_any` takes RFC 9421 when `Signature-Input` is there.

use super::*;

const ORIGIN: &str = "https://perch.example";
const NOW: u64 = 1_764_700_000;

fn signed_9421(body: &[u8]) -> Vec<(String, String)> {
    let signer = Signer {
        key: &test_key().0,
        key_id: "https://remote.example/users/a#main-key",
    };
    let url = url::Url::parse(&format!("{ORIGIN}/inbox")).unwrap();
    owned(&sign_post_rfc9421(&signer, &url, body, AP, at(NOW)).unwrap())
}

#[test]
fn an_rfc9421_post_is_checked_then_verified_with_the_key() {
    let body = br#"{"type":"Create"}"#;
    let headers = signed_9421(body);
    let incoming = request("POST", "/inbox", &headers, Some(body));
    let pending = check_any(&incoming, ORIGIN, at(NOW + 30)).unwrap();
    assert_eq!(pending.kind(), "rfc9421");
    assert_eq!(pending.key_id, "https://remote.example/users/a#main-key");
    pending.verify(&test_key().1).unwrap();
    let (_, other_pem) = generate().unwrap();
    let other = VerifyingKey::from_pem(&other_pem).unwrap();
    assert_eq!(pending.verify(&other), Err(SignatureError::BadSignature));
}

#[test]
fn a_changed_body_a_replayed_created_or_another_origin_is_refused() {
    let body = br#"{"type":"Create"}"#;
    let headers = signed_9421(body);
    let tampered = request("POST", "/inbox", &headers, Some(b"{\"type\":\"Delete\"}"));
    let refused = check_any(&tampered, ORIGIN, at(NOW)).unwrap_err();
    assert!(refused.to_string().contains("Content-Digest"), "{refused}");
    let incoming = request("POST", "/inbox", &headers, Some(body));
    let stale = check_any(&incoming, ORIGIN, at(NOW + 2 * 3600)).unwrap_err();
    assert!(stale.to_string().contains("too old"), "{stale}");
    // Signed for another server's inbox: the base differs, so only the key check can tell.
    let elsewhere = check_any(&incoming, "https://other.example", at(NOW)).unwrap();
    assert_eq!(
        elsewhere.verify(&test_key().1),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn an_rfc9421_signature_without_content_digest_or_target_is_refused() {
    let body = br#"{"type":"Create"}"#;
    let mut headers = signed_9421(body);
    let input = headers
        .iter()
        .find(|(n, _)| n == "Signature-Input")
        .unwrap()
        .1
        .clone();
    set(
        &mut headers,
        "Signature-Input",
        &input.replace(" \"content-digest\"", ""),
    );
    let incoming = request("POST", "/inbox", &headers, Some(body));
    let refused = check_any(&incoming, ORIGIN, at(NOW)).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("content-digest is not covered"),
        "{refused}"
    );
    set(
        &mut headers,
        "Signature-Input",
        &input.replace("\"@target-uri\" ", ""),
    );
    let incoming = request("POST", "/inbox", &headers, Some(body));
    let refused = check_any(&incoming, ORIGIN, at(NOW)).unwrap_err();
    assert!(refused.to_string().contains("@target-uri"), "{refused}");
}

#[test]
fn without_signature_input_the_draft_cavage_check_applies() {
    let body = br#"{"type":"Create"}"#;
    let signer = Signer {
        key: &test_key().0,
        key_id: "https://remote.example/users/a#main-key",
    };
    let url = url::Url::parse(&format!("{ORIGIN}/inbox")).unwrap();
    let headers = owned(&sign_post(&signer, &url, body, AP, at(NOW)));
    let incoming = request("POST", "/inbox", &headers, Some(body));
    let pending = check_any(&incoming, ORIGIN, at(NOW)).unwrap();
    assert_eq!(pending.kind(), "draft-cavage");
    pending.verify(&test_key().1).unwrap();
}
