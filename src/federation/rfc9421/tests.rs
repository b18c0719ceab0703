use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::KeyPair;

use super::*;
use crate::domain::testkit::{fixtures, test_key};

// ---- RFC 9421 Appendix B, read from the shared fixtures ----

const APPENDIX: &str = "http-signatures/rfc9421-appendix-b-keys-and-test-cases.md";
const B_CREATED: u64 = 1618884473;

fn appendix() -> Option<String> {
    let path = fixtures()?.join(APPENDIX);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            println!("SKIPPED: no {}", path.display());
            None
        }
    }
}

/// The fenced blocks of the section whose heading contains `heading`, unwrapped.
fn blocks(doc: &str, heading: &str) -> Vec<String> {
    let mut lines = doc.lines();
    lines
        .by_ref()
        .find(|l| l.starts_with('#') && l.contains(heading))
        .unwrap_or_else(|| panic!("no section {heading}"));
    let mut out = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in lines {
        if line.starts_with('#') && current.is_none() {
            break;
        }
        if line.starts_with("~~~") {
            match current.take() {
                Some(block) => out.push(unwrap_8792(&block)),
                None => current = Some(Vec::new()),
            }
        } else if let Some(block) = current.as_mut() {
            block.push(line);
        }
    }
    out
}

/// RFC 8792 single-backslash unwrapping: a line ending in `\` joins the next, whose leading
/// whitespace goes.
fn unwrap_8792(block: &[&str]) -> String {
    let mut lines = block;
    let wrapped = lines
        .first()
        .is_some_and(|l| l.starts_with("NOTE: '\\' line wrapping"));
    if wrapped {
        lines = &lines[2..];
    }
    let mut out = String::new();
    let mut joining = false;
    for line in lines {
        let line = if joining { line.trim_start() } else { line };
        match line.strip_suffix('\\') {
            Some(head) if wrapped => {
                out.push_str(head);
                joining = true;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
                joining = false;
            }
        }
    }
    out.trim_end_matches('\n').to_string()
}

fn pem(block: &str, label: &str) -> Vec<u8> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = block.find(&begin).expect("the PEM begins") + begin.len();
    let stop = block[start..].find(&end).expect("the PEM ends") + start;
    let text: String = block[start..stop].split_whitespace().collect();
    STANDARD.decode(text).expect("PEM base64")
}

/// One DER TLV: tag, content, rest.
fn tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let (tag, first) = (der[0], der[1]);
    let (len, at) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        let len = der[2..2 + n]
            .iter()
            .fold(0, |acc, b| acc * 256 + usize::from(*b));
        (len, 2 + n)
    };
    (tag, &der[at..at + len], &der[at + len..])
}

/// The subjectPublicKey bits of an SPKI: PKCS#1 for RSA (also under the PSS OID), the point
/// for EC, the raw key for Ed25519.
fn spki_key(der: &[u8]) -> Vec<u8> {
    let (_, spki, _) = tlv(der);
    let (_, _, rest) = tlv(spki);
    let (tag, bits, _) = tlv(rest);
    assert_eq!(tag, 0x03, "a BIT STRING");
    bits[1..].to_vec()
}

struct Message {
    method: String,
    target_uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn test_request(doc: &str) -> Message {
    let block = &blocks(doc, "Test Cases")[0];
    let (head, body) = block.split_once("\n\n").expect("a body");
    let mut lines = head.lines();
    let start: Vec<&str> = lines.next().unwrap().split(' ').collect();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(": ").unwrap();
            (n.to_string(), v.to_string())
        })
        .collect();
    Message {
        method: start[0].into(),
        target_uri: format!("https://example.com{}", start[1]),
        headers,
        body: body.as_bytes().to_vec(),
    }
}

fn with_request<T>(m: &Message, extra: &[(&str, &str)], f: impl FnOnce(&Request) -> T) -> T {
    let mut headers: Vec<(&str, &str)> = m
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    headers.extend_from_slice(extra);
    f(&Request {
        method: &m.method,
        target_uri: &m.target_uri,
        headers: &headers,
        body: &m.body,
    })
}

/// A vector's expected base, its `Signature-Input` and `Signature` values.
fn vector(doc: &str, heading: &str) -> (String, String, String) {
    let blocks = blocks(doc, heading);
    let header = |name: &str| {
        blocks[1]
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("{name} in {heading}"))
            .to_string()
    };
    (
        blocks[0].clone(),
        header("Signature-Input: "),
        header("Signature: "),
    )
}

fn only_member(value: &str) -> Member {
    let mut dict = fields::parse_dictionary(value).expect("the vector parses");
    assert_eq!(dict.len(), 1);
    dict.remove(0).1
}

fn signature_bytes(value: &str) -> Vec<u8> {
    match only_member(value) {
        Member::Item(Item {
            bare: BareItem::Bytes(b),
            ..
        }) => b,
        other => panic!("not a byte sequence: {other:?}"),
    }
}

