//! Moving in and out between real Perch instances: A moves to B and the follower C follows B
//! (C's inbox worker handles the Move), B moves back; and the Moves that must change nothing,
//! sent by a small signing server (`hardening::remote`).

use std::process::Output;

use serde_json::{json, Value};

use crate::hardening::remote::Remote;
use crate::harness::Api;
use crate::harness::{all_sent_and_handled, eventually, follow_and_wait, get, handle, Instance};
use crate::harness::{AS_JSON, BROWSER};
use crate::probe;

fn actor(instance: &Instance) -> String {
    instance.url("/users/ana")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn actor_json(instance: &Instance) -> Value {
    get(&actor(instance), AS_JSON).json()
}

/// `follower` follows `to` (accepted, both sides know) and no longer follows `from`.
fn follows_moved(follower: &Instance, from: &Instance, to: &Instance) {
    eventually("the follower follows the new account", || {
        probe::follow_of(follower, &actor(to)).as_deref() == Some("accepted")
    });
    eventually("the new account has the follower", || {
        probe::is_follower(to, &actor(follower))
    });
    eventually("the old account lost the follower", || {
        !probe::is_follower(from, &actor(follower))
    });
    assert_eq!(probe::follow_of(follower, &actor(from)), None);
}

#[test]
fn a_follower_moves_with_the_account_and_back() {
    let (a, b, c) = (Instance::start(), Instance::start(), Instance::start());
    follow_and_wait(&c, &a);
    a.post("before the move", &[]);

    // Moving out needs the new account to name the old one first.
    let refused = a.cli(&["move", &handle(&b)], "");
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("alias") && why.lines().count() == 1, "{why}");

    let added = ok(b.cli(&["alias", "add", &handle(&a)], ""));
    assert!(added.contains(&actor(&a)), "{added}");
    assert_eq!(actor_json(&b)["alsoKnownAs"], json!([actor(&a)]));
    assert!(ok(b.cli(&["alias", "list"], "")).contains(&handle(&a)));

    ok(a.cli(&["move", &handle(&b)], ""));
    follows_moved(&c, &a, &b);
    assert_eq!(probe::moved_to(&c, &actor(&a)), Some(actor(&b)));
    assert_eq!(probe::notifications_from(&c, "move", &actor(&a)), 1);
    // The apps see it as Mastodon's "move", with the new account as its target.
    c.set_password("correct horse battery");
    let app = Api::login(&c, "correct horse battery", "read");
    let moves: Value = app.get("/api/v1/notifications?types[]=move").json();
    assert_eq!(moves.as_array().map(Vec::len), Some(1), "{moves}");
    assert_eq!(moves[0]["type"], "move");
    assert_eq!(moves[0]["account"]["uri"], json!(actor(&a)));
    assert_eq!(moves[0]["target"]["uri"], json!(actor(&b)));

    // The old account says where it went, refuses new posts and is still readable.
    assert_eq!(actor_json(&a)["movedTo"], json!(actor(&b)));
    let page = get(&a.url("/@ana"), BROWSER);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("has moved to"), "{}", page.body);
    assert!(page.body.contains("before the move"));
    let post = a.cli(&["post"], "after the move");
    assert!(!post.status.success());
    let why = String::from_utf8_lossy(&post.stderr);
    assert!(
        why.contains("has moved to") && why.lines().count() == 1,
        "{why}"
    );
    assert_eq!(probe::posts(&a), 1);

    // B moves back to A: A names B, B moves, C follows A again; A takes its move back.
    ok(a.cli(&["alias", "add", &handle(&b)], ""));
    ok(b.cli(&["move", &handle(&a)], ""));
    follows_moved(&c, &b, &a);
    assert_eq!(probe::moved_to(&c, &actor(&b)), Some(actor(&a)));
    assert!(ok(a.cli(&["move", "--cancel"], "")).contains("taken back"));
    assert!(actor_json(&a).get("movedTo").is_none());
    a.post("home again", &[]);
    assert_eq!(probe::posts(&a), 2);
}

