use serde_json::{json, Value};

use super::*;
use crate::domain::testkit::{self, actor_doc, FakeRemote};
use crate::store::testing;

const NOTE: &str = "https://a.example/users/alice/statuses/1";
const NOW: Timestamp = Timestamp(1_700_000_000_000);

fn note(id: &str, author: &str) -> Value {
    json!({"id": id, "type": "Note", "attributedTo": author, "content": "<p>hi</p>",
           "published": "2023-11-14T00:00:00Z",
           "to": ["https://www.w3.org/ns/activitystreams#Public"]})
}

#[test]
fn a_post_is_fetched_with_its_author_and_stored_once() {
    let (_dir, conn) = testing::temporary();
    let remote = FakeRemote::with([
        actor_doc("https://a.example", "alice"),
        note(NOTE, "https://a.example/users/alice"),
    ]);
    let urls = testkit::urls();
    let post = import(&conn, &remote, &urls, NOTE, NOW).unwrap();
    assert_eq!(post.uri, NOTE);
    assert_eq!(post.actor.uri, "https://a.example/users/alice");
    // Held now: the stored copy is answered without fetching again.
    let fetched = remote.fetched.borrow().len();
    assert_eq!(
        import(&conn, &remote, &urls, NOTE, NOW).unwrap().id,
        post.id
    );
    assert_eq!(remote.fetched.borrow().len(), fetched);
}

#[test]
fn a_url_of_ours_is_never_fetched() {
    let (_dir, conn) = testing::temporary();
    let remote = FakeRemote::default();
    let ours = "http://perch.test/users/me/statuses/1";
    let refused = import(&conn, &remote, &testkit::urls(), ours, NOW);
    assert!(matches!(refused, Err(Refused::Ours)), "{refused:?}");
    assert!(remote.fetched.borrow().is_empty());
}

#[test]
fn an_author_on_another_host_or_ours_is_refused() {
    let (_dir, conn) = testing::temporary();
    let urls = testkit::urls();
    for author in ["https://b.example/users/bob", "http://perch.test/users/me"] {
        let remote = FakeRemote::with([actor_doc("https://b.example", "bob"), note(NOTE, author)]);
        let refused = fetch(&conn, &remote, &urls, NOTE, NOW);
        assert!(
            matches!(refused, Err(Refused::ForeignAuthor)),
            "{author}: {refused:?}"
        );
    }
    let remote = FakeRemote::with([json!({"id": NOTE, "type": "Person"})]);
    let refused = fetch(&conn, &remote, &urls, NOTE, NOW);
    assert!(matches!(refused, Err(Refused::NotAPost)), "{refused:?}");
    let refused = fetch(&conn, &FakeRemote::default(), &urls, NOTE, NOW);
    assert!(matches!(refused, Err(Refused::Unreachable)), "{refused:?}");
}
