use super::*;
use time::macros::datetime;

#[test]
fn reads_openssls_dates() {
    assert_eq!(
        parse_openssl_date("Mar  1 12:00:05 2027 GMT"),
        Some(datetime!(2027-03-01 12:00:05 UTC))
    );
    assert_eq!(parse_openssl_date("Mar 1 2027"), None);
    assert_eq!(parse_openssl_date("Foo  1 12:00:05 2027 GMT"), None);
}

#[test]
fn a_missing_certificate_fails_and_names_the_address() {
    // Nothing listens on port 1.
    let outcome = tls("127.0.0.1:1", "perch.test", time::OffsetDateTime::now_utc());
    match outcome {
        Outcome::Fail(text) => assert!(text.contains("127.0.0.1:1"), "{text}"),
        Outcome::Skip(text) => assert!(text.starts_with("openssl"), "{text}"),
        Outcome::Ok(text) => panic!("{text}"),
    }
}
