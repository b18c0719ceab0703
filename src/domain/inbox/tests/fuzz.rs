//! Property test of the inbox's reading and dispatch: arbitrary JSON trees shaped like
//! activities (ids of known and unknown hosts, arrays where one value belongs, wrong types)
//! go through `activity::parse`, `parse_note`, `parse_actor` and the dispatcher against one
//! database. Nothing panics, nothing reachable waits on the network, every list stays capped.

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value};

use super::*;
use crate::domain::testkit::fuzz_for;
use crate::federation::vocab::parse_actor;
use crate::federation::vocab::parse_note;
use crate::federation::vocab::{MAX_ADDRESSEES, MAX_RAW_BYTES};

const STRINGS: &[&str] = &[
    ALICE,
    BOB,
    ME,
    "https://a.example/f/1",
    "https://a.example/notes/1",
    "https://a.example/users/alice/followers",
    "https://b.example/notes/2",
    "http://perch.test/users/me/statuses/1",
    "http://perch.test/users/me/followers",
    "https://www.w3.org/ns/activitystreams#Public",
    "as:Public",
    "Follow",
    "Accept",
    "Reject",
    "Undo",
    "Create",
    "Update",
    "Delete",
    "Like",
    "Announce",
    "Block",
    "Flag",
    "Move",
    "Note",
    "Article",
    "Question",
    "Person",
    "Tombstone",
    "PropertyValue",
    "Mention",
    "<p>hi <script>x</script></p>",
    "2024-01-01T00:00:00Z",
    "",
    "javascript:alert(1)",
    "http://user:pw@a.example/x",
];

const KEYS: &[&str] = &[
    "id",
    "type",
    "actor",
    "object",
    "target",
    "to",
    "cc",
    "attributedTo",
    "content",
    "summary",
    "name",
    "inReplyTo",
    "tag",
    "href",
    "attachment",
    "url",
    "published",
    "inbox",
    "publicKey",
    "movedTo",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(STRINGS).prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        1 => any::<String>().prop_map(Value::from),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![4 => prop::sample::select(KEYS).prop_map(String::from), 1 => "[a-z]{1,5}"],
                    inner
                ),
                0..6
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Mostly a believable envelope (so the handlers are reached) around arbitrary parts.
fn activity_like() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(&STRINGS[11..23]),
        prop_oneof![
            Just("https://a.example/act/1"),
            Just("https://a.example/act/2"),
            Just("urn:x")
        ],
        prop_oneof![4 => Just(Value::from(ALICE)), 1 => tree()],
        tree(),
        tree(),
    )
        .prop_map(|(kind, id, actor, object, extra)| {
            let mut document = match extra {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            document.insert("type".into(), kind.into());
            document.insert("id".into(), id.into());
            document.insert("actor".into(), actor);
            document.insert("object".into(), object);
            Value::Object(document)
        })
}

#[test]
fn arbitrary_activities_are_read_and_dispatched_without_panic() {
    let mut w = world();
    let world = std::cell::RefCell::new(&mut w);
    let (mut dispatched, mut applied) = (0, 0);
    let counts = std::cell::RefCell::new((&mut dispatched, &mut applied));
    let strategy = prop_oneof![3 => activity_like(), 1 => tree()];
    fuzz_for("activity JSON", 300, |round, config| {
        // The first round has a fixed seed: the counts below are about the generator reaching
        // the handlers, and must not depend on the luck of one run. Longer runs go on at random.
        let mut runner = if round == 0 {
            TestRunner::new_with_rng(
                config,
                proptest::test_runner::TestRng::deterministic_rng(
                    proptest::test_runner::RngAlgorithm::XorShift,
                ),
            )
        } else {
            TestRunner::new(config)
        };
        runner
            .run(&strategy, |document| {
                for object in [&document, document.get("object").unwrap_or(&Value::Null)] {
                    if let Ok(note) = parse_note(object) {
                        prop_assert!(
                            note.to.len() <= MAX_ADDRESSEES && note.cc.len() <= MAX_ADDRESSEES
                        );
                        prop_assert!(note.raw.len() <= MAX_RAW_BYTES);
                    }
                    if let Ok(actor) = parse_actor(object, None) {
                        prop_assert!(actor.raw.len() <= MAX_RAW_BYTES);
                    }
                }
                let Ok(activity) = activity::parse(document) else {
                    return Ok(());
                };
                let mut w = world.borrow_mut();
                let w = &mut **w;
                let cx = Context::new(&w.urls, &w.remote, w.now, None);
                let outcome = handle(&mut w.conn, &cx, &activity);
                prop_assert!(
                    !matches!(outcome, Err(Failure::Transient(_))),
                    "{:?}",
                    outcome
                );
                let mut counts = counts.borrow_mut();
                *counts.0 += 1;
                if outcome == Ok(Outcome::Applied) {
                    *counts.1 += 1;
                }
                Ok(())
            })
            .unwrap();
    });
    // The generator reaches the handlers. Whether a random document also changes something is
    // luck (the handlers' own tests cover what applies), so it is reported, not asserted.
    assert!(dispatched > 50, "only {dispatched} dispatched");
    eprintln!("fuzz: {dispatched} dispatched, {applied} applied");
    let broken: i64 = w
        .conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
}