/// Checks our base for the vector byte for byte and verifies its signature with `key`.
fn check_vector(doc: &str, heading: &str, key: &PublicKey) -> (String, Algorithm) {
    let (expected, input, signature) = vector(doc, heading);
    let Member::InnerList(components, params) = only_member(&input) else {
        panic!("an inner list");
    };
    let base = with_request(&test_request(doc), &[], |r| {
        signature_base(r, &components, &params).expect("a base")
    });
    assert_eq!(base, expected, "{heading}");
    let algorithm = verify_signature(key, None, base.as_bytes(), &signature_bytes(&signature))
        .unwrap_or_else(|e| panic!("{heading}: {e}"));
    (base, algorithm)
}

fn rsa_pss_key(doc: &str) -> PublicKey {
    let block = &blocks(doc, "Example RSA PSS Key")[0];
    PublicKey::Rsa(spki_key(&pem(block, "PUBLIC KEY")))
}

#[test]
fn b21_minimal_rsa_pss() {
    let Some(doc) = appendix() else { return };
    let (_, alg) = check_vector(&doc, "Minimal Signature Using rsa-pss", &rsa_pss_key(&doc));
    assert_eq!(alg, Algorithm::RsaPssSha512);
}

#[test]
fn b22_selective_components_with_a_query_param() {
    let Some(doc) = appendix() else { return };
    let (_, alg) = check_vector(&doc, "Selective Covered Components", &rsa_pss_key(&doc));
    assert_eq!(alg, Algorithm::RsaPssSha512);
}

#[test]
fn b23_full_coverage_also_passes_the_inbox_policy() {
    let Some(doc) = appendix() else { return };
    let key = rsa_pss_key(&doc);
    check_vector(&doc, "Full Coverage using rsa-pss", &key);
    let (_, input, signature) = vector(&doc, "Full Coverage using rsa-pss");
    let extra = [
        ("Signature-Input", input.as_str()),
        ("Signature", signature.as_str()),
    ];
    let now = UNIX_EPOCH + Duration::from_secs(B_CREATED + 10);
    let verified = with_request(&test_request(&doc), &extra, |r| {
        verify_request(r, now, WINDOW, |id| {
            (id == "test-key-rsa-pss").then(|| key.clone())
        })
    })
    .expect("B.2.3 passes the policy");
    assert_eq!(verified.label, "sig-b23");
    assert_eq!(verified.key_id, "test-key-rsa-pss");
    assert_eq!(verified.algorithm, Algorithm::RsaPssSha512);
    assert!(verified.covered.contains(&"content-digest".to_string()));
}

#[test]
fn b24_ecdsa_p256_response() {
    let Some(doc) = appendix() else { return };
    let block = &blocks(&doc, "Example ECC P-256 Test Key")[0];
    let key = PublicKey::EcdsaP256(spki_key(&pem(block, "PUBLIC KEY")));
    let (base, input, signature) = vector(&doc, "Signing a Response using ecdsa");
    // A response (@status): only its @signature-params line is ours to rebuild.
    let Member::InnerList(components, params) = only_member(&input) else {
        panic!("an inner list");
    };
    let mut line = "\"@signature-params\": ".to_string();
    fields::serialize_inner_list(&mut line, &components, &params);
    assert_eq!(base.lines().last(), Some(line.as_str()));
    let signature = signature_bytes(&signature);
    assert_eq!(
        verify_signature(&key, None, base.as_bytes(), &signature),
        Ok(Algorithm::EcdsaP256Sha256)
    );
    let mut tampered = base.into_bytes();
    tampered[3] ^= 1;
    assert_eq!(
        verify_signature(&key, None, &tampered, &signature),
        Err(Reason::BadSignature)
    );
}

#[test]
fn b25_hmac_is_not_supported() {
    let Some(doc) = appendix() else { return };
    // Shared secrets have no place between servers: the vector's base still builds.
    let (expected, input, _) = vector(&doc, "Signing a Request using hmac");
    let Member::InnerList(components, params) = only_member(&input) else {
        panic!("an inner list");
    };
    let base = with_request(&test_request(&doc), &[], |r| {
        signature_base(r, &components, &params).unwrap()
    });
    assert_eq!(base, expected);
}

#[test]
fn b26_ed25519_verifies_and_we_sign_the_same_bytes() {
    let Some(doc) = appendix() else { return };
    let block = &blocks(&doc, "Example Ed25519 Test Key")[0];
    let key = PublicKey::Ed25519(spki_key(&pem(block, "PUBLIC KEY")));
    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pem(block, "PRIVATE KEY"))
        .expect("the RFC's key");
    assert_eq!(PublicKey::Ed25519(pair.public_key().as_ref().to_vec()), key);
    let heading = "Signing a Request using ed25519";
    let (base, alg) = check_vector(&doc, heading, &key);
    assert_eq!(alg, Algorithm::Ed25519);
    let (_, _, signature) = vector(&doc, heading);
    assert_eq!(
        Signer::Ed25519(&pair).sign(base.as_bytes()),
        signature_bytes(&signature)
    );

    // Valid, but it covers no content-digest: the inbox refuses it.
    let (_, input, signature) = vector(&doc, heading);
    let extra = [
        ("Signature-Input", input.as_str()),
        ("Signature", signature.as_str()),
    ];
    let now = UNIX_EPOCH + Duration::from_secs(B_CREATED);
    let refused = with_request(&test_request(&doc), &extra, |r| {
        verify_request(r, now, WINDOW, |_| Some(key.clone()))
    });
    assert_eq!(
        refused,
        Err(Refusal::Invalid(vec![(
            "sig-b26".into(),
            Reason::NotCovered("content-digest")
        )]))
    );
}

