//! Unit tests of signing and checking; requests captured from other servers in `tests/`.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::super::keys::{generate, SigningKey, VerifyingKey};
use super::digest::sha256;
use super::*;

mod captured;
mod either;
mod parse;

/// One RSA key shared by the tests: generating one takes a while.
/// One key for all tests: generating one takes a while.
fn test_key() -> &'static (SigningKey, VerifyingKey) {
    static KEYS: std::sync::OnceLock<(SigningKey, VerifyingKey)> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let (der, pem) = generate().expect("key generation");
        let signing = SigningKey::from_pkcs8(&der).expect("a generated key loads");
        (
            signing,
            VerifyingKey::from_pem(&pem).expect("a generated key loads"),
        )
    })
}

const AP: &str = "application/activity+json";

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn owned(headers: &[(&str, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect()
}

fn set(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value.to_string()));
}

fn request<'a>(
    method: &'a str,
    path: &'a str,
    headers: &'a [(String, String)],
    body: Option<&'a [u8]>,
) -> IncomingRequest<'a> {
    IncomingRequest {
        method,
        path_and_query: path,
        headers,
        body,
    }
}

fn signed_post(now: SystemTime, body: &[u8]) -> Vec<(String, String)> {
    let url = url::Url::parse("https://example.com/users/me/inbox").unwrap();
    let signer = Signer {
        key: &test_key().0,
        key_id: "https://a.example/users/x#main-key",
    };
    owned(&sign_post(&signer, &url, body, AP, now))
}

