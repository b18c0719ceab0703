//! Polls both ways: ours as a Question, votes counted once, the throttled Update of the totals,
//! the end; others' Questions stored, refreshed by Update, and the owner's vote sent.

use serde_json::{json, Value};

use super::*;
use crate::domain::polls::{self, NewPoll, PollWorker, UPDATE_GAP_MS};
use crate::store::remote_posts;

const MINUTE: i64 = 60 * 1000;

fn new_poll(multiple: bool) -> NewPoll {
    NewPoll {
        options: vec!["tea".into(), "coffee".into(), "water".into()],
        expires_in: 10 * 60,
        multiple,
        hide_totals: false,
    }
}

impl World {
    /// Publishes a poll of ours; returns (post id, Question id).
    fn our_poll(&mut self, multiple: bool) -> (i64, String) {
        let compose = Compose {
            source: "what to drink?".into(),
            summary: None,
            visibility: Visibility::Public,
            in_reply_to: None,
        };
        let poll = new_poll(multiple);
        let extra = posts::Extra {
            poll: Some(&poll),
            ..posts::Extra::default()
        };
        let post =
            posts::publish_extra(&mut self.conn, &self.urls, None, &compose, &extra, self.now)
                .unwrap();
        (post.id, self.urls.post(post.id))
    }

    fn tally(&self, post_id: i64) -> (Vec<u64>, Option<u64>) {
        let poll = polls::get(&self.conn, post_id).unwrap();
        (
            poll.options.iter().map(|o| o.votes).collect(),
            poll.voters_count,
        )
    }

    fn worker(&self) -> PollWorker {
        PollWorker::new(
            crate::store::open(&self._dir.path().join("test.db"), false).unwrap(),
            self.urls.clone(),
        )
    }
}

fn vote(actor: &str, id: &str, question: &str, option: &str) -> Value {
    let note = json!({"id": format!("{id}/note"), "type": "Note", "attributedTo": actor,
                      "name": option, "inReplyTo": question, "to": ME});
    activity_doc("Create", actor, id, note)
}

#[test]
fn our_poll_federates_as_a_question() {
    let mut w = world();
    let (id, question) = w.our_poll(true);
    let post = crate::store::posts::get(&w.conn, id).unwrap().unwrap();
    let create = crate::federation::build::create_document(&w.urls, &post).to_value();
    let object = &create["object"];
    assert_eq!(object["type"], "Question");
    assert_eq!(object["id"], question.as_str());
    let options = object["anyOf"]
        .as_array()
        .expect("multiple choice is anyOf");
    assert_eq!(options.len(), 3);
    assert_eq!(options[0]["type"], "Note");
    assert_eq!(options[0]["name"], "tea");
    assert_eq!(options[0]["replies"]["totalItems"], 0);
    assert_eq!(object["votersCount"], 0);
    assert_eq!(
        object["endTime"]
            .as_str()
            .and_then(Timestamp::parse_rfc3339),
        Some(Timestamp(w.now.0 + 10 * MINUTE))
    );
    assert!(object.get("closed").is_none());
}

#[test]
fn poll_limits_are_mastodon_s() {
    let bad = |change: &dyn Fn(&mut NewPoll)| {
        let mut poll = new_poll(false);
        change(&mut poll);
        polls::check(&poll).unwrap_err().status
    };
    assert_eq!(bad(&|p| p.options.truncate(1)), 422);
    assert_eq!(bad(&|p| p.options.extend(["a".into(), "b".into()])), 422);
    assert_eq!(bad(&|p| p.options[1] = "tea".into()), 422);
    assert_eq!(bad(&|p| p.options[1] = "x".repeat(51)), 422);
    assert_eq!(bad(&|p| p.options[1] = "  ".into()), 422);
    assert_eq!(bad(&|p| p.expires_in = 299), 422);
    assert_eq!(bad(&|p| p.expires_in = 7 * 86_400 + 1), 422);
    assert!(polls::check(&new_poll(false)).is_ok());
}

