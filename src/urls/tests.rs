use super::*;
use std::path::Path;

fn urls() -> Urls {
    let config = Config::parse(
        "domain = \"social.example\"\nusername = \"ana\"\nhttps = true",
        Path::new("."),
    )
    .unwrap();
    Urls::new(&config)
}

#[test]
fn urls_follow_the_design_table() {
    let u = urls();
    assert_eq!(u.actor(), "https://social.example/users/ana");
    assert_eq!(u.profile(), "https://social.example/@ana");
    assert_eq!(u.post(42), "https://social.example/users/ana/statuses/42");
    assert_eq!(u.post_page(42), "https://social.example/@ana/42");
    assert_eq!(
        u.post_activity(42),
        "https://social.example/users/ana/statuses/42/activity"
    );
    assert_eq!(
        u.activity(7),
        "https://social.example/users/ana/activities/7"
    );
    assert_eq!(u.inbox(), "https://social.example/users/ana/inbox");
    assert_eq!(u.shared_inbox(), "https://social.example/inbox");
    assert_eq!(
        u.featured(),
        "https://social.example/users/ana/collections/featured"
    );
    assert_eq!(u.key_id(), "https://social.example/users/ana#main-key");
    assert_eq!(u.media(9, "9.png"), "https://social.example/media/9/9.png");
    assert_eq!(u.acct(), "acct:ana@social.example");
    assert_eq!(u.tag("café"), "https://social.example/tags/caf%C3%A9");
}

#[test]
fn post_references_parse_from_every_form() {
    let u = urls();
    assert_eq!(u.parse_post_reference("42"), Some(42));
    assert_eq!(
        u.parse_post_reference("https://social.example/@ana/42"),
        Some(42)
    );
    assert_eq!(
        u.parse_post_reference("https://social.example/users/ana/statuses/42"),
        Some(42)
    );
    assert_eq!(
        u.parse_post_reference("https://social.example/users/ana/statuses/42/activity"),
        Some(42)
    );
    assert_eq!(
        u.parse_post_reference("https://other.example/@ana/42"),
        None
    );
    assert_eq!(
        u.parse_post_reference("https://social.example/@bob/42"),
        None
    );
    assert_eq!(u.parse_post_reference("-3"), None);
    assert_eq!(u.parse_post_reference(""), None);
}
