use super::*;

#[test]
fn timestamps_print_in_each_format() {
    let t = Timestamp(1_795_766_400_123); // 2026-11-27T08:00:00.123Z
    assert_eq!(t.rfc3339(), "2026-11-27T08:00:00Z");
    assert_eq!(t.rfc2822(), "Fri, 27 Nov 2026 08:00:00 +0000");
    assert_eq!(t.human(), "27 Nov 2026, 08:00 UTC");
    assert_eq!(
        Timestamp::parse_rfc3339("2026-11-27T08:00:00.123Z"),
        Some(t)
    );
    assert_eq!(Timestamp::parse_rfc3339("yesterday"), None);
}

#[test]
fn visibility_round_trips() {
    for v in Visibility::ALL {
        assert_eq!(Visibility::parse(v.as_str()), Some(v));
    }
    assert_eq!(Visibility::parse("private"), None);
}
