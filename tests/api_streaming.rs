//! The streaming API with real clients (Python `websockets`, and server-sent events read by
//! Python's urllib) against a live `perch serve`, with a second real Perch as the remote side:
//! a remote post, a notification, an edit from the web page and a delete each arrive as
//! Mastodon's events.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{eventually, follow_and_wait, get, local_tool, Api, Instance};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

fn python() -> Option<String> {
    local_tool("PERCH_PYTHON", "venv/bin/python", "streaming API tests")
}

/// A streaming client process; its events arrive on `events`; killed when dropped.
struct Client {
    child: Child,
    events: Receiver<Value>,
}

impl Client {
    fn start(python: &str, args: &[&str]) -> Client {
        let mut child = Command::new(python)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/peers/stream_client.py"
            ))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the streaming client");
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        assert_eq!(
            first.trim(),
            "ready",
            "the streaming client did not connect"
        );
        let (sender, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(json!({"raw": line}));
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        Client { child, events }
    }

    /// The first event named `event` whose payload passes `check`, skipping others; panics
    /// after 20 s. Returns it with the time it took.
    fn expect(&self, event: &str, check: impl Fn(&str) -> bool) -> (Value, Duration) {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let got = self
                .events
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {event} event arrived"));
            if got["event"] == event && got["payload"].as_str().is_some_and(&check) {
                return (got, started.elapsed());
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

fn ws_url(instance: &Instance, query: &str) -> String {
    instance
        .url(&format!("/api/v1/streaming?{query}"))
        .replacen("http://", "ws://", 1)
}

fn payload(event: &Value) -> Value {
    serde_json::from_str(event["payload"].as_str().unwrap()).unwrap()
}

#[test]
fn websocket_and_sse_clients_see_a_remote_post_a_notification_an_edit_and_a_delete() {
    let Some(python) = python() else { return };
    let a = instance();
    let b = instance();
    follow_and_wait(&a, &b);
    follow_and_wait(&b, &a);
    assert_eq!(get(&a.url("/api/v1/streaming/health"), "*/*").body, "OK");
    let api = Api::login(&a, PASSWORD, "read write");
    let subscribe = json!({"type": "subscribe", "stream": "public:local"}).to_string();
    let ws = Client::start(
        &python,
        &["ws", &ws_url(&a, "stream=user"), &api.token, &subscribe],
    );
    let (protocol, _) = ws.expect("subprotocol", |_| true);
    assert_eq!(
        protocol["payload"],
        api.token.as_str(),
        "the subprotocol is echoed"
    );
    let sse = Client::start(
        &python,
        &["sse", &a.url("/api/v1/streaming/user"), &api.token],
    );

    // A post from the second Perch reaches A's home: `update` on both.
    let hello = b.post("hello from the other side", &[]);
    let (update, took) = ws.expect("update", |p| p.contains("hello from the other side"));
    println!("remote post to the WebSocket client: {took:?} after it was sent");
    assert_eq!(update["stream"], json!(["user"]));
    let status = payload(&update);
    assert!(status["account"]["acct"].as_str().unwrap().contains('@'));
    sse.expect("update", |p| p.contains("hello from the other side"));

    // B boosts it: an `update` whose status is the boost, the post inside as `reblog`.
    let hello_uri = b.url(&format!(
        "/users/ana/statuses/{}",
        hello.rsplit('/').next().unwrap()
    ));
    let mut on_b = b.logged_in(PASSWORD);
    let csrf = on_b.csrf("/");
    let boosted = on_b.post_form(
        "/actions/boost",
        &[("csrf", &csrf), ("uri", &hello_uri), ("back", "/")],
    );
    assert_eq!(boosted.status, 303, "{}", boosted.body);
    let (boost, took) = ws.expect("update", |p| p.contains("\"reblog\":{"));
    println!("remote boost to the WebSocket client: {took:?}");
    let boost = payload(&boost);
    assert_eq!(boost["reblog"]["uri"], hello_uri.as_str(), "{boost}");
    assert_ne!(boost["id"], boost["reblog"]["id"]);
    sse.expect("update", |p| p.contains("\"reblog\":{"));

    // The owner posts through the API: `update` on user and public:local.
    let posted = api.post_json("/api/v1/statuses", &json!({"status": "streamed by A"}));
    assert_eq!(posted.status, 200, "{}", posted.body);
    let id = posted.json()["id"].as_str().unwrap().to_string();
    let mut streams = Vec::new();
    for _ in 0..2 {
        let (got, _) = ws.expect("update", |p| p.contains("streamed by A"));
        streams.push(got["stream"][0].as_str().unwrap().to_string());
    }
    streams.sort();
    assert_eq!(streams, ["public:local", "user"]);

    // B likes it: a `favourite` notification.
    let uri = a.url(&format!("/users/ana/statuses/{id}"));
    eventually("B keeps A's post", || probe::remote_posts(&b) == 1);
    let mut browser = b.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let liked = browser.post_form(
        "/actions/like",
        &[("csrf", &csrf), ("uri", &uri), ("back", "/")],
    );
    assert_eq!(liked.status, 303, "{}", liked.body);
    let (notification, took) = ws.expect("notification", |_| true);
    println!("remote like to the WebSocket client: {took:?}");
    let notification = payload(&notification);
    assert_eq!(notification["type"], "favourite");
    assert_eq!(notification["status"]["id"], id.as_str());
    let (notification, _) = sse.expect("notification", |_| true);
    assert_eq!(payload(&notification)["type"], "favourite");

    // An edit from A's web page: `status.update`.
    let mut page = a.logged_in(PASSWORD);
    let csrf = page.csrf(&format!("/posts/{id}/edit"));
    let edited = page.post_form(
        &format!("/posts/{id}/edit"),
        &[
            ("csrf", &csrf),
            ("source", "streamed by A, edited"),
            ("summary", ""),
        ],
    );
    assert!(edited.status < 400, "{}: {}", edited.status, edited.body);
    let (edit, took) = ws.expect("status.update", |p| p.contains("edited"));
    println!("web page edit to the WebSocket client: {took:?}");
    assert_eq!(payload(&edit)["id"], id.as_str());
    sse.expect("status.update", |p| p.contains("edited"));

    // A delete through the API: `delete` with the id as the payload.
    assert_eq!(api.delete(&format!("/api/v1/statuses/{id}")).status, 200);
    ws.expect("delete", |p| p == id);
    sse.expect("delete", |p| p == id);
}

#[test]
fn streaming_refuses_missing_tokens_scopes_and_unknown_streams() {
    let a = instance();
    let none = get(&a.url("/api/v1/streaming/user"), "*/*");
    assert_eq!(none.status, 401, "{}", none.body);
    let write_only = Api::login(&a, PASSWORD, "write");
    assert_eq!(write_only.get("/api/v1/streaming/user").status, 403);
    let reader = Api::login(&a, PASSWORD, "read");
    assert_eq!(reader.get("/api/v1/streaming/list?list=999").status, 404);
    assert_eq!(reader.get("/api/v1/streaming/hashtag").status, 400);
}
