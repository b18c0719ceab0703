use super::*;
use crate::model::{Counts, Entry, Profile, Shown, Timestamp, Visibility};

fn profile() -> Profile {
    Profile {
        username: "me".into(),
        display_name: "Me".into(),
        bio_source: String::new(),
        bio_html: "<p>hi</p>".into(),
        avatar: None,
        header: None,
        fields: Vec::new(),
        manually_approves_followers: false,
        discoverable: true,
        bot: false,
        also_known_as: Vec::new(),
        moved_to: None,
        created_at: Timestamp(1_764_700_000_123),
        updated_at: Timestamp(1_764_700_000_123),
    }
}

#[test]
fn times_are_written_as_mastodon_writes_them() {
    assert_eq!(
        datetime(Timestamp(1_764_700_000_123)),
        "2025-12-02T18:26:40.123Z"
    );
    assert_eq!(date(Timestamp(1_764_700_000_123)), "2025-12-02");
}

#[test]
fn the_owner_is_a_local_account_with_absolute_image_urls() {
    let urls = crate::domain::testkit::urls();
    let counts = Counts {
        posts: 3,
        followers: 2,
        following: 1,
    };
    let account = account::owner(&urls, &profile(), &[], &counts, None);
    assert_eq!(account.id, OWNER_ACCOUNT_ID);
    assert_eq!(account.acct, "me");
    assert_eq!(account.uri, urls.actor());
    assert!(account.avatar.starts_with(urls.origin()));
    assert_eq!(account.statuses_count, 3);
    assert_eq!(account.created_at, "2025-12-02T00:00:00.000Z");
}

fn post(id: i64) -> crate::model::Post {
    crate::model::Post {
        id,
        created_at: Timestamp(1_764_700_000_000),
        updated_at: None,
        visibility: Visibility::Followers,
        source: "hi".into(),
        content_html: "<p>hi</p>".into(),
        summary: Some("cw".into()),
        sensitive: true,
        in_reply_to: None,
        pinned: false,
        tags: vec!["Rust".into()],
        mentions: Vec::new(),
        media: Vec::new(),
        poll: None,
        quote_policy: crate::model::QuotePolicy::Public,
        quote: None,
    }
}

#[test]
fn a_followers_only_post_is_private_and_its_tags_lower_case() {
    let urls = crate::domain::testkit::urls();
    let owner = account::owner(&urls, &profile(), &[], &Counts::default(), None);
    let status = status::shown(
        &urls,
        &owner,
        &Shown::Own(post(42)),
        &status::Extras::default(),
    );
    assert_eq!(status.id, "42");
    assert_eq!(status.visibility, "private");
    assert_eq!(status.spoiler_text, "cw");
    assert_eq!(status.tags[0].name, "rust");
    assert_eq!(
        status::parse_visibility("private"),
        Some(Visibility::Followers)
    );
    let json = serde_json::to_value(&status).unwrap();
    assert!(json.get("text").is_none());
    assert!(json["reblog"].is_null());
}

#[test]
fn a_boost_wraps_the_post_with_its_own_id_and_booster() {
    let urls = crate::domain::testkit::urls();
    let owner = account::owner(&urls, &profile(), &[], &Counts::default(), None);
    let booster = crate::model::Actor {
        id: 7,
        uri: "https://remote.example/users/a".into(),
        kind: "Person".into(),
        username: "a".into(),
        domain: "remote.example".into(),
        display_name: "A".into(),
        summary_html: String::new(),
        fields: Vec::new(),
        url: "https://remote.example/@a".into(),
        avatar_url: None,
        header_url: None,
        inbox: "https://remote.example/users/a/inbox".into(),
        shared_inbox: None,
        followers_uri: None,
        manually_approves_followers: false,
        moved_to: None,
    };
    let entry = Entry {
        id: 99,
        shown: Shown::Own(post(42)),
        boosted_by: Some(booster),
        liked: true,
        boosted: false,
        bookmarked: false,
        reactions: Vec::new(),
        filtered: Vec::new(),
    };
    let status = status::entry(&urls, &owner, &entry, &status::Extras::default());
    assert_eq!(status.id, "99");
    assert_eq!(status.account.acct, "a@remote.example");
    let inner = status.reblog.unwrap();
    assert_eq!(inner.id, "42");
    assert!(inner.favourited);
}
