//! The collections Perch publishes as Mastodon does, read by another real Perch's owner's
//! actions: followers and following with their pages (or only counts when the owner hides
//! them), a post's replies (FEP-7458), its conversation (FEP-f228), its like and boost counts.

use crate::harness::{all_sent_and_handled, eventually, follow_and_wait, get, Instance, AS_JSON};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

fn object_url(instance: &Instance, page: &str) -> String {
    instance.url(&format!(
        "/users/ana/statuses/{}",
        page.rsplit('/').next().unwrap()
    ))
}

#[test]
fn followers_are_listed_in_pages_until_the_owner_hides_them() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    follow_and_wait(&b, &a);
    let collection = get(&a.url("/users/ana/followers"), AS_JSON).json();
    assert_eq!(collection["totalItems"], 1);
    let first = collection["first"].as_str().expect("a first page");
    let page = get(first, AS_JSON).json();
    assert_eq!(page["type"], "OrderedCollectionPage");
    assert_eq!(
        page["orderedItems"],
        serde_json::json!([b.url("/users/ana")])
    );
    let following = get(&b.url("/users/ana/following?page=1"), AS_JSON).json();
    assert_eq!(following["orderedItems"][0], a.url("/users/ana"));

    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/settings/network");
    let saved = browser.post_form("/settings/network", &[("csrf", &csrf), ("hide", "true")]);
    assert_eq!(saved.status, 303, "{}", saved.body);
    let hidden = get(&a.url("/users/ana/followers"), AS_JSON).json();
    assert_eq!(hidden["totalItems"], 1);
    assert!(hidden.get("first").is_none(), "{hidden}");
    let asked = get(&a.url("/users/ana/followers?page=1"), AS_JSON).json();
    assert!(asked.get("orderedItems").is_none(), "{asked}");
}

#[test]
fn a_post_lists_its_replies_its_conversation_and_its_counts() {
    let a = Instance::start();
    let b = Instance::start();
    b.set_password(PASSWORD);
    follow_and_wait(&b, &a);
    let root = object_url(&a, &a.post("the root of a thread", &[]));
    let own_reply = object_url(&a, &a.post("A continues", &["--reply-to", &root]));
    eventually("B holds A's post", || {
        probe::remote_posts_containing(&b, "the root of a thread") == 1
    });
    let b_reply = object_url(
        &b,
        &b.post("B answers A's answer", &["--reply-to", &own_reply]),
    );
    eventually("A keeps B's reply", || {
        probe::remote_posts_containing(&a, "B answers") == 1
    });

    let replies = get(&format!("{own_reply}/replies"), AS_JSON).json();
    assert_eq!(replies["first"]["items"], serde_json::json!([b_reply]));
    let of_root = get(&format!("{root}/replies?page=true"), AS_JSON).json();
    assert_eq!(of_root["items"], serde_json::json!([own_reply]));
    assert!(of_root.get("next").is_none());

    let note = get(&own_reply, AS_JSON).json();
    let context = note["context"].as_str().expect("a context");
    assert_eq!(context, format!("{root}/context"));
    let conversation = get(context, AS_JSON).json();
    assert_eq!(
        conversation["orderedItems"],
        serde_json::json!([root, own_reply, b_reply])
    );
    assert_eq!(note["likes"]["totalItems"], 0);

    // B likes the reply: the count on A's (kept) Note document moves.
    let mut browser = b.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let liked = browser.post_form(
        "/actions/like",
        &[("csrf", &csrf), ("uri", &own_reply), ("back", "/")],
    );
    assert_eq!(liked.status, 303, "{}", liked.body);
    all_sent_and_handled(&b, &a);
    let note = get(&own_reply, AS_JSON).json();
    assert_eq!(note["likes"]["totalItems"], 1, "{note}");
    assert_eq!(
        get(&format!("{own_reply}/likes"), AS_JSON).json()["totalItems"],
        1
    );
    assert_eq!(note["shares"]["totalItems"], 0);
}
