use serde_json::{json, Value};

use super::*;
use crate::domain::posts::{self, Compose};
use crate::domain::testkit::{self, actor_doc, FakeRemote};
use crate::model::Visibility;
use crate::store::{actors as stored_actors, profile as stored_profile, testing};

const ME: &str = "http://perch.test/users/me";
const OLD: &str = "https://old.example/users/ana";
const NEW: &str = "https://new.example/users/ana";

struct Setup {
    _dir: tempfile::TempDir,
    conn: Connection,
    urls: Urls,
    remote: FakeRemote,
    now: Timestamp,
}

fn setup() -> Setup {
    let (dir, conn) = testing::temporary();
    stored_profile::create_if_missing(&conn, "Me", Timestamp(1)).unwrap();
    let mut remote = FakeRemote::with([
        actor_doc("https://old.example", "ana"),
        actor_doc("https://new.example", "ana"),
    ]);
    remote
        .webfinger
        .insert("ana@old.example".into(), OLD.into());
    remote
        .webfinger
        .insert("ana@new.example".into(), NEW.into());
    // One follower, so that what goes out can be seen.
    let fan = crate::federation::vocab::parse_actor(&actor_doc("https://f.example", "fan"), None)
        .unwrap();
    let id = stored_actors::upsert(&conn, &fan, Timestamp(1)).unwrap();
    follows::upsert(
        &conn,
        id,
        Direction::In,
        FollowState::Accepted,
        "https://f.example/follow/1",
        Timestamp(1),
    )
    .unwrap();
    Setup {
        _dir: dir,
        conn,
        urls: testkit::urls(),
        remote,
        now: Timestamp(1_700_000_000_000),
    }
}

impl Setup {
    /// The activities queued so far, oldest first, with their inboxes.
    fn sent(&self) -> Vec<(String, Value)> {
        testkit::queued(&self.conn)
    }

    fn names_us(&mut self, origin: &str, name: &str) {
        let mut document = actor_doc(origin, name);
        document["alsoKnownAs"] = json!([ME]);
        self.remote.add(document);
    }

    fn post(&mut self) -> Result<crate::model::Post> {
        let compose = Compose {
            source: "still here?".into(),
            summary: None,
            visibility: Visibility::Public,
            in_reply_to: None,
        };
        posts::publish(&mut self.conn, &self.urls, &compose, self.now)
    }
}

#[test]
fn aliases_are_resolved_kept_and_announced() {
    let mut s = setup();
    let alias = add_alias(
        &mut s.conn,
        &s.remote,
        &s.urls,
        "me",
        "@ana@old.example",
        s.now,
    )
    .unwrap();
    assert_eq!(alias.uri, OLD);
    assert_eq!(alias.handle, "@ana@old.example");
    let (profile, followers) = page(&s.conn, "me").unwrap();
    assert_eq!(profile.also_known_as, vec![alias.clone()]);
    assert_eq!(followers, 1);
    let sent = s.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "https://f.example/inbox");
    assert_eq!(sent[0].1["type"], "Update");
    assert_eq!(sent[0].1["object"]["alsoKnownAs"], json!([OLD]));

    // Named twice: nothing changes, nothing goes out. An actor URL works as well as a handle.
    add_alias(&mut s.conn, &s.remote, &s.urls, "me", OLD, s.now).unwrap();
    assert_eq!(s.sent().len(), 1);

    // Ourselves is refused before anything is fetched.
    s.remote.fetched.borrow_mut().clear();
    for own in ["@me@perch.test", "me@PERCH.test", ME] {
        let e = add_alias(&mut s.conn, &s.remote, &s.urls, "me", own, s.now).unwrap_err();
        assert_eq!(e.status, 422, "{own}");
    }
    assert!(s.remote.fetched.borrow().is_empty());
    // An account that cannot be found is one clear line.
    let e = add_alias(
        &mut s.conn,
        &s.remote,
        &s.urls,
        "me",
        "@nobody@old.example",
        s.now,
    )
    .unwrap_err();
    assert_eq!(e.status, 422);

    // Each Update's id carries the time it was made.
    s.now = Timestamp(s.now.0 + 1);
    let e = remove_alias(&mut s.conn, &s.urls, "me", "@ana@elsewhere.example", s.now).unwrap_err();
    assert_eq!(e.status, 404);
    remove_alias(&mut s.conn, &s.urls, "me", "ana@OLD.example", s.now).unwrap();
    assert!(page(&s.conn, "me").unwrap().0.also_known_as.is_empty());
    let sent = s.sent();
    assert_eq!(sent.len(), 2);
    assert!(sent[1].1["object"].get("alsoKnownAs").is_none());
}