/// Headers signed over `list` with our own signing string builder, for odd cases.
fn signed_custom(
    method: &str,
    path: &str,
    mut headers: Vec<(String, String)>,
    extra_params: &str,
    list: &str,
) -> Vec<(String, String)> {
    let placeholder = format!(r#"keyId="k",{extra_params}headers="{list}",signature="AAAA""#);
    let params = parse_signature_header(&placeholder).unwrap();
    let text = signing_string(&request(method, path, &headers, None), &params).unwrap();
    let signature = STANDARD.encode(test_key().0.sign(text.as_bytes()));
    let header = format!(r#"keyId="k",{extra_params}headers="{list}",signature="{signature}""#);
    headers.push(("Signature".into(), header));
    headers
}

fn check_err(headers: &[(String, String)], body: &[u8], now: SystemTime) -> SignatureError {
    check(
        &request("POST", "/users/me/inbox", headers, Some(body)),
        now,
    )
    .unwrap_err()
}

const NOW: u64 = 1_700_000_000;
const BODY: &[u8] = br#"{"type":"Follow"}"#;

#[test]
fn post_round_trip_verifies() {
    let headers = signed_post(at(NOW), BODY);
    let names: Vec<_> = headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Host", "Date", "Digest", "Content-Type", "Signature"]
    );
    assert_eq!(headers[0].1, "example.com");
    let pending = check(
        &request("POST", "/users/me/inbox", &headers, Some(BODY)),
        at(NOW),
    )
    .unwrap();
    assert_eq!(pending.key_id, "https://a.example/users/x#main-key");
    assert!(pending
        .signing_string()
        .starts_with("(request-target): post /users/me/inbox\nhost: example.com\n"));
    pending.verify(&test_key().1).unwrap();
}

#[test]
fn get_round_trip_verifies_and_host_keeps_explicit_port() {
    let url = url::Url::parse("http://example.com:8080/users/me?page=1").unwrap();
    let signer = Signer {
        key: &test_key().0,
        key_id: "k",
    };
    let headers = owned(&sign_get(&signer, &url, AP, at(NOW)));
    assert_eq!(headers[0], ("Host".into(), "example.com:8080".into()));
    let pending = check(&request("GET", "/users/me?page=1", &headers, None), at(NOW)).unwrap();
    pending.verify(&test_key().1).unwrap();
    let default_port = url::Url::parse("https://example.com:443/x").unwrap();
    assert_eq!(host_header(&default_port), "example.com");
}

#[test]
fn signature_is_bound_to_method_path_and_query() {
    let headers = signed_post(at(NOW), BODY);
    for (method, path) in [
        ("POST", "/users/other/inbox"),
        ("POST", "/users/me/inbox?x=1"),
        ("PUT", "/users/me/inbox"),
    ] {
        let pending = check(&request(method, path, &headers, Some(BODY)), at(NOW)).unwrap();
        assert_eq!(
            pending.verify(&test_key().1),
            Err(SignatureError::BadSignature)
        );
    }
    let mut tampered = headers.clone();
    set(&mut tampered, "Content-Type", "text/plain");
    let pending = check(
        &request("POST", "/users/me/inbox", &tampered, Some(BODY)),
        at(NOW),
    )
    .unwrap();
    assert_eq!(
        pending.verify(&test_key().1),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn missing_signature_is_refused() {
    let mut headers = signed_post(at(NOW), BODY);
    headers.retain(|(n, _)| n != "Signature");
    assert_eq!(
        check_err(&headers, BODY, at(NOW)),
        SignatureError::NotSigned
    );
    assert_eq!(
        SignatureError::NotSigned.to_string(),
        "Request is not signed"
    );
}

#[test]
fn unsupported_algorithm_is_refused() {
    let mut headers = signed_post(at(NOW), BODY);
    let value = headers[4].1.replace("rsa-sha256", "hmac-sha256");
    set(&mut headers, "Signature", &value);
    assert_eq!(
        check_err(&headers, BODY, at(NOW)),
        SignatureError::UnsupportedAlgorithm
    );
    let hs2019 = headers[4].1.replace("hmac-sha256", "hs2019");
    set(&mut headers, "Signature", &hs2019);
    let pending = check(
        &request("POST", "/users/me/inbox", &headers, Some(BODY)),
        at(NOW),
    )
    .unwrap();
    pending.verify(&test_key().1).unwrap();
}

fn post_base(now: SystemTime, body: &[u8]) -> Vec<(String, String)> {
    vec![
        ("Host".into(), "example.com".into()),
        ("Date".into(), httpdate::fmt_http_date(now)),
        (
            "Digest".into(),
            format!("SHA-256={}", STANDARD.encode(sha256(body))),
        ),
    ]
}

#[test]
fn digest_must_be_covered_on_post() {
    let headers = signed_custom(
        "POST",
        "/users/me/inbox",
        post_base(at(NOW), BODY),
        "",
        "(request-target) host date",
    );
    assert_eq!(
        check_err(&headers, BODY, at(NOW)),
        SignatureError::NotCovered("digest")
    );
    let headers = signed_custom(
        "POST",
        "/users/me/inbox",
        post_base(at(NOW), BODY),
        "",
        "host date digest",
    );
    assert_eq!(
        check_err(&headers, BODY, at(NOW)),
        SignatureError::NotCovered("(request-target)")
    );
}

#[test]
fn headers_absent_means_date_only_and_fails_on_post() {
    let mut headers = post_base(at(NOW), BODY);
    headers.push((
        "Signature".into(),
        r#"keyId="k",algorithm="rsa-sha256",signature="AAAA""#.into(),
    ));
    assert_eq!(
        check_err(&headers, BODY, at(NOW)),
        SignatureError::NotCovered("(request-target)")
    );
    assert_eq!(
        parse_signature_header(&headers[3].1).unwrap().headers,
        ["date"]
    );
}

#[test]
fn host_must_be_covered_on_get() {
    let base = vec![
        ("Host".into(), "example.com".into()),
        ("Date".into(), httpdate::fmt_http_date(at(NOW))),
    ];
    let headers = signed_custom(
        "GET",
        "/users/me",
        base.clone(),
        "",
        "(request-target) date",
    );
    let err = check(&request("GET", "/users/me", &headers, None), at(NOW)).unwrap_err();
    assert_eq!(err, SignatureError::NotCovered("host"));
    let headers = signed_custom("GET", "/users/me", base, "", "(request-target) host date");
    let pending = check(&request("GET", "/users/me", &headers, None), at(NOW)).unwrap();
    pending.verify(&test_key().1).unwrap();
}

#[test]
fn digest_must_match_the_body() {
    let headers = signed_post(at(NOW), BODY);
    assert_eq!(
        check_err(&headers, b"{}", at(NOW)),
        SignatureError::DigestMismatch
    );
    assert_eq!(
        SignatureError::DigestMismatch.to_string(),
        "Digest does not match the body"
    );
}

fn check_digest_value(value: &str) -> Result<(), SignatureError> {
    let mut base = post_base(at(NOW), BODY);
    set(&mut base, "Digest", value);
    let headers = signed_custom(
        "POST",
        "/inbox",
        base,
        "",
        "(request-target) host date digest",
    );
    check(&request("POST", "/inbox", &headers, Some(BODY)), at(NOW)).map(|_| ())
}

#[test]
fn digest_forms() {
    let good = STANDARD.encode(sha256(BODY));
    let sha512 = STANDARD.encode(ring::digest::digest(&ring::digest::SHA512, BODY));
    check_digest_value(&format!("SHA-256={good}")).unwrap();
    check_digest_value(&format!("sha-256={good}")).unwrap();
    check_digest_value(&format!("SHA-512={sha512}, SHA-256={good}")).unwrap();
    assert_eq!(
        check_digest_value(&format!("SHA-512={sha512}")),
        Err(SignatureError::DigestNotSha256)
    );
    assert_eq!(
        check_digest_value("SHA-256=not*base64"),
        Err(SignatureError::DigestInvalid)
    );
    assert_eq!(
        check_digest_value("SHA-256=AAAAAAAAAAAAAAAAAAAAAA=="),
        Err(SignatureError::DigestInvalid)
    );
    assert_eq!(
        check_digest_value(&format!("SHA-256={good},SHA-256={good}")),
        Err(SignatureError::DigestInvalid)
    );
    assert_eq!(
        check_digest_value("garbage"),
        Err(SignatureError::DigestInvalid)
    );
    let mut headers = signed_post(at(NOW), BODY);
    headers.retain(|(n, _)| n != "Digest");
    assert_eq!(
        check_err(&headers, BODY, at(NOW)),
        SignatureError::DigestMissing
    );
}

#[test]
fn date_window_follows_mastodon() {
    let headers = signed_post(at(NOW), BODY);
    let ok = |now| {
        check(
            &request("POST", "/users/me/inbox", &headers, Some(BODY)),
            now,
        )
        .map(|_| ())
    };
    ok(at(NOW + 3600)).unwrap(); // an hour late: within the skew margin
    ok(at(NOW + 3600 + 300)).unwrap();
    assert_eq!(
        ok(at(NOW + 3600 + 301)),
        Err(SignatureError::DateOutsideWindow)
    );
    assert_eq!(
        ok(at(NOW + 13 * 3600)),
        Err(SignatureError::DateOutsideWindow)
    );
    ok(at(NOW - 3600)).unwrap(); // sent from a clock an hour fast
    assert_eq!(ok(at(NOW - 3601)), Err(SignatureError::DateOutsideWindow));
    let mut bad = post_base(at(NOW), BODY);
    set(&mut bad, "Date", "yesterday at noon");
    let bad = signed_custom(
        "POST",
        "/inbox",
        bad,
        "",
        "(request-target) host date digest",
    );
    assert_eq!(
        check(&request("POST", "/inbox", &bad, Some(BODY)), at(NOW)).unwrap_err(),
        SignatureError::DateInvalid
    );
}

#[test]
fn created_and_expires_are_honoured_with_hs2019_only() {
    let list = "(request-target) (created) (expires) host date digest";
    let params = format!(
        r#"algorithm="hs2019",created="{NOW}",expires="{}","#,
        NOW + 6 * 3600
    );
    let headers = signed_custom("POST", "/inbox", post_base(at(NOW), BODY), &params, list);
    let run = |now| check(&request("POST", "/inbox", &headers, Some(BODY)), now);
    let pending = run(at(NOW + 5 * 3600)).unwrap(); // (expires) widens the 5 minute default
    assert!(pending.signing_string().contains(&format!(
        "\n(created): {NOW}\n(expires): {}\n",
        NOW + 6 * 3600
    )));
    pending.verify(&test_key().1).unwrap();
    assert_eq!(
        run(at(NOW + 7 * 3600 + 1)).unwrap_err(),
        SignatureError::Expired
    );

    let future = format!(r#"algorithm="hs2019",created="{}","#, NOW + 7200);
    let headers = signed_custom(
        "POST",
        "/inbox",
        post_base(at(NOW), BODY),
        &future,
        "(request-target) (created) host date digest",
    );
    let err = check(&request("POST", "/inbox", &headers, Some(BODY)), at(NOW)).unwrap_err();
    assert_eq!(err, SignatureError::DateOutsideWindow);

    let rsa = format!(r#"algorithm="rsa-sha256",created="{NOW}","#);
    let headers = signed_custom(
        "POST",
        "/inbox",
        post_base(at(NOW), BODY),
        &rsa,
        "(request-target) (created) host date digest",
    );
    let err = check(&request("POST", "/inbox", &headers, Some(BODY)), at(NOW)).unwrap_err();
    assert!(matches!(err, SignatureError::Malformed(_)));
}

#[test]
fn repeated_headers_are_refused_or_joined() {
    for name in ["Signature", "Digest", "Date", "Host"] {
        let mut headers = signed_post(at(NOW), BODY);
        let copy = headers.iter().find(|(n, _)| n == name).unwrap().clone();
        headers.push((name.to_ascii_lowercase(), copy.1));
        assert_eq!(
            check_err(&headers, BODY, at(NOW)),
            SignatureError::Duplicate(name)
        );
    }
    let mut base = post_base(at(NOW), BODY);
    base.push(("X-Thing".into(), "a".into()));
    base.push(("x-thing".into(), " b ".into()));
    let headers = signed_custom(
        "POST",
        "/inbox",
        base,
        "",
        "(request-target) host date digest x-thing",
    );
    let pending = check(&request("POST", "/inbox", &headers, Some(BODY)), at(NOW)).unwrap();
    assert!(pending.signing_string().ends_with("\nx-thing: a, b"));
}

#[test]
fn signed_but_absent_header_is_refused() {
    let mut base = post_base(at(NOW), BODY);
    base.push(("User-Agent".into(), "x".into()));
    let mut headers = signed_custom(
        "POST",
        "/inbox",
        base,
        "",
        "(request-target) host date digest user-agent",
    );
    headers.retain(|(n, _)| n != "User-Agent");
    let err = check(&request("POST", "/inbox", &headers, Some(BODY)), at(NOW)).unwrap_err();
    assert_eq!(err, SignatureError::MissingHeader("user-agent".into()));
}

#[test]
fn line_breaks_in_values_are_refused() {
    let mut headers = signed_post(at(NOW), BODY);
    set(&mut headers, "Content-Type", "application/json\ndigest: x");
    assert!(matches!(
        check_err(&headers, BODY, at(NOW)),
        SignatureError::Malformed(_)
    ));
}
