use super::*;

#[test]
fn one_event_is_one_line_with_quoted_values() {
    let line = format(
        "2026-01-01T00:00:00Z",
        Level::Warn,
        "delivery",
        "failed\nagain",
        &[("host", &"a.example"), ("error", &"timed out = \"slow\"")],
    );
    assert_eq!(
        line,
        r#"2026-01-01T00:00:00Z warn delivery failed again host=a.example error="timed out = \"slow\"""#
    );
}

#[test]
fn the_filter_defaults_to_info() {
    assert_eq!(parse_filter(None), Some(Level::Info));
    assert_eq!(parse_filter(Some("DEBUG")), Some(Level::Debug));
    assert_eq!(parse_filter(Some("warn")), Some(Level::Warn));
    assert_eq!(parse_filter(Some("off")), None);
    assert_eq!(parse_filter(Some("loud")), Some(Level::Info));
    assert!(Level::Warn > Level::Info && Level::Info > Level::Debug);
}
