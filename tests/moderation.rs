//! Blocks, mutes, blocked domains and muted words between two real Perch instances.

use crate::client::{eventually, follow_each_other, handle, PASSWORD};
use crate::harness::{all_sent_and_handled, Instance};
use crate::probe;

#[test]
fn blocking_tells_them_and_ends_follows_both_ways() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    follow_each_other(&a, &b);
    let mut browser = a.logged_in(PASSWORD);
    let search = browser.get(&format!(
        "/search?q={}",
        handle(&b).replace('@', "%40").replace(':', "%3A")
    ));
    assert!(
        search.body.contains(r#"action="/actions/block""#),
        "{}",
        search.body
    );
    let csrf = crate::harness::csrf_from(&search.body);
    let b_actor = b.url("/users/ana");
    let blocked = browser.post_form("/actions/block", &[("csrf", &csrf), ("actor", &b_actor)]);
    assert_eq!(blocked.status, 303, "{}", blocked.body);
    assert_eq!(probe::follows(&a), 0, "both follows gone here");
    eventually("B hears of the Block", || probe::blocked_by(&b) == 1);
    assert_eq!(probe::follows(&b), 0, "B ended both follows with the Block");
    let settings = browser.get("/settings/moderation").body;
    assert!(settings.contains("Unblock"), "{settings}");
    // B's posts no longer reach A.
    b.post("can you see me", &[]);
    all_sent_and_handled(&b, &a);
    assert_eq!(probe::remote_posts_containing(&a, "can you see me"), 0);
    assert!(!browser.get("/").body.contains("can you see me"));

    let unblocked = browser.post_form("/actions/unblock", &[("csrf", &csrf), ("actor", &b_actor)]);
    assert_eq!(unblocked.status, 303);
    eventually("B hears of the Undo", || probe::blocked_by(&b) == 0);
    assert!(browser
        .get("/settings/moderation")
        .body
        .contains("Nobody is blocked"));
}

#[test]
fn mutes_domain_blocks_and_muted_words_filter_quietly() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    follow_each_other(&a, &b);
    b.post("a post about spoilers", &[]);
    b.post("an ordinary post", &[]);
    eventually("A keeps both", || probe::remote_posts(&a) == 2);
    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/settings/moderation");

    let word = browser.post_form(
        "/settings/moderation/words",
        &[("csrf", &csrf), ("value", "SPOILER")],
    );
    assert_eq!(word.status, 303, "{}", word.body);
    let home = browser.get("/").body;
    assert!(!home.contains("about spoilers"));
    assert!(home.contains("an ordinary post"));
    let empty = browser.post_form(
        "/settings/moderation/words",
        &[("csrf", &csrf), ("value", "  ")],
    );
    assert_eq!(empty.status, 422);
    browser.post_form(
        "/settings/moderation/words/remove",
        &[("csrf", &csrf), ("value", "SPOILER")],
    );
    assert!(browser.get("/").body.contains("about spoilers"));

    let b_actor = b.url("/users/ana");
    let sent_before_mute = probe::sent(&a);
    let muted = browser.post_form("/actions/mute", &[("csrf", &csrf), ("actor", &b_actor)]);
    assert_eq!(muted.status, 303);
    assert!(!browser.get("/").body.contains("an ordinary post"));
    assert_eq!(probe::follows(&a), 2, "a mute changes no follow");
    assert_eq!(
        probe::sent(&a),
        sent_before_mute,
        "nobody is told of a mute"
    );
    browser.post_form("/actions/unmute", &[("csrf", &csrf), ("actor", &b_actor)]);
    assert!(browser.get("/").body.contains("an ordinary post"));

    // A domain block removes B's follows, and B's deliveries are refused from then on.
    let refused = browser.post_form(
        "/settings/moderation/domains",
        &[("csrf", &csrf), ("value", "not a domain")],
    );
    assert_eq!(refused.status, 422);
    let blocked = browser.post_form(
        "/settings/moderation/domains",
        &[("csrf", &csrf), ("value", &b.origin)],
    );
    assert_eq!(blocked.status, 303, "{}", blocked.body);
    assert_eq!(probe::follows(&a), 0);
    assert!(browser
        .get("/settings/moderation")
        .body
        .contains("127.0.0.1"));
    assert!(!browser.get("/").body.contains("an ordinary post"));
    // B was not told, so B still delivers to A: A refuses what comes.
    assert_eq!(probe::followers(&b), 1, "B still counts A as a follower");
    b.post("after the domain block", &[]);
    all_sent_and_handled(&b, &a);
    assert_eq!(probe::remote_posts_containing(&a, "after the domain"), 0);
}