#[test]
fn remote_votes_count_once_and_not_after_the_end() {
    let mut w = world();
    let (id, question) = w.our_poll(false);
    w.applied(vote(ALICE, "https://a.example/v/1", &question, "coffee"));
    assert_eq!(w.tally(id), (vec![0, 1, 0], Some(1)));
    // A vote is not a reply: no notification, no remote post.
    assert!(w.notifications().is_empty());
    assert!(
        remote_posts::get_by_uri(&w.conn, "https://a.example/v/1/note")
            .unwrap()
            .is_none()
    );
    // A second vote in a single-choice poll, the same one again, an unknown option.
    w.ignored(vote(ALICE, "https://a.example/v/2", &question, "tea"));
    w.ignored(vote(ALICE, "https://a.example/v/3", &question, "coffee"));
    w.ignored(vote(BOB, "https://b.example/v/0", &question, "juice"));
    // Someone else's vote in the name of another is refused.
    let mut forged = vote(ALICE, "https://a.example/v/4", &question, "tea");
    forged["object"]["attributedTo"] = json!(BOB);
    w.refused(forged);
    w.applied(vote(BOB, "https://b.example/v/1", &question, "tea"));
    assert_eq!(w.tally(id), (vec![1, 1, 0], Some(2)));
    // After endTime nothing counts.
    w.now = Timestamp(w.now.0 + 11 * MINUTE);
    let carol = "https://b.example/users/carol";
    w.remote.add(actor_doc("https://b.example", "carol"));
    w.ignored(vote(carol, "https://b.example/v/2", &question, "water"));
    assert_eq!(w.tally(id), (vec![1, 1, 0], Some(2)));
}

#[test]
fn a_multiple_choice_poll_takes_several_options_once_each_even_in_one_create() {
    let mut w = world();
    let (id, question) = w.our_poll(true);
    // GoToSocial sends every choice in one Create.
    let notes = json!([
        {"id": "https://a.example/v/1#1", "type": "Note", "attributedTo": ALICE, "name": "tea", "inReplyTo": question},
        {"id": "https://a.example/v/1#2", "type": "Note", "attributedTo": ALICE, "name": "water", "inReplyTo": question}
    ]);
    w.applied(activity_doc(
        "Create",
        ALICE,
        "https://a.example/v/1",
        notes,
    ));
    w.ignored(vote(ALICE, "https://a.example/v/2", &question, "tea"));
    w.applied(vote(ALICE, "https://a.example/v/3", &question, "coffee"));
    assert_eq!(w.tally(id), (vec![1, 1, 1], Some(1)));
}

#[test]
fn totals_go_out_throttled_and_the_end_notifies_once() {
    let mut w = world();
    let (id, question) = w.our_poll(false);
    let mut worker = w.worker();
    let sent = |w: &World| {
        w.deliveries()
            .into_iter()
            .filter(|(_, a)| a["type"] == "Update")
            .map(|(_, a)| a)
            .collect::<Vec<_>>()
    };
    assert_eq!(worker.run_once(w.now).unwrap(), polls::Step::default());
    w.applied(vote(ALICE, "https://a.example/v/1", &question, "tea"));
    w.applied(vote(BOB, "https://b.example/v/1", &question, "coffee"));
    // Followers get the Update; here nobody follows, so count what the worker did.
    let step = worker.run_once(w.now).unwrap();
    assert_eq!(step.updates, 1, "two votes, one Update");
    assert_eq!(worker.run_once(w.now).unwrap().updates, 0, "nothing new");
    let carol = "https://b.example/users/carol";
    w.remote.add(actor_doc("https://b.example", "carol"));
    w.applied(vote(carol, "https://b.example/v/2", &question, "tea"));
    assert_eq!(
        worker.run_once(Timestamp(w.now.0 + 1000)).unwrap().updates,
        0,
        "within the gap the totals wait"
    );
    let later = Timestamp(w.now.0 + UPDATE_GAP_MS);
    assert_eq!(worker.run_once(later).unwrap().updates, 1);
    assert!(sent(&w).is_empty(), "no followers, no deliveries");
    // The end: the owner is told once, the Question says closed.
    let end = Timestamp(w.now.0 + 10 * MINUTE);
    assert_eq!(worker.run_once(end).unwrap().ended, 1);
    assert_eq!(worker.run_once(end).unwrap().ended, 0);
    assert_eq!(
        w.notifications(),
        [("poll".to_string(), Some(question.clone()))]
    );
    let poll = polls::get(&w.conn, id).unwrap();
    assert!(poll.closed && poll.expired(end));
    assert_eq!(worker.next_due().unwrap(), None);
}

