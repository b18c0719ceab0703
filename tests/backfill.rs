//! Backfill and whole threads (issue 11) between real Perch processes: A has 50 posts and a
//! pinned one, B replies to them and is unknown to C, C follows A. And a slow test server that
//! counts what it is asked, to hold the worker to its budget.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use perch::urls::percent_encode_path;
use serde_json::json;

use crate::harness::{
    eventually, eventually_within, follow_and_wait, get, handle, Instance, AS_JSON,
};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

/// The id of A's post from the page URL `perch post` prints.
fn object_id(instance: &Instance, page: &str) -> String {
    instance.url(&format!(
        "/users/ana/statuses/{}",
        page.rsplit('/').next().unwrap()
    ))
}

#[test]
fn a_follow_fills_the_timeline_threads_complete_and_forwarded_replies_are_refetched() {
    let a = Instance::start();
    let b = Instance::start();
    let c = Instance::start();
    a.set_password(PASSWORD);
    c.set_password(PASSWORD);

    // A: 50 posts; the 3rd is pinned.
    let mut a_posts = Vec::new();
    for i in 1..=50 {
        a_posts.push(object_id(&a, &a.post(&format!("A post n{i:03}"), &[])));
    }
    let mut browser = a.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let pinned = browser.post_form(
        "/actions/pin",
        &[("csrf", &csrf), ("uri", &a_posts[2]), ("back", "/")],
    );
    assert_eq!(pinned.status, 303, "{}", pinned.body);

    // B (a stranger to C) replies to A's newest post, and to its own reply; and posts on its own.
    let b_reply = object_id(
        &b,
        &b.post("B answers the newest", &["--reply-to", &a_posts[49]]),
    );
    let b_deeper = object_id(&b, &b.post("B answers itself", &["--reply-to", &b_reply]));
    b.post("B muses alone", &[]);
    eventually("A keeps B's reply", || {
        probe::remote_content(&a, &b_reply).is_some()
    });

    // C follows A: the 20 newest posts come from A's outbox, with their dates and in order.
    let started = Instant::now();
    follow_and_wait(&c, &a);
    let mut home = c.logged_in(PASSWORD);
    eventually("C's home shows A's newest post", || {
        home.get("/").body.contains("A post n050")
    });
    let first_shown = started.elapsed();
    eventually("C holds 20 of A's posts", || {
        probe::remote_posts_containing(&c, "A post n") == 20
    });
    eventually("C's follow backfill is done", || {
        probe::backfill_queued(&c) == 0
    });
    let follow_requests = probe::backfill_requests(&c);
    let page = home.get("/").body;
    let positions: Vec<usize> = (31..=50)
        .rev()
        .map(|i| {
            page.find(&format!("A post n{i:03}"))
                .unwrap_or_else(|| panic!("post {i} shown"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "newest first: {positions:?}"
    );
    assert!(!page.contains("A post n030"), "only the 20 newest");
    assert_eq!(probe::remote_posts_containing(&c, "A post n030"), 0);
    assert_eq!(
        probe::all_notifications(&c),
        0,
        "a backfill notifies nobody"
    );
    let published_a = probe::remote_published_at(&a, &a_posts[49]);
    let published_c = probe::remote_published_at(&c, &a_posts[49]);
    assert!(published_c.is_some(), "C holds A's newest");
    let _ = published_a;
    eprintln!(
        "backfill figures: follow backfill kept 20 posts with {follow_requests} requests; \
         the home page showed the first fetched post {:.2} s after `perch follow`",
        first_shown.as_secs_f64()
    );

    // C opens the thread of A's newest post: B's replies, never pushed to C, are fetched.
    let before = probe::backfill_requests(&c);
    let thread = format!("/thread?uri={}", percent_encode_path(&a_posts[49]));
    let opened = Instant::now();
    let first = home.get(&thread);
    assert_eq!(first.status, 200);
    let answered = opened.elapsed();
    assert!(
        first.body.contains("Fetching") || first.body.contains("B answers the newest"),
        "the page says more is coming"
    );
    eventually("the thread shows B's reply and B's reply to it", || {
        let body = home.get(&thread).body;
        body.contains("B answers the newest") && body.contains("B answers itself")
    });
    eventually("the thread's fetches are done", || {
        probe::backfill_queued(&c) == 0
    });
    let thread_requests = probe::backfill_requests(&c) - before;
    assert!(probe::remote_content(&c, &b_deeper).is_some());
    eprintln!(
        "backfill figures: thread of 3 posts (2 fetched, 2 levels) completed with \
         {thread_requests} requests; the page answered in {} ms",
        answered.as_millis()
    );

    // A reply forwarded by A (B replies to A; A passes it to its followers) is refetched from B;
    // a forged forwarded body is never what is stored.
    let forwarded = object_id(
        &b,
        &b.post("B's words, as B wrote them", &["--reply-to", &a_posts[48]]),
    );
    forge_forward(&a, &c, &b, &forwarded);
    eventually("C holds the forwarded reply, fetched from B", || {
        probe::remote_content(&c, &forwarded).is_some()
    });
    let kept = probe::remote_content(&c, &forwarded).unwrap();
    assert!(kept.contains("as B wrote them"), "{kept}");
    assert_eq!(probe::remote_posts_containing(&c, "FORGED"), 0);

    // B's profile, looked at by C, is filled from B's outbox; A's shows its pinned post on top.
    let search = format!("/search?q={}", percent_encode_path(&handle(&b)));
    home.get(&search);
    eventually("B's profile shows B's own post", || {
        home.get(&search).body.contains("B muses alone")
    });
    let search_a = format!("/search?q={}", percent_encode_path(&handle(&a)));
    home.get(&search_a);
    eventually("A's profile shows its pinned post", || {
        let body = home.get(&search_a).body;
        body.contains("Pinned") && body.contains("A post n003")
    });
    // Kept for the profile only: an account C does not follow stays off C's home.
    assert!(!home.get("/").body.contains("B muses alone"));

    // The switch: off, nothing more is fetched.
    let csrf = home.csrf("/settings/backfill");
    let off = home.post_form(
        "/settings/backfill",
        &[("csrf", &csrf), ("enabled", "false")],
    );
    assert_eq!(off.status, 303, "{}", off.body);
    assert!(home
        .get("/settings/backfill")
        .body
        .contains("Backfill is <strong>off</strong>"));
}

/// Sends C a Create by B carrying a forged copy of B's reply, signed by A (as a forward is).
fn forge_forward(a: &Instance, c: &Instance, b: &Instance, object: &str) {
    let conn = perch::store::open(a.database(), false).unwrap();
    let key = perch::domain::instance::signing_key(&conn).unwrap();
    let key_id = a.url("/users/ana#main-key");
    let actor = b.url("/users/ana");
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{object}/activity"),
        "type": "Create",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"id": object, "type": "Note", "attributedTo": actor,
                   "content": "<p>FORGED words</p>",
                   "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    })
    .to_string();
    let client = perch::federation::client::Client::new(
        perch::federation::client::ClientConfig::new(true, "perch-tests"),
    );
    let signer = perch::federation::signatures::Signer {
        key: &key,
        key_id: &key_id,
    };
    let answer = client
        .post_activity(&c.url("/inbox"), body.as_bytes(), &signer)
        .expect("C answers");
    assert_eq!(
        answer.status, 202,
        "a forward from an account C follows is taken"
    );
}

/// A server that answers slowly and counts every request by path: one post with 150 replies.
struct SlowServer {
    origin: String,
    hits: Arc<Mutex<Vec<String>>>,
}

impl SlowServer {
    fn start(public_key_pem: String) -> SlowServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (seen, base) = (hits.clone(), origin.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (seen, base, pem) = (seen.clone(), base.clone(), public_key_pem.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) == 0
                            || header.trim().is_empty()
                        {
                            break;
                        }
                    }
                    seen.lock().unwrap().push(path.clone());
                    std::thread::sleep(Duration::from_millis(100));
                    let body = slow_document(&base, &path, &pem).to_string();
                    let mut stream = stream;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        SlowServer { origin, hits }
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

fn slow_document(base: &str, path: &str, pem: &str) -> serde_json::Value {
    let actor = format!("{base}/users/slow");
    let public = "https://www.w3.org/ns/activitystreams#Public";
    if path == "/users/slow" {
        return json!({"id": actor, "type": "Person", "preferredUsername": "slow",
            "inbox": format!("{actor}/inbox"), "outbox": format!("{actor}/outbox"),
            "publicKey": {"id": format!("{actor}#main-key"), "owner": actor, "publicKeyPem": pem}});
    }
    if path == "/p/0" {
        let replies: Vec<String> = (0..150).map(|i| format!("{base}/r/{i}")).collect();
        return json!({"id": format!("{base}/p/0"), "type": "Note", "attributedTo": actor,
            "content": "<p>the slow root</p>", "to": [public],
            "replies": {"id": format!("{base}/p/0/replies"), "type": "Collection",
                "first": {"type": "CollectionPage", "items": replies}}});
    }
    json!({"id": format!("{base}{path}"), "type": "Note", "attributedTo": actor,
        "inReplyTo": format!("{base}/p/0"), "content": format!("<p>slow reply {path}</p>"),
        "to": [public]})
}

#[test]
fn the_budget_holds_against_a_slow_server_the_page_stays_quick_and_a_restart_resumes() {
    let mut c = Instance::start();
    c.set_password(PASSWORD);
    let pem = get(&c.url("/users/ana"), AS_JSON).json()["publicKey"]["publicKeyPem"]
        .as_str()
        .unwrap()
        .to_string();
    let server = SlowServer::start(pem);
    let root = format!("{}/p/0", server.origin);
    let mut owner = c.logged_in(PASSWORD);
    // The owner finds the post (one fetch, by the owner's search), then opens its thread.
    let found = owner.get(&format!("/search?q={}", percent_encode_path(&root)));
    assert!(found.body.contains("the slow root"), "{}", found.status);
    let thread = format!("/thread?uri={}", percent_encode_path(&root));
    assert!(owner.get(&thread).body.contains("Fetching"));

    let replies = |server: &SlowServer| {
        server
            .hits()
            .iter()
            .filter(|p| p.starts_with("/r/"))
            .count()
    };
    eventually_within(
        Duration::from_secs(90),
        "the worker fetches replies",
        || replies(&server) >= 20,
    );
    // While the worker waits on the slow server, the owner's page answers at once.
    let asked = Instant::now();
    let page = owner.get(&thread);
    let page_time = asked.elapsed();
    assert_eq!(page.status, 200);
    assert!(page_time < Duration::from_secs(2), "{page_time:?}");

    // A restart in the middle: the queue is where it was, and what C holds is not fetched again.
    c.kill();
    let before_restart = replies(&server);
    c.serve();
    eventually_within(
        Duration::from_secs(120),
        "the budget is spent and the rest waits",
        || probe::backfill_due(&c) == 0 && probe::backfill_queued(&c) > 0,
    );
    let hits = server.hits();
    let reply_hits = replies(&server);
    let mut counts: HashMap<&String, usize> = HashMap::new();
    for path in &hits {
        *counts.entry(path).or_default() += 1;
    }
    let repeated: Vec<_> = counts
        .iter()
        .filter(|(p, n)| p.starts_with("/r/") && **n > 1)
        .collect();
    // The GET in hand when the process was killed is the only one that may be done again.
    assert!(repeated.len() <= 1, "refetched: {repeated:?}");
    assert!(
        reply_hits <= 60 + repeated.len(),
        "at most 60 a minute to one host: {reply_hits}"
    );
    assert!(reply_hits >= 50, "the budget was used: {reply_hits}");
    assert!(
        probe::remote_posts_containing(&c, "slow reply") as usize
            >= before_restart.min(reply_hits) - 1
    );
    eprintln!(
        "backfill figures: slow server got {reply_hits} reply fetches in its first minute \
         ({before_restart} before the restart, {} repeated), the thread page answered in {} ms \
         meanwhile",
        repeated.len(),
        page_time.as_millis()
    );
}
