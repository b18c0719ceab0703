//! Emoji reactions between two real Perch instances (issue 15 item 5): B reacts to A's post from
//! its web page (as an EmojiReact: B learns from A's NodeInfo that Perch takes them), A counts it
//! under the post and tells its owner (on the page and through the API as Pleroma's
//! `pleroma:emoji_reaction`), B takes it back and A's count goes; then the other way round.

use crate::harness::{eventually, follow_and_wait, Api, Instance};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

/// `from`'s owner reacts (or takes back a reaction, `path` `/actions/unreact`) from the page.
fn react(from: &Instance, path: &str, uri: &str, emoji: &str) {
    let mut page = from.logged_in(PASSWORD);
    let csrf = page.csrf("/");
    let answer = page.post_form(
        path,
        &[
            ("csrf", &csrf),
            ("uri", uri),
            ("emoji", emoji),
            ("back", "/"),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
}

/// Whether the post's public page shows `emoji` reacted `count` times.
fn page_shows(page_url: &str, emoji: &str, count: u64) -> bool {
    let body = crate::harness::get(page_url, "text/html").body;
    body.contains(&format!(
        "<span class=\"emoji\">{emoji}</span> <span class=\"count\">{count}</span>"
    ))
}

#[test]
fn reactions_go_both_ways_between_two_perches_and_are_taken_back() {
    let (a, b) = (instance(), instance());
    follow_and_wait(&b, &a);
    follow_and_wait(&a, &b);
    let a_page = a.post("react to this", &[]);
    eventually("B holds A's post", || probe::remote_posts(&b) == 1);
    let a_post = probe::remote_post_uris(&b).remove(0);

    react(&b, "/actions/react", &a_post, "🎉");
    eventually("A shows B's reaction", || page_shows(&a_page, "🎉", 1));
    let a_api = Api::login(&a, PASSWORD, "read");
    let notices = a_api.get("/api/v1/notifications").json();
    let notice = notices
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "pleroma:emoji_reaction")
        .expect("A's owner is told through the API");
    assert_eq!(notice["emoji"], "🎉");
    assert_eq!(notice["status"]["uri"], a_post);
    let mut a_browser = a.logged_in(PASSWORD);
    let listed = a_browser.get("/notifications").body;
    assert!(listed.contains("reacted to your post"), "{listed}");
    // B's page shows its own reaction, to take back.
    let b_home = b.logged_in(PASSWORD).get("/").body;
    assert!(b_home.contains("/actions/unreact"), "{b_home}");

    react(&b, "/actions/unreact", &a_post, "🎉");
    eventually("A drops B's reaction", || !page_shows(&a_page, "🎉", 1));
    assert!(!a_browser
        .get("/notifications")
        .body
        .contains("reacted to your post"));

    // The other way round.
    let b_page = b.post("and to this", &[]);
    eventually("A holds B's post", || probe::remote_posts(&a) == 1);
    let b_post = probe::remote_post_uris(&a).remove(0);
    react(&a, "/actions/react", &b_post, "👍");
    eventually("B shows A's reaction", || page_shows(&b_page, "👍", 1));
}
