//! The Signature header parser: real forms accepted, everything else refused, and quickly.

use super::*;

#[test]
fn parser_accepts_real_forms() {
    let p = parse_signature_header(
        r#"keyId="https://a/u#k", algorithm=rsa-sha256 ,headers="(Request-Target) Host DATE",signature="AQID""#,
    )
    .unwrap();
    assert_eq!(p.key_id, "https://a/u#k");
    assert_eq!(p.algorithm.as_deref(), Some("rsa-sha256"));
    assert_eq!(p.headers, ["(request-target)", "host", "date"]);
    assert_eq!(p.signature, [1, 2, 3]);
    let p = parse_signature_header(
        r#"Signature keyId="a\"b",signature="AQI",created=1402170695,x="y""#,
    )
    .unwrap();
    assert_eq!(
        (p.key_id.as_str(), p.signature.as_slice(), p.created),
        ("a\"b", &[1u8, 2][..], Some(1402170695))
    );
}

#[test]
fn parser_is_strict() {
    let bad = [
        r#"keyId="a",keyId="b",signature="AQID""#,
        r#"keyId="a",signature="AQID",x="1",x="2""#,
        r#"keyId="a,signature="AQID""#,
        r#"keyId="a",signature="AQID"#,
        r#"keyId="a",signature="AQID","#,
        r#"keyId="a" signature="AQID""#,
        r#"keyId="a",signature="AQID";junk"#,
        r#"keyId="a",signature="AQID",headers="""#,
        r#"keyId="a",signature="AQID",headers="   ""#,
        r#"keyId="a",signature="AQID",headers="date date""#,
        r#"keyId="a",signature="AQID",headers="(foo)""#,
        r#"keyId="a",signature="!!!""#,
        r#"keyId="",signature="AQID""#,
        r#"keyId="a""#,
        r#"keyId="a",signature="AQID",created="soon""#,
        r#"keyId="a",signature="AQID",created="-5""#,
        r#"keyId="a",signature="AQID",expires="1402170695.5""#,
        r#"="a""#,
        "",
        "   ",
    ];
    for value in bad {
        assert!(
            matches!(
                parse_signature_header(value),
                Err(SignatureError::Malformed(_))
            ),
            "accepted {value:?}"
        );
    }
}

#[test]
fn huge_headers_are_refused_quickly() {
    let huge = format!(r#"keyId="{}",signature="AQID""#, "a".repeat(MAX_HEADER_LEN));
    assert_eq!(parse_signature_header(&huge), Err(SignatureError::TooLong));
    // Pathological but in-bounds input parses in linear time.
    let quotes = format!(r#"keyId="{}"#, "\\\"".repeat(4000));
    let started = std::time::Instant::now();
    assert!(parse_signature_header(&quotes).is_err());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a hang guard, not a speed target"
    );
    let mut headers = signed_post(at(NOW), BODY);
    set(
        &mut headers,
        "Content-Type",
        &"x".repeat(MAX_HEADER_LEN + 1),
    );
    assert_eq!(check_err(&headers, BODY, at(NOW)), SignatureError::TooLong);
}
