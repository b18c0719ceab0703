//! Remote documents far over every cap, delivered for real: what reaches the database is capped
//! (or refused), never the whole.

use serde_json::{json, Value};

use super::remote::{actor_document, eventually, Remote};
use crate::harness::Instance;
use crate::probe::{self, settled};

const INBOX: &str = "/users/ana/inbox";

fn follow(remote: &Remote, instance: &Instance, name: &str) -> u16 {
    let activity = remote.activity(
        name,
        "Follow",
        &format!("follows/{name}"),
        json!(instance.url("/users/ana")),
    );
    remote
        .post(instance, INBOX, name, activity.to_string().as_bytes())
        .status
}

#[test]
fn huge_actor_documents_are_stored_capped_or_refused() {
    let instance = Instance::start();
    let remote = Remote::start();

    // Over the 1 MB fetch limit: the key cannot be had, the request is refused.
    let mut giant = actor_document(&remote.origin, "giant");
    giant["name"] = json!("N".repeat(1024 * 1024));
    remote.set(giant);
    assert_eq!(follow(&remote, &instance, "giant"), 401);

    // Just under it: an 800 KB name and a 100 KB summary.
    let mut big = actor_document(&remote.origin, "big");
    big["name"] = json!("N".repeat(800 * 1024));
    big["summary"] = json!(format!("<p>{}</p>", "s".repeat(100 * 1024)));
    remote.set(big);
    assert_eq!(follow(&remote, &instance, "big"), 202);

    // 10,000 fields and 10,000 tags, each small.
    let mut listed = actor_document(&remote.origin, "listed");
    let tags: Vec<Value> = (0..10_000)
        .map(|i| json!({"type": "Hashtag", "name": format!("#t{i}")}))
        .collect();
    let fields: Vec<Value> = (0..10_000)
        .map(|i| json!({"type": "PropertyValue", "name": "n", "value": i.to_string()}))
        .collect();
    listed["tag"] = json!(tags);
    listed["attachment"] = json!(fields);
    remote.set(listed);
    assert_eq!(follow(&remote, &instance, "listed"), 202);

    eventually("both follows are processed", || settled(&instance));
    assert_eq!(probe::actors(&instance), 2, "the giant is not kept");
    assert_eq!(probe::longest_actor_name(&instance), 100);
    let largest = probe::largest_actor_row(&instance);
    assert!(largest < 300 * 1024, "an actor row of {largest} bytes");
    let raw = probe::actor_document(&instance, "listed");
    assert!(raw["tag"].as_array().is_none_or(|t| t.len() <= 100));
    assert!(raw["attachment"].as_array().is_none_or(|a| a.len() <= 16));
}

#[test]
fn a_huge_note_is_stored_capped() {
    let instance = Instance::start();
    let remote = Remote::start();
    let me = instance.url("/users/ana");
    let attachments: Vec<Value> = (0..10_000)
        .map(|i| json!({"type": "Document", "url": format!("https://x.example/{i}")}))
        .collect();
    let note = json!({
        "id": format!("{}/notes/1", remote.origin),
        "type": "Note",
        "attributedTo": remote.actor("alice"),
        "to": [me],
        "content": format!("<p>{}</p>", "word ".repeat(60_000)),
        "summary": "S".repeat(20_000),
        "attachment": attachments,
        "tag": [{"type": "Mention", "href": me}],
    });
    let create = remote.activity("alice", "Create", "creates/1", note);
    let body = create.to_string();
    assert!(
        body.len() > 700 * 1024 && body.len() < 1024 * 1024,
        "{}",
        body.len()
    );
    assert_eq!(
        remote
            .post(&instance, INBOX, "alice", body.as_bytes())
            .status,
        202
    );
    eventually("the note is kept", || {
        settled(&instance) && probe::remote_posts(&instance) == 1
    });
    let largest = probe::largest_remote_post_row(&instance);
    assert!(largest < 400 * 1024, "a post row of {largest} bytes");
    assert!(probe::longest_remote_summary(&instance) <= 500);
    assert!(probe::longest_remote_content(&instance) <= 256 * 1024);
    assert!(
        probe::largest_inbound_row(&instance) < 64 * 1024,
        "the processed activity is not kept whole in the inbound queue"
    );
}
