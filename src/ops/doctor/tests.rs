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

#[test]
fn the_clock_is_judged_by_the_recorded_skew() {
    use crate::model::Timestamp;
    let now = Timestamp(1_700_000_000_000);
    let seen = Timestamp(now.0 - 5 * 60_000);
    match clock(Ok(Some((2, seen))), now) {
        Outcome::Ok(text) => assert!(
            text.contains("within 2 s") && text.contains("5 min ago"),
            "{text}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(clock(Ok(Some((-60, seen))), now), Outcome::Ok(_)));
    for (skew, direction) in [(61, "ahead"), (-300, "behind")] {
        match clock(Ok(Some((skew, seen))), now) {
            Outcome::Fail(text) => {
                let off = format!("the clock is {} s off ({direction}", i64::abs(skew));
                assert!(text.contains(&off), "{text}");
                assert!(text.contains("timedatectl set-ntp true"), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(clock(Ok(None), now), Outcome::Skip(_)));
    assert!(matches!(clock(Err("locked".into()), now), Outcome::Skip(_)));
}
