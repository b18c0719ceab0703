//! RFC 9421 Appendix B: the RFC's keys, request and signatures, read from the shared fixtures.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair};

use super::*;
use crate::domain::testkit::fixtures;

// ---- RFC 9421 Appendix B, read from the shared fixtures ----

const APPENDIX: &str = "http-signatures/rfc9421-appendix-b-keys-and-test-cases.md";
const B_CREATED: u64 = 1618884473;

pub(super) const WINDOW: Window = Window {
    max_age: Duration::from_secs(3600),
    max_future: Duration::from_secs(300),
};

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

pub(super) fn only_member(value: &str) -> Member {
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
