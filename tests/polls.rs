//! Polls between two real Perch instances (issue 15 item 3): A posts a poll from its web page,
//! B (a follower) sees it and votes from its page, A counts the vote once, a second vote and a
//! vote after the end are ignored, A's Update brings B the totals, the end notifies both owners.
//! The poll workers are stepped here with a later clock, so nothing waits for five minutes.
//! Then the API side with Mastodon.py, when PERCH_PYTHON is set.

use serde_json::{json, Value};

use crate::harness::{eventually, follow_and_wait, local_tool, run_python, Api, Instance};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

/// The first status on the API home timeline that carries a poll.
fn poll_status(api: &Api) -> Option<Value> {
    let home = api.get("/api/v1/timelines/home?limit=40").json();
    home.as_array()?
        .iter()
        .find(|s| !s["poll"].is_null())
        .cloned()
}

fn votes(poll: &Value) -> Vec<u64> {
    poll["options"]
        .as_array()
        .map(|o| {
            o.iter()
                .map(|o| o["votes_count"].as_u64().unwrap_or(0))
                .collect()
        })
        .unwrap_or_default()
}

/// Sends A a vote signed as B's owner, as B's server would (B's web page refuses a second one).
fn signed_vote(from: &Instance, to: &Instance, question: &str, option: &str, n: u32) -> u16 {
    let conn = perch::store::open(from.database(), false).unwrap();
    let key = perch::domain::instance::signing_key(&conn).unwrap();
    let actor = from.url("/users/ana");
    let id = format!("{actor}#votes/forced-{n}");
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{id}/activity"), "type": "Create", "actor": actor,
        "to": [to.url("/users/ana")],
        "object": {"id": id, "type": "Note", "name": option, "attributedTo": actor,
                   "inReplyTo": question, "to": to.url("/users/ana")}
    })
    .to_string();
    let client = perch::federation::client::Client::new(
        perch::federation::client::ClientConfig::new(true, "perch-tests"),
    );
    let key_id = from.url("/users/ana#main-key");
    let signer = perch::federation::signatures::Signer {
        key: &key,
        key_id: &key_id,
    };
    client
        .post_activity(&to.url("/inbox"), body.as_bytes(), &signer)
        .expect("the inbox answers")
        .status
}

/// Steps an instance's poll worker as if `ahead_ms` had passed.
fn step_polls(instance: &Instance, ahead_ms: i64) -> perch::domain::polls::Step {
    let config = perch::config::Config::load(&instance.config_path()).unwrap();
    let conn = perch::store::open(instance.database(), false).unwrap();
    let mut worker = perch::domain::polls::PollWorker::new(conn, perch::urls::Urls::new(&config));
    let now = perch::model::Timestamp(perch::model::Timestamp::now().0 + ahead_ms);
    worker.run_once(now).unwrap()
}

/// Steps an instance's delivery worker as if `ahead_ms` had passed.
fn step_deliveries(instance: &Instance, ahead_ms: i64) {
    let config = perch::config::Config::load(&instance.config_path()).unwrap();
    let conn = perch::store::open(instance.database(), false).unwrap();
    let key = perch::domain::instance::signing_key(&conn).unwrap();
    let client = perch::federation::client::Client::new(
        perch::federation::client::ClientConfig::new(true, "perch-tests"),
    );
    let mut worker = perch::delivery::Worker::new(
        conn,
        std::sync::Arc::new(client),
        std::sync::Arc::new(key),
        perch::urls::Urls::new(&config).key_id(),
    );
    let now = perch::model::Timestamp(perch::model::Timestamp::now().0 + ahead_ms);
    worker.run_once(now).unwrap();
}

fn notified_of_poll(api: &Api) -> bool {
    let list = api.get("/api/v1/notifications").json();
    list.as_array().is_some_and(|l| {
        l.iter()
            .any(|n| n["type"] == "poll" && !n["status"]["poll"].is_null())
    })
}

