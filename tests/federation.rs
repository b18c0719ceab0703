//! Two real Perch instances on loopback federating with each other (Perch against servers
//! nobody here wrote is in `interop`).

use crate::harness::{
    all_sent_and_handled, eventually, follow_and_wait, get, handle, post_raw, Instance, AS_JSON,
    BROWSER,
};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

#[test]
fn two_instances_follow_post_like_and_unfollow() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    b.set_password(PASSWORD);

    // A follows B from the command line; B accepts by itself; A is following only after that.
    let out = a.cli(&["follow", &handle(&b)], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("B records A as a follower", || probe::followers(&b) == 1);
    eventually("A sees the Accept", || probe::following(&a) == 1);
    assert_eq!(
        get(&b.url("/users/ana/followers"), AS_JSON).json()["totalItems"],
        1
    );

    // Each visibility reaches exactly whom it should: A follows B, so all but direct reach A.
    let public = b.post("hello from B #federation", &[]);
    let hidden = b.post("for followers only", &["--visibility", "followers"]);
    b.post("a direct note to nobody", &["--visibility", "direct"]);
    eventually("A keeps B's public and followers-only posts", || {
        probe::remote_posts(&a) == 2
    });
    all_sent_and_handled(&b, &a);
    assert_eq!(probe::remote_posts(&a), 2);
    assert_eq!(probe::remote_posts_containing(&a, "direct note"), 0);
    let public_id = b.url(&format!(
        "/users/ana/statuses/{}",
        public.rsplit('/').next().unwrap()
    ));
    let timeline = a.logged_in(PASSWORD).get("/").body;
    assert!(
        timeline.contains("hello from B"),
        "A's home timeline shows B's post"
    );
    assert!(timeline.contains("for followers only"));
    let _ = hidden;

    // A likes and boosts B's post; B is notified.
    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    for action in ["/actions/like", "/actions/boost"] {
        let answer = browser.post_form(
            action,
            &[("csrf", &csrf), ("uri", &public_id), ("back", "/")],
        );
        assert_eq!(answer.status, 303, "{action}: {}", answer.body);
    }
    eventually("B is told of the like and the boost", || {
        probe::notifications(&b, "like") + probe::notifications(&b, "announce") == 2
    });

    // A replies to B; B shows the reply under its post, with the counts.
    let reply = browser.post_form(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", "a reply from A"),
            ("visibility", "public"),
            ("in_reply_to", &public_id),
        ],
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    eventually("B keeps A's reply and notifies", || {
        probe::notifications(&b, "reply") == 1
    });

    // B's public page shows A's reply under the post, with the counts.
    let page = get(&public, BROWSER).body;
    assert!(
        page.contains("a reply from A"),
        "remote replies are shown under our posts"
    );
    assert!(page.contains("1 reply") && page.contains("1 boost") && page.contains("1 like"));

    // Replies the other way: B answers a post of A's that B has never seen (B fetches it to find
    // its author), and a direct mention reaches A alone.
    let a_post = a.post("A speaks", &[]);
    let a_post_id = a.url(&format!(
        "/users/ana/statuses/{}",
        a_post.rsplit('/').next().unwrap()
    ));
    b.post("B answers A", &["--reply-to", &a_post_id]);
    eventually("A is told of B's reply", || {
        probe::notifications(&a, "reply") == 1
    });
    let direct = b.post(&format!("psst {}", handle(&a)), &["--visibility", "direct"]);
    eventually("A gets the direct mention", || {
        probe::notifications(&a, "mention") == 1
    });
    let direct_note = probe::direct_post_html(&b, "psst");
    assert!(
        direct_note.contains(&a.url("/users/ana")) || direct_note.contains(&a.url("/@ana")),
        "{direct_note}"
    );
    assert_eq!(
        get(&direct, AS_JSON).status,
        404,
        "direct posts are not public"
    );

    // A profile change on B reaches A.
    let mut b_settings = b.logged_in(PASSWORD);
    let b_csrf_settings = b_settings.csrf("/settings");
    let renamed = b_settings.post_form(
        "/settings/profile",
        &[
            ("csrf", &b_csrf_settings),
            ("display_name", "B renamed"),
            ("bio", "new bio"),
            ("discoverable", "true"),
        ],
    );
    assert_eq!(renamed.status, 303);
    eventually("A sees B's new name", || {
        probe::actors_named(&a, "B renamed") == 1
    });

    // B edits and deletes; A follows along.
    let id = public.rsplit('/').next().unwrap();
    let mut b_browser = b.logged_in(PASSWORD);
    let b_csrf = b_browser.csrf("/");
    let edited = b_browser.post_form(
        &format!("/posts/{id}/edit"),
        &[
            ("csrf", &b_csrf),
            ("source", "edited on B"),
            ("summary", ""),
        ],
    );
    assert_eq!(edited.status, 303);
    eventually("A sees the edit", || {
        probe::remote_posts_containing(&a, "edited on B") == 1
    });
    let deleted = b_browser.post_form(&format!("/posts/{id}/delete"), &[("csrf", &b_csrf)]);
    assert_eq!(deleted.status, 303);
    eventually("A drops the deleted post", || {
        probe::remote_posts_containing(&a, "edited on B") == 0
    });

    // A unfollows; B forgets A as a follower.
    let out = a.cli(&["unfollow", &handle(&b)], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("B no longer lists A", || probe::follows_in(&b) == 0);
}

#[test]
fn follow_by_approval_waits_for_the_owner() {
    let a = Instance::start();
    let b = Instance::start();
    b.set_password(PASSWORD);
    let mut b_browser = b.logged_in(PASSWORD);
    let csrf = b_browser.csrf("/settings");
    let saved = b_browser.post_form(
        "/settings/profile",
        &[
            ("csrf", &csrf),
            ("display_name", "B"),
            ("bio", ""),
            ("manually_approves_followers", "true"),
            ("discoverable", "true"),
        ],
    );
    assert_eq!(saved.status, 303);

    assert!(a.cli(&["follow", &handle(&b)], "").status.success());
    eventually("B holds a follow request", || {
        probe::follow_requests(&b) == 1
    });
    // A followers-only post must not reach a pending requester.
    b.post("not for requesters", &["--visibility", "followers"]);
    assert_eq!(probe::following(&a), 0);
    let requests = b_browser.get("/people?tab=requests");
    assert!(requests.body.contains(&format!("127.0.0.1:{}", a.port)));
    let approved = b_browser.post_form(
        "/actions/approve",
        &[
            ("csrf", &csrf),
            ("actor", &a.url("/users/ana")),
            ("back", "/people?tab=requests"),
        ],
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    eventually("A is accepted", || probe::following(&a) == 1);
    all_sent_and_handled(&b, &a);
    assert_eq!(
        probe::remote_posts(&a),
        0,
        "the earlier post never reached A"
    );
}

#[test]
fn deliveries_survive_a_sigkill_of_the_sender() {
    let mut a = Instance::start();
    let b = Instance::start();
    follow_and_wait(&a, &b);
    // B is down: its deliveries to A wait in the queue.
    let mut b = b;
    b.kill();
    for i in 0..5 {
        b.post(&format!("queued while offline {i}"), &[]);
    }
    // Five Creates wait (an Accept caught mid-flight by the kill may wait beside them).
    assert!(probe::pending_deliveries(&b) >= 5);
    b.serve();
    eventually("every queued post reaches A after the restart", || {
        probe::remote_posts(&a) == 5
    });
    a.kill();
}

#[test]
fn unsigned_and_tampered_inbox_posts_are_refused() {
    let a = Instance::start();
    let body = br#"{"id":"http://127.0.0.1:1/x","type":"Follow","actor":"http://127.0.0.1:1/actor","object":"x"}"#;
    let unsigned = post_raw(
        &a.url("/inbox"),
        &[("Content-Type", "application/activity+json")],
        body,
    );
    assert_eq!(unsigned.status, 401);
    assert_eq!(probe::inbound(&a), 0);
    // Over 1 MB: refused without reading it all. The client sends only the headers and a little.
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", a.port)).unwrap();
    write!(
        stream,
        "POST /inbox HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/activity+json\r\nContent-Length: 2000000\r\n\r\n",
        a.port
    )
    .unwrap();
    let _ = stream.write_all(&vec![b' '; 1024 * 1024 + 10]);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{}",
        answer.lines().next().unwrap_or("")
    );
    assert_eq!(get(&a.url("/@ana"), BROWSER).status, 200, "still serving");
}

#[test]
fn search_fetches_remote_posts_and_visitors_act_from_their_own_server() {
    let a = Instance::start();
    let b = Instance::start();
    a.set_password(PASSWORD);
    let b_post = b.post("findable on B", &[]);
    let b_post_id = b.url(&format!(
        "/users/ana/statuses/{}",
        b_post.rsplit('/').next().unwrap()
    ));

    let mut browser = a.logged_in(PASSWORD);
    let found = browser.get(&format!(
        "/search?q={}",
        perch::urls::percent_encode_path(&b_post_id)
    ));
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains("findable on B"),
        "the post was fetched and shown"
    );
    assert!(found.body.contains("action=\"/actions/like\""));
    let account = browser.get(&format!(
        "/search?q={}",
        perch::urls::percent_encode_path(&handle(&b))
    ));
    assert!(account.body.contains("action=\"/actions/follow\""));
    let nobody = browser.get("/search?q=%40nobody%40127.0.0.1%3A1");
    assert_eq!(
        nobody.status, 422,
        "an unreachable account is a clear error"
    );

    // A visitor on B's post page gives their handle on A and is sent to A's interaction page.
    let page = get(&b_post, BROWSER).body;
    assert!(page.contains("action=\"/interact\""));
    let query = format!(
        "/interact?uri={}&handle={}",
        perch::urls::percent_encode_path(&b_post_id),
        perch::urls::percent_encode_path(&handle(&a))
    );
    let sent = get(&b.url(&query), BROWSER);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let target = sent.header("location").unwrap();
    assert!(
        target.starts_with(&a.url("/authorize_interaction?uri=")),
        "{target}"
    );
    let landing = browser.get(target.strip_prefix(&a.origin).unwrap());
    assert_eq!(landing.status, 303);
    assert!(get(&b.url("/@ana"), BROWSER)
        .body
        .contains("Follow from your own server"));
    let elsewhere = get(
        &b.url("/interact?uri=https%3A%2F%2Fevil.example%2Fx&handle=%40a%40b.example"),
        BROWSER,
    );
    assert_eq!(elsewhere.status, 400, "only our own objects");
}
