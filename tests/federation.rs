//! Two real Perch instances on loopback federating with each other, and Perch against
//! implementations nobody here wrote (bovine, and two npm signature verifiers).

use crate::harness::{
    count, eventually, follow_and_wait, get, handle, local_tool, post_raw, Instance, AS_JSON,
    BROWSER,
};

const PASSWORD: &str = "correct horse battery";

fn db(instance: &Instance) -> rusqlite::Connection {
    rusqlite::Connection::open(instance.database()).unwrap()
}

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
    eventually("B records A as a follower", || {
        count(
            &b,
            "SELECT count(*) FROM follows WHERE direction = 'in' AND state = 'accepted'",
        ) == 1
    });
    eventually("A sees the Accept", || {
        count(
            &a,
            "SELECT count(*) FROM follows WHERE direction = 'out' AND state = 'accepted'",
        ) == 1
    });
    assert_eq!(
        get(&b.url("/users/ana/followers"), AS_JSON).json()["totalItems"],
        1
    );

    // Each visibility reaches exactly whom it should: A follows B, so all but direct reach A.
    let public = b.post("hello from B #federation", &[]);
    let hidden = b.post("for followers only", &["--visibility", "followers"]);
    b.post("a direct note to nobody", &["--visibility", "direct"]);
    eventually("A keeps B's public and followers-only posts", || {
        count(&a, "SELECT count(*) FROM remote_posts") == 2
    });
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM remote_posts WHERE content_html LIKE '%direct note%'"
        ),
        0
    );
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
        count(
            &b,
            "SELECT count(*) FROM notifications WHERE kind IN ('like', 'announce')",
        ) == 2
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
        count(
            &b,
            "SELECT count(*) FROM notifications WHERE kind = 'reply'",
        ) == 1
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
        count(
            &a,
            "SELECT count(*) FROM notifications WHERE kind = 'reply'",
        ) == 1
    });
    let direct = b.post(&format!("psst {}", handle(&a)), &["--visibility", "direct"]);
    eventually("A gets the direct mention", || {
        count(
            &a,
            "SELECT count(*) FROM notifications WHERE kind = 'mention'",
        ) == 1
    });
    let direct_note = db(&b)
        .query_row(
            "SELECT content_html FROM posts WHERE visibility = 'direct' AND source LIKE 'psst%'",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap();
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
        count(
            &a,
            "SELECT count(*) FROM actors WHERE display_name = 'B renamed'",
        ) == 1
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
        count(
            &a,
            "SELECT count(*) FROM remote_posts WHERE content_html LIKE '%edited on B%'",
        ) == 1
    });
    let deleted = b_browser.post_form(&format!("/posts/{id}/delete"), &[("csrf", &b_csrf)]);
    assert_eq!(deleted.status, 303);
    eventually("A drops the deleted post", || {
        count(
            &a,
            "SELECT count(*) FROM remote_posts WHERE content_html LIKE '%edited on B%'",
        ) == 0
    });

    // A unfollows; B forgets A as a follower.
    let out = a.cli(&["unfollow", &handle(&b)], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("B no longer lists A", || {
        count(&b, "SELECT count(*) FROM follows WHERE direction = 'in'") == 0
    });
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
        count(
            &b,
            "SELECT count(*) FROM follows WHERE direction = 'in' AND state = 'pending'",
        ) == 1
    });
    // A followers-only post must not reach a pending requester.
    b.post("not for requesters", &["--visibility", "followers"]);
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM follows WHERE direction = 'out' AND state = 'accepted'"
        ),
        0
    );
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
    eventually("A is accepted", || {
        count(
            &a,
            "SELECT count(*) FROM follows WHERE direction = 'out' AND state = 'accepted'",
        ) == 1
    });
    assert_eq!(
        count(&a, "SELECT count(*) FROM remote_posts"),
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
    assert!(count(&b, "SELECT count(*) FROM deliveries") >= 5);
    b.serve();
    eventually("every queued post reaches A after the restart", || {
        count(&a, "SELECT count(*) FROM remote_posts") == 5
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
    assert_eq!(count(&a, "SELECT count(*) FROM inbound"), 0);
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

fn python() -> Option<String> {
    local_tool("PERCH_PYTHON", "venv/bin/python", "bovine tests")
}

fn node_modules() -> Option<String> {
    local_tool(
        "PERCH_NODE_MODULES",
        "node/node_modules",
        "npm verifier tests",
    )
}

/// A peer process that prints "ready" when it listens; killed when dropped.
struct Peer(std::process::Child);

impl Peer {
    fn start(mut command: std::process::Command) -> Peer {
        use std::io::BufRead;
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start peer");
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        assert_eq!(first.trim(), "ready", "the peer did not start");
        std::thread::spawn(move || for _ in lines {});
        Peer(child)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn bovine_follows_perch_and_verifies_its_accept() {
    let Some(python) = python() else { return };
    let perch = Instance::start();
    let port = crate::harness::free_port();
    let mut command = std::process::Command::new(python);
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/bovine_peer.py"
        ))
        .arg(port.to_string());
    let _peer = Peer::start(command);
    let actor = format!("http://127.0.0.1:{port}/actor");
    let send = |activity: serde_json::Value| -> serde_json::Value {
        let order =
            serde_json::json!({"inbox": perch.url("/users/ana/inbox"), "activity": activity});
        post_raw(
            &format!("http://127.0.0.1:{port}/control/send"),
            &[("Content-Type", "application/json")],
            order.to_string().as_bytes(),
        )
        .json()
    };
    let follow = send(serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/follows/1"), "type": "Follow", "actor": actor, "object": perch.url("/users/ana")
    }));
    assert_eq!(follow["status"], 202, "{follow}");
    eventually("Perch accepts bovine as a follower", || {
        count(
            &perch,
            "SELECT count(*) FROM follows WHERE direction = 'in' AND state = 'accepted'",
        ) == 1
    });
    eventually("bovine receives a verified Accept", || {
        let inbox = get(
            &format!("http://127.0.0.1:{port}/control/inbox"),
            "application/json",
        )
        .json();
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["activity"]["type"] == "Accept" && r["verified"] == perch.url("/users/ana"))
    });
    let create = send(serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/creates/1"), "type": "Create", "actor": actor,
        "to": [perch.url("/users/ana")],
        "object": {
            "id": format!("{actor}/notes/1"), "type": "Note", "attributedTo": actor,
            "to": [perch.url("/users/ana")], "content": "<p>hello Perch, from bovine</p>",
            "published": "2026-11-27T08:00:00Z",
            "tag": [{"type": "Mention", "href": perch.url("/users/ana")}]
        }
    }));
    assert_eq!(create["status"], 202, "{create}");
    eventually("Perch keeps the mention and notifies", || {
        count(
            &perch,
            "SELECT count(*) FROM notifications WHERE kind = 'mention'",
        ) == 1
    });
    // Perch's posts reach bovine signed in a way bovine verifies.
    perch.post("to my followers", &[]);
    eventually("bovine verifies Perch's Create", || {
        let inbox = get(
            &format!("http://127.0.0.1:{port}/control/inbox"),
            "application/json",
        )
        .json();
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["activity"]["type"] == "Create" && r["verified"] == perch.url("/users/ana"))
    });
}

#[test]
fn outgoing_signatures_verify_with_two_npm_libraries() {
    let Some(modules) = node_modules() else {
        return;
    };
    let perch = Instance::start();
    let port = crate::harness::free_port();
    let mut command = std::process::Command::new("node");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/verify_sink.mjs"
        ))
        .arg(port.to_string())
        .env("PERCH_NODE_MODULES", modules);
    let _sink = Peer::start(command);
    let out = perch.cli(&["follow", &format!("http://127.0.0.1:{port}/actor")], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("the sink checked Perch's Follow", || {
        let results = get(
            &format!("http://127.0.0.1:{port}/control/results"),
            "application/json",
        )
        .json();
        !results.as_array().unwrap().is_empty()
    });
    let results = get(
        &format!("http://127.0.0.1:{port}/control/results"),
        "application/json",
    )
    .json();
    let first = &results[0];
    assert_eq!(first["activity"]["type"], "Follow");
    assert_eq!(first["misskey"], true, "{first}");
    assert_eq!(first["joyent"], true, "{first}");
    assert_eq!(first["digest"], true, "{first}");
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