#[test]
fn moving_out_from_the_settings_page_asks_for_the_password() {
    let (a, b, c) = (Instance::start(), Instance::start(), Instance::start());
    a.set_password("correct horse battery");
    follow_and_wait(&c, &a);
    // B names A from its own settings page.
    b.set_password("correct horse battery");
    let mut on_b = b.logged_in("correct horse battery");
    let csrf = on_b.csrf("/settings/moving");
    let added = on_b.post_form(
        "/settings/moving/aliases",
        &[("csrf", &csrf), ("account", &handle(&a))],
    );
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(actor_json(&b)["alsoKnownAs"], json!([actor(&a)]));
    assert!(on_b.get("/settings/moving").body.contains(&handle(&a)));
    let not_one = on_b.post_form(
        "/settings/moving/aliases/remove",
        &[("csrf", &csrf), ("account", "@someone@else.example")],
    );
    assert_eq!(not_one.status, 404, "{}", not_one.body);
    assert!(not_one.body.contains("is not one of your aliases"));
    let mut browser = a.logged_in("correct horse battery");
    let settings = browser.get("/settings");
    assert!(settings.body.contains("/settings/moving"));
    let csrf = browser.csrf("/settings/moving");
    let wrong = browser.post_form(
        "/settings/moving/move",
        &[
            ("csrf", &csrf),
            ("account", &handle(&b)),
            ("password", "not it"),
        ],
    );
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    assert!(actor_json(&a).get("movedTo").is_none());
    let moved = browser.post_form(
        "/settings/moving/move",
        &[
            ("csrf", &csrf),
            ("account", &handle(&b)),
            ("password", "correct horse battery"),
        ],
    );
    assert_eq!(moved.status, 303, "{}", moved.body);
    follows_moved(&c, &a, &b);
    // Posting from the page is refused with the reason.
    let composed = browser.post_form(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", "still here"),
            ("visibility", "public"),
        ],
    );
    assert_eq!(composed.status, 409, "{}", composed.body);
    assert!(composed.body.contains("has moved to"));
    assert_eq!(probe::posts(&a), 0);
}

#[test]
fn moves_that_prove_nothing_change_nothing() {
    let (a, b, c) = (Instance::start(), Instance::start(), Instance::start());
    let remote = Remote::start();

    // A Move to A from an account A does not name: ignored.
    let mallory = remote.actor("mallory");
    let mut from_stranger = remote.activity("mallory", "Move", "moves/1", json!(mallory));
    from_stranger["target"] = json!(actor(&a));
    let answer = remote.post(
        &a,
        "/users/ana/inbox",
        "mallory",
        from_stranger.to_string().as_bytes(),
    );
    assert_eq!(answer.status, 202);
    let id = from_stranger["id"].as_str().unwrap();
    eventually("A handled the Move", || probe::processed(&a, id));
    assert!(probe::inbound_note(&a, id).unwrap().starts_with("ignored"));
    assert_eq!(probe::moved_to(&a, &mallory), None);
    assert_eq!(probe::notifications(&a, "move"), 0);
    // The same from an account A names is taken in (and the owner told).
    let old = remote.actor("oldana");
    ok(a.cli(&["alias", "add", &old], ""));
    let mut from_alias = remote.activity("oldana", "Move", "moves/2", json!(old));
    from_alias["target"] = json!(actor(&a));
    remote.post(
        &a,
        "/users/ana/inbox",
        "oldana",
        from_alias.to_string().as_bytes(),
    );
    eventually("A took the Move from its alias", || {
        probe::notifications_from(&a, "move", &old) == 1
    });
    assert_eq!(probe::moved_to(&a, &old), Some(actor(&a)));

    // C follows eve, who claims to have moved to B; B does not name eve: refused.
    let eve = remote.actor("eve");
    ok(c.cli(&["follow", &eve], ""));
    eventually("C's Follow reached eve", || {
        remote.delivered().iter().any(|d| d["type"] == "Follow")
    });
    let follow = remote
        .delivered()
        .into_iter()
        .find(|d| d["type"] == "Follow")
        .unwrap();
    let accept = remote.activity("eve", "Accept", "accepts/1", follow);
    remote.post(&c, "/users/ana/inbox", "eve", accept.to_string().as_bytes());
    eventually("C follows eve", || {
        probe::follow_of(&c, &eve).as_deref() == Some("accepted")
    });
    let mut unconfirmed = remote.activity("eve", "Move", "moves/3", json!(eve));
    unconfirmed["target"] = json!(actor(&b));
    remote.post(
        &c,
        "/users/ana/inbox",
        "eve",
        unconfirmed.to_string().as_bytes(),
    );
    let id = unconfirmed["id"].as_str().unwrap();
    eventually("C handled the Move", || probe::processed(&c, id));
    assert!(probe::inbound_note(&c, id).unwrap().starts_with("refused"));
    assert_eq!(probe::follow_of(&c, &eve).as_deref(), Some("accepted"));
    assert_eq!(probe::follow_of(&c, &actor(&b)), None);
    assert_eq!(probe::moved_to(&c, &eve), None);
    assert_eq!(probe::notifications(&c, "move"), 0);
    all_sent_and_handled(&c, &b);
    assert_eq!(probe::follows_in(&b), 0);
}