#[test]
fn at_most_a_few_aliases() {
    let mut s = setup();
    for i in 0..MAX_ALIASES {
        s.remote
            .add(actor_doc("https://old.example", &format!("a{i}")));
        let uri = format!("https://old.example/users/a{i}");
        add_alias(&mut s.conn, &s.remote, &s.urls, "me", &uri, s.now).unwrap();
    }
    let e = add_alias(&mut s.conn, &s.remote, &s.urls, "me", OLD, s.now).unwrap_err();
    assert_eq!(e.status, 422);
    assert_eq!(moving::aliases(&s.conn).unwrap().len(), MAX_ALIASES);
}

#[test]
fn moving_out_needs_the_target_to_name_us_then_tells_every_follower() {
    let mut s = setup();
    let e = move_out(
        &mut s.conn,
        &s.remote,
        &s.urls,
        "me",
        "@ana@new.example",
        s.now,
    )
    .unwrap_err();
    assert_eq!(e.status, 422);
    assert!(e.message.contains("@me@perch.test"), "{}", e.message);
    assert!(s.sent().is_empty() && moving::moved_to(&s.conn).unwrap().is_none());
    let before = s.post().expect("posting works before a move");

    s.names_us("https://new.example", "ana");
    let moved = move_out(
        &mut s.conn,
        &s.remote,
        &s.urls,
        "me",
        "@ana@new.example",
        s.now,
    )
    .unwrap();
    assert_eq!(moved.uri, NEW);
    let mut sent = s.sent();
    sent.retain(|(_, a)| a["type"] != "Create");
    let kinds: Vec<_> = sent.iter().map(|(_, a)| a["type"].clone()).collect();
    assert_eq!(kinds, vec![json!("Update"), json!("Move")]);
    assert_eq!(sent[0].1["object"]["movedTo"], json!(NEW));
    let the_move = &sent[1].1;
    assert_eq!(the_move["actor"], json!(ME));
    assert_eq!(the_move["object"], json!(ME));
    assert_eq!(the_move["target"], json!(NEW));
    assert!(sent
        .iter()
        .all(|(inbox, _)| inbox == "https://f.example/inbox"));

    // Posting is refused from now on, with a reason; reading still works.
    let e = s.post().unwrap_err();
    assert_eq!(e.status, 409);
    assert!(e.message.contains("@ana@new.example"), "{}", e.message);
    assert!(posts::get_visible(&s.conn, before.id, false).is_ok());
    assert_eq!(profile::get(&s.conn, "me").unwrap().moved_to, Some(moved));

    // A second move, to another account, is a new Move.
    s.remote.webfinger.insert(
        "ana2@new.example".into(),
        "https://new.example/users/ana2".into(),
    );
    s.names_us("https://new.example", "ana2");
    s.now = Timestamp(s.now.0 + 1);
    move_out(
        &mut s.conn,
        &s.remote,
        &s.urls,
        "me",
        "@ana2@new.example",
        s.now,
    )
    .unwrap();
    let moves: Vec<_> = s
        .sent()
        .into_iter()
        .filter(|(_, a)| a["type"] == "Move")
        .collect();
    assert_eq!(moves.len(), 2);
    assert_ne!(moves[0].1["id"], moves[1].1["id"]);
    assert_eq!(
        moves[1].1["target"],
        json!("https://new.example/users/ana2")
    );

    // Taking the move back lets the owner post again.
    s.now = Timestamp(s.now.0 + 1);
    assert!(cancel_move(&mut s.conn, &s.urls, "me", s.now).unwrap());
    assert!(!cancel_move(&mut s.conn, &s.urls, "me", s.now).unwrap());
    let last = s.sent().pop().unwrap().1;
    assert_eq!(last["type"], "Update");
    assert!(last["object"].get("movedTo").is_none());
    s.post()
        .expect("posting works after the move is taken back");
}

#[test]
fn moving_to_ourselves_is_refused_without_a_fetch() {
    let mut s = setup();
    s.remote.fetched.borrow_mut().clear();
    let e = move_out(
        &mut s.conn,
        &s.remote,
        &s.urls,
        "me",
        "@me@perch.test",
        s.now,
    )
    .unwrap_err();
    assert_eq!(e.status, 422);
    assert!(s.remote.fetched.borrow().is_empty());
}