#[test]
fn a_poll_is_voted_in_counted_once_updated_and_ended_between_two_perches() {
    let (a, b) = (instance(), instance());
    follow_and_wait(&b, &a);
    let mut a_page = a.logged_in(PASSWORD);
    let csrf = a_page.csrf("/");
    let posted = a_page.post_form(
        "/posts",
        &[
            ("csrf", &csrf),
            ("source", "tea or coffee?"),
            ("visibility", "public"),
            ("poll_options", "tea"),
            ("poll_options", "coffee"),
            ("poll_options", ""),
            ("poll_expires_in", "300"),
        ],
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    let a_api = Api::login(&a, PASSWORD, "read write");
    let ours = poll_status(&a_api).expect("A's post has its poll");
    let (a_id, question) = (
        ours["poll"]["id"].as_str().unwrap().to_string(),
        ours["uri"].as_str().unwrap().to_string(),
    );
    assert_eq!(ours["poll"]["voted"], true, "the author counts as voted");
    let document = crate::harness::get(&question, crate::harness::AS_JSON).json();
    assert_eq!(document["type"], "Question");
    assert_eq!(document["oneOf"][1]["name"], "coffee");

    // B holds it as a poll and votes from its page.
    let b_api = Api::login(&b, PASSWORD, "read write");
    eventually("B holds A's poll", || poll_status(&b_api).is_some());
    let theirs = poll_status(&b_api).unwrap();
    let b_id = theirs["poll"]["id"].as_str().unwrap().to_string();
    assert_eq!(theirs["poll"]["voted"], false);
    let mut b_page = b.logged_in(PASSWORD);
    assert!(
        b_page.get("/").body.contains(">Vote<"),
        "B's page offers the vote"
    );
    let csrf = b_page.csrf("/");
    let voted = b_page.post_form(
        "/actions/vote",
        &[
            ("csrf", &csrf),
            ("poll", &b_id),
            ("choice", "1"),
            ("back", "/"),
        ],
    );
    assert_eq!(voted.status, 303, "{}", voted.body);
    let again = b_page.post_form(
        "/actions/vote",
        &[
            ("csrf", &csrf),
            ("poll", &b_id),
            ("choice", "0"),
            ("back", "/"),
        ],
    );
    assert_eq!(again.status, 422, "B's page refuses a second vote");
    let a_poll = || a_api.get(&format!("/api/v1/polls/{a_id}")).json();
    eventually("A counts B's vote", || votes(&a_poll()) == [0, 1]);
    assert_eq!(a_poll()["voters_count"], 1);

    // A second vote by B, sent anyway, is not counted.
    assert_eq!(signed_vote(&b, &a, &question, "tea", 1), 202);
    eventually("A handled it", || probe::inbound_pending(&a) == 0);
    assert_eq!(votes(&a_poll()), [0, 1]);

    // A's Update brings B the totals (A's own worker sends it, the first without waiting).
    let b_poll = || b_api.get(&format!("/api/v1/polls/{b_id}")).json();
    eventually("B sees the totals", || votes(&b_poll()) == [0, 1]);
    assert_eq!(b_poll()["own_votes"], json!([1]));
    assert!(b_page.get("/").body.contains("(your choice)"));

    // The end, five minutes on: both owners are told; a vote after it does not count.
    let six_minutes = 6 * 60 * 1000;
    assert_eq!(step_polls(&a, six_minutes).ended, 1);
    assert!(notified_of_poll(&a_api), "A is told its poll ended");
    assert_eq!(signed_vote(&b, &a, &question, "tea", 2), 202);
    eventually("A handled it", || probe::inbound_pending(&a) == 0);
    assert_eq!(votes(&a_poll()), [0, 1]);
    assert_eq!(a_poll()["expired"], true);
    // The closing Update was queued on the stepped clock: A's delivery worker sends it on it.
    step_deliveries(&a, six_minutes);
    eventually("B hears the poll closed", || b_poll()["expired"] == true);
    assert_eq!(step_polls(&b, six_minutes).ended, 1);
    assert!(
        notified_of_poll(&b_api),
        "B is told a poll it voted in ended"
    );
    assert!(b_page
        .get("/notifications")
        .body
        .contains("a poll has ended"));
}

#[test]
fn mastodon_py_posts_votes_and_reads_polls() {
    let Some(python) = local_tool(
        "PERCH_PYTHON",
        "venv/bin/python",
        "the Mastodon.py poll test",
    ) else {
        return;
    };
    let (a, b) = (instance(), instance());
    follow_and_wait(&b, &a);
    run_python(
        &python,
        "mastodon_polls.py",
        &[&a.url(""), PASSWORD, &b.url(""), PASSWORD],
    );
}
