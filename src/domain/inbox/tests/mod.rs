//! The inbox's rules, driven by hand: activities go through `handle` (or the queue and
//! `process_due`) against a temporary database and a remote web held in memory.

mod follows;
mod fuzz;
mod interactions;
mod moves;
mod notes;
mod polls;
mod quotes;
mod reactions;
mod verify;

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::domain::actors::fetch_actor;
use crate::domain::posts::{self, Compose};
use crate::domain::testkit::{self, actor_doc, FakeRemote};
use crate::model::{FollowState, Timestamp, Visibility};
use crate::store::follows::{self as follow_rows, Direction};
use crate::store::{self, inbound, profile, testing};
use crate::urls::Urls;

use super::{activity, handle, process_due, Context, Failure, Outcome};

pub const ALICE: &str = "https://a.example/users/alice";
pub const BOB: &str = "https://b.example/users/bob";
pub const ME: &str = "http://perch.test/users/me";

/// A temporary instance with two remote actors that can be fetched.
pub struct World {
    _dir: tempfile::TempDir,
    pub conn: Connection,
    pub urls: Urls,
    pub remote: FakeRemote,
    pub now: Timestamp,
}

pub fn world() -> World {
    let (dir, conn) = testing::temporary();
    profile::create_if_missing(&conn, "Me", Timestamp(1)).unwrap();
    World {
        _dir: dir,
        conn,
        urls: testkit::urls(),
        remote: FakeRemote::with([
            actor_doc("https://a.example", "alice"),
            actor_doc("https://b.example", "bob"),
        ]),
        now: Timestamp(1_700_000_000_000),
    }
}

/// An activity document.
pub fn activity_doc(kind: &str, actor: &str, id: &str, object: Value) -> Value {
    json!({"@context": "https://www.w3.org/ns/activitystreams",
           "id": id, "type": kind, "actor": actor, "object": object})
}

impl World {
    /// Handles an activity directly (no queue).
    pub fn send(&mut self, document: Value) -> Result<Outcome, Failure> {
        let activity = activity::parse(document).expect("a well-formed test activity");
        let cx = Context::new(&self.urls, &self.remote, self.now, None);
        handle(&mut self.conn, &cx, &activity)
    }

    pub fn applied(&mut self, document: Value) {
        let id = document["id"].clone();
        assert_eq!(self.send(document), Ok(Outcome::Applied), "{id}");
    }

    pub fn ignored(&mut self, document: Value) {
        let id = document["id"].clone();
        let outcome = self.send(document);
        assert!(
            matches!(outcome, Ok(Outcome::Ignored(_))),
            "{id}: {outcome:?}"
        );
    }

    pub fn refused(&mut self, document: Value) {
        let id = document["id"].clone();
        let outcome = self.send(document);
        assert!(
            matches!(&outcome, Err(Failure::Permanent(why)) if why.starts_with("refused")),
            "{id}: {outcome:?}"
        );
    }

    pub fn actor_id(&self, uri: &str) -> i64 {
        store::actors::get_by_uri(&self.conn, uri)
            .unwrap()
            .expect("a stored actor")
            .id
    }

    pub fn follow_state(&self, uri: &str, direction: Direction) -> Option<FollowState> {
        let id = store::actors::get_by_uri(&self.conn, uri).unwrap()?.id;
        follow_rows::get(&self.conn, id, direction)
            .unwrap()
            .map(|f| f.state)
    }

    /// Queued deliveries: (inbox, activity).
    pub fn deliveries(&self) -> Vec<(String, Value)> {
        crate::domain::testkit::queued(&self.conn)
    }

    /// Notifications, oldest first: (kind, object).
    pub fn notifications(&self) -> Vec<(String, Option<String>)> {
        let all = store::notifications::list(&self.conn, None, 100).unwrap();
        all.into_iter()
            .rev()
            .map(|n| (n.kind.as_str().to_string(), n.object_uri))
            .collect()
    }

    /// Publishes one of our posts; returns its object id.
    pub fn our_post(&mut self, visibility: Visibility) -> String {
        let compose = Compose {
            source: "hello fediverse".into(),
            summary: None,
            visibility,
            in_reply_to: None,
        };
        let post = posts::publish(&mut self.conn, &self.urls, &compose, self.now).unwrap();
        self.urls.post(post.id)
    }

    /// Records that we sent a Follow to `uri` (as the outbound side will); returns its id.
    pub fn we_follow(&mut self, uri: &str, state: FollowState) -> String {
        let actor = fetch_actor(&self.conn, &self.remote, uri, self.now).unwrap();
        let follow_id = self.urls.activity(store::new_id(self.now));
        follow_rows::upsert(
            &self.conn,
            actor.id,
            Direction::Out,
            state,
            &follow_id,
            self.now,
        )
        .unwrap();
        follow_id
    }
}

