use super::*;

#[test]
fn stream_names_parse_as_mastodon_names_them() {
    assert_eq!(Stream::parse("user", None, None), Some(Stream::User));
    assert_eq!(
        Stream::parse("public:local", None, None).map(|s| s.names()),
        Some(vec!["public:local".to_string()])
    );
    assert_eq!(
        Stream::parse("hashtag", Some("#Rust"), None).map(|s| s.names()),
        Some(vec!["hashtag".to_string(), "rust".to_string()])
    );
    assert_eq!(Stream::parse("hashtag", None, None), None);
    assert_eq!(Stream::parse("list", None, Some(7)), Some(Stream::List(7)));
    assert_eq!(Stream::parse("direct", None, None), None);
    assert!(Stream::User.has_notifications() && Stream::User.has_statuses());
    assert!(!Stream::UserNotification.has_statuses());
}

#[test]
fn listeners_hear_what_is_published_and_leave_the_count_when_dropped() {
    let mut first = listen().expect("room for a listener");
    publish(Event::Deleted(42));
    assert_eq!(first.events.try_recv().ok(), Some(Event::Deleted(42)));
    drop(first);
    let held: Vec<Listener> = (0..MAX_LISTENERS).map_while(|_| listen()).collect();
    assert!(held.len() <= MAX_LISTENERS);
    assert!(listen().is_none(), "the cap holds");
    drop(held);
    assert!(listen().is_some());
}