#[test]
fn the_owner_votes_in_a_remote_poll_and_its_update_refreshes_the_totals() {
    let mut w = world();
    w.we_follow(ALICE, FollowState::Accepted);
    let question = "https://a.example/q/1";
    let object = |counts: [u64; 2], voters: u64| {
        json!({"id": question, "type": "Question", "attributedTo": ALICE,
        "content": "<p>which?</p>", "published": "2023-11-14T22:00:00Z",
        "endTime": "2023-11-15T22:00:00Z", "votersCount": voters,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "oneOf": [
            {"type": "Note", "name": "left", "replies": {"type": "Collection", "totalItems": counts[0]}},
            {"type": "Note", "name": "right", "replies": {"type": "Collection", "totalItems": counts[1]}}
        ]})
    };
    w.applied(activity_doc(
        "Create",
        ALICE,
        "https://a.example/q/1/activity",
        object([2, 0], 2),
    ));
    let post = remote_posts::get_by_uri(&w.conn, question)
        .unwrap()
        .unwrap();
    let poll = post.poll.clone().expect("a Question is a poll");
    assert_eq!(poll.options[0].title, "left");
    assert!(!poll.multiple && poll.own_votes.is_empty());

    assert_eq!(
        polls::vote(&mut w.conn, &w.urls, post.id, &[0, 1], w.now)
            .unwrap_err()
            .status,
        422,
        "one choice in a single-choice poll"
    );
    let voted = polls::vote(&mut w.conn, &w.urls, post.id, &[1], w.now).unwrap();
    assert_eq!(voted.own_votes, vec![1]);
    assert_eq!(
        polls::vote(&mut w.conn, &w.urls, post.id, &[0], w.now)
            .unwrap_err()
            .status,
        422,
        "a second vote"
    );
    let (inbox, create) = w.deliveries().pop().unwrap();
    assert_eq!(inbox, format!("{ALICE}/inbox"), "to the author alone");
    assert_eq!(create["type"], "Create");
    assert_eq!(create["to"], json!([ALICE]));
    assert_eq!(create["object"]["name"], "right");
    assert_eq!(create["object"]["inReplyTo"], question);
    assert!(create["object"].get("content").is_none());

    w.applied(activity_doc(
        "Update",
        ALICE,
        "https://a.example/q/1#updates/1",
        object([2, 1], 3),
    ));
    let poll = polls::get(&w.conn, post.id).unwrap();
    assert_eq!(
        poll.options.iter().map(|o| o.votes).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(
        (poll.voters_count, poll.own_votes.clone()),
        (Some(3), vec![1])
    );

    // Its end notifies the owner, naming the author.
    let mut worker = w.worker();
    let end = Timestamp::parse_rfc3339("2023-11-15T22:00:00Z").unwrap();
    assert_eq!(worker.run_once(end).unwrap().ended, 1);
    assert_eq!(
        w.notifications(),
        [("poll".to_string(), Some(question.to_string()))]
    );
    assert_eq!(
        polls::vote(&mut w.conn, &w.urls, post.id, &[0], end)
            .unwrap_err()
            .status,
        422
    );
}

#[test]
fn the_question_fixtures_parse_as_polls() {
    let Some(dir) = testkit::fixtures() else {
        eprintln!("skipped: no fixtures directory");
        return;
    };
    for (file, options, multiple) in [
        ("mastodon/create-question-poll.json", 4, false),
        ("misskey/question-poll-no-end-date.json", 2, false),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let document: Value = serde_json::from_str(&text).unwrap();
        let object = document.get("object").unwrap_or(&document);
        let poll = crate::store::polls::question_of(object, 1, Vec::new())
            .unwrap_or_else(|| panic!("{file}: no poll"));
        assert_eq!(poll.options.len(), options, "{file}");
        assert_eq!(poll.multiple, multiple, "{file}");
        assert!(poll.options.iter().all(|o| !o.title.is_empty()), "{file}");
        let markup = crate::render::polls::poll(
            &poll,
            &crate::render::Viewer {
                csrf: Some("t".into()),
                unread: 0,
            },
            "/",
            Timestamp(0),
        )
        .into_string();
        assert!(markup.contains(&poll.options[0].title), "{file}");
        assert!(
            markup.contains(">Vote<"),
            "{file}: a running poll shows its form"
        );
    }
}