#[test]
fn the_test_request_content_digest_is_ours() {
    let Some(doc) = appendix() else { return };
    let m = test_request(&doc);
    let given = &m
        .headers
        .iter()
        .find(|(n, _)| n == "Content-Digest")
        .unwrap()
        .1;
    assert_eq!(&content_digest(&m.body, DigestAlgorithm::Sha512), given);
    assert_eq!(check_content_digest(given, &m.body), Ok(()));
}

// ---- our own requests, signed and verified, and the hostile cases ----

const WINDOW: Window = Window {
    max_age: Duration::from_secs(3600),
    max_future: Duration::from_secs(300),
};
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
fn derived_components_follow_the_rfc() {
    let headers = [("X-Multi", " one "), ("x-multi", "two\t"), ("Host", "h")];
    let request = Request {
        method: "GET",
        target_uri: "https://WWW.Example.com:8443/a%20b?x=1&q=a+b%2Fc&q=2",
        headers: &headers,
        body: b"",
    };
    let input = "s=(\"@method\" \"@authority\" \"@scheme\" \"@path\" \"@query\" \
                 \"@request-target\" \"x-multi\" \"@query-param\";name=\"q\");created=1";
    let Member::InnerList(items, params) = only_member(input) else {
        unreachable!()
    };
    let base = signature_base(&request, &items, &params).unwrap();
    assert_eq!(
        base,
        "\"@method\": GET\n\
         \"@authority\": www.example.com:8443\n\
         \"@scheme\": https\n\
         \"@path\": /a%20b\n\
         \"@query\": ?x=1&q=a+b%2Fc&q=2\n\
         \"@request-target\": /a%20b?x=1&q=a+b%2Fc&q=2\n\
         \"x-multi\": one, two\n\
         \"@query-param\";name=\"q\": a%20b%2Fc\n\
         \"@query-param\";name=\"q\": 2\n\
         \"@signature-params\": (\"@method\" \"@authority\" \"@scheme\" \"@path\" \"@query\" \
         \"@request-target\" \"x-multi\" \"@query-param\";name=\"q\");created=1"
    );
    let refused = |input: &str| {
        let Member::InnerList(items, params) = only_member(input) else {
            unreachable!()
        };
        signature_base(&request, &items, &params).unwrap_err()
    };
    assert_eq!(
        refused("s=(\"absent\")"),
        Reason::MissingComponent("absent".into())
    );
    assert_eq!(
        refused("s=(\"x-multi\";sf)"),
        Reason::UnsupportedComponent("x-multi".into())
    );
    assert_eq!(
        refused("s=(\"@status\")"),
        Reason::UnsupportedComponent("@status".into())
    );
    assert!(matches!(refused("s=(\"X-Multi\")"), Reason::Malformed(_)));
    assert!(matches!(
        refused("s=(\"@method\" \"@method\")"),
        Reason::Malformed(_)
    ));
    assert!(matches!(
        refused("s=(\"@signature-params\")"),
        Reason::Malformed(_)
    ));
    assert!(matches!(refused("s=(tok)"), Reason::Malformed(_)));
}

#[test]
fn fields_parse_and_serialise_the_rfc_8941_shapes() {
    let text = "a=1, b=-2.5;x, c=(\"s\\\\\" t:/1 ?0 :AQID:);p=*t, d;q=\"v\"";
    let dict = fields::parse_dictionary(text).unwrap();
    assert_eq!(dict.len(), 4);
    assert_eq!(
        dict[1].1,
        Member::Item(Item {
            bare: BareItem::Decimal(-2500),
            params: vec![("x".into(), BareItem::Boolean(true))],
        })
    );
    assert_eq!(
        fields::serialize_dictionary(&dict),
        "a=1, b=-2.5;x, c=(\"s\\\\\" t:/1 ?0 :AQID:);p=*t, d;q=\"v\""
    );
    for bad in [
        "a=",
        "a=1,",
        "a=(1",
        "a=\"x",
        "a=1 b=2",
        "a=1234567890123456",
        "a=?2",
        "a=1.2345",
    ] {
        assert!(fields::parse_dictionary(bad).is_err(), "{bad}");
    }
    assert_eq!(fields::parse_dictionary("  "), Ok(Vec::new()));
}