#[test]
fn unknown_and_odd_activities_are_ignored_deterministically() {
    let mut w = world();
    w.ignored(activity_doc(
        "EmojiReact",
        ALICE,
        "https://a.example/r/1",
        json!(ME),
    ));
    let mut odd = activity_doc("Like", ALICE, "https://a.example/l/1", json!([ME, ME]));
    odd["type"] = json!(["Like", "Other"]);
    w.ignored(odd);
    w.ignored(activity_doc(
        "Undo",
        ALICE,
        "https://a.example/u/1",
        json!(null),
    ));
    w.ignored(activity_doc(
        "Follow",
        ALICE,
        "https://a.example/f/1",
        json!({"no": "id"}),
    ));
    assert!(w.notifications().is_empty());
}

#[test]
fn the_worker_processes_once_and_retries_only_the_network() {
    let mut w = world();
    let follow = activity_doc("Follow", ALICE, "https://a.example/f/1", json!(ME));
    let body = follow.to_string();
    assert!(inbound::insert(&w.conn, "https://a.example/f/1", ALICE, &body, w.now).unwrap());
    // A replay of the same id is not queued again.
    assert!(!inbound::insert(&w.conn, "https://a.example/f/1", ALICE, &body, w.now).unwrap());
    assert_eq!(
        process_due(&mut w.conn, &w.remote, &w.urls, w.now).unwrap(),
        1
    );
    assert_eq!(
        w.follow_state(ALICE, Direction::In),
        Some(FollowState::Accepted)
    );
    assert_eq!(w.deliveries().len(), 1);
    assert_eq!(
        process_due(&mut w.conn, &w.remote, &w.urls, w.now).unwrap(),
        0
    );
    assert_eq!(
        inbound::status(&w.conn, "https://a.example/f/1").unwrap(),
        Some((true, None))
    );

    // Bob's server is down: the Follow waits and is tried again, a few times, then given up.
    w.remote.down.push(BOB.into());
    let body = activity_doc("Follow", BOB, "https://b.example/f/1", json!(ME)).to_string();
    inbound::insert(&w.conn, "https://b.example/f/1", BOB, &body, w.now).unwrap();
    let mut now = w.now;
    for _ in 0..4 {
        assert_eq!(
            process_due(&mut w.conn, &w.remote, &w.urls, now).unwrap(),
            1
        );
        assert_eq!(
            process_due(&mut w.conn, &w.remote, &w.urls, now).unwrap(),
            0,
            "not due yet"
        );
        now = Timestamp(now.0 + 3 * 3_600_000);
    }
    assert_eq!(
        process_due(&mut w.conn, &w.remote, &w.urls, now).unwrap(),
        1
    );
    let (done, note) = inbound::status(&w.conn, "https://b.example/f/1")
        .unwrap()
        .unwrap();
    assert!(done && note.unwrap().starts_with("gave up after 5 tries"));

    // A row whose stored actor differs from its body's is refused, not applied.
    let body = activity_doc("Follow", BOB, "https://a.example/f/2", json!(ME)).to_string();
    inbound::insert(&w.conn, "https://a.example/f/2", ALICE, &body, now).unwrap();
    process_due(&mut w.conn, &w.remote, &w.urls, now).unwrap();
    let (done, note) = inbound::status(&w.conn, "https://a.example/f/2")
        .unwrap()
        .unwrap();
    assert!(done && note.is_some());
    assert_eq!(w.follow_state(BOB, Direction::In), None);
}

/// Every captured payload goes through parsing and the dispatcher without a panic. Nothing
/// reachable here fetches: the remote web is empty, so handlers that need it fail cleanly.
#[test]
fn every_fixture_goes_through_the_dispatcher() {
    let files = testkit::fixture_files();
    if files.is_empty() {
        return;
    }
    let mut w = world();
    w.remote = FakeRemote::default();
    let (mut activities, mut actors_read, mut notes_read) = (0, 0, 0);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let Ok(document) = serde_json::from_str::<Value>(&text) else {
            panic!("{}: not JSON", path.display());
        };
        if crate::federation::vocab::parse_actor(&document, None).is_ok() {
            actors_read += 1;
        }
        for object in [&document, document.get("object").unwrap_or(&Value::Null)] {
            if crate::federation::vocab::parse_note(object).is_ok() {
                notes_read += 1;
            }
        }
        if let Ok(activity) = activity::parse(document.clone()) {
            activities += 1;
            let cx = Context::new(&w.urls, &w.remote, w.now, None);
            let outcome = handle(&mut w.conn, &cx, &activity);
            assert!(
                !matches!(outcome, Err(Failure::Transient(_))),
                "{}: {outcome:?}",
                path.display()
            );
        }
    }
    println!(
        "{} fixtures: {activities} activities, {actors_read} actors, {notes_read} notes",
        files.len()
    );
    assert!(activities >= 40 && actors_read >= 20 && notes_read >= 15);
}
