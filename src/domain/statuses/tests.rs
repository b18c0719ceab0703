//! Statuses for the API against a temporary database: the scheduled worker, idempotency keys,
//! the batched extras and the owner's actions.

use std::sync::Arc;

use super::create::{self, Created, NewStatus};
use super::scheduled::{self, ScheduledWorker};
use super::*;
use crate::federation::client::{Client, ClientConfig};
use crate::federation::keys::SigningKey;
use crate::store::testing;

const MINUTE: i64 = 60_000;

fn text(text: &str) -> NewStatus {
    NewStatus {
        text: text.into(),
        ..NewStatus::default()
    }
}

fn worker(dir: &tempfile::TempDir) -> ScheduledWorker {
    let conn = crate::store::open(&dir.path().join("test.db"), false).unwrap();
    let (der, _) = crate::domain::testkit::test_key_material();
    ScheduledWorker::new(
        conn,
        Arc::new(Client::new(ClientConfig::new(
            true,
            "perch tests".to_string(),
        ))),
        Arc::new(SigningKey::from_pkcs8(der).unwrap()),
        "http://perch.test/users/me#main-key".into(),
        crate::domain::testkit::urls(),
    )
}

#[test]
fn a_scheduled_status_is_published_by_the_worker_at_its_time_and_not_before() {
    let (dir, mut conn) = testing::temporary();
    let urls = crate::domain::testkit::urls();
    let now = Timestamp(1_000 * MINUTE);
    let too_soon = scheduled::schedule(
        &mut conn,
        &urls,
        &text("soon"),
        Timestamp(now.0 + MINUTE),
        now,
    );
    assert_eq!(too_soon.unwrap_err().status, 422);
    let at = Timestamp(now.0 + 10 * MINUTE);
    let view = scheduled::schedule(&mut conn, &urls, &text("later"), at, now).unwrap();
    assert_eq!(
        scheduled::list(
            &conn,
            &Range {
                limit: 20,
                ..Range::default()
            }
        )
        .unwrap()
        .len(),
        1
    );
    let mut worker = worker(&dir);
    assert_eq!(worker.run_once(Timestamp(at.0 - 1)).unwrap(), 0);
    assert_eq!(posts::count(&conn, posts::Audience::Owner).unwrap(), 0);
    assert_eq!(worker.run_once(at).unwrap(), 1);
    let page = posts::page(&conn, posts::Audience::Owner, None, None, 5).unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].source, "later");
    assert_eq!(
        scheduled::get(&conn, &urls, view.id).unwrap_err().status,
        404
    );
    assert_eq!(worker.run_once(Timestamp(at.0 + MINUTE)).unwrap(), 0);
}

#[test]
fn the_same_idempotency_key_posts_once_within_the_hour() {
    let (_dir, mut conn) = testing::temporary();
    let urls = crate::domain::testkit::urls();
    let now = Timestamp(5_000 * MINUTE);
    let post = |conn: &mut Connection, key: &str, at: Timestamp| match create::create(
        conn,
        &urls,
        None,
        &text("once"),
        None,
        Some(key),
        at,
    )
    .unwrap()
    {
        Created::Posted(id) => id,
        Created::Scheduled(_) => panic!("not scheduled"),
    };
    let first = post(&mut conn, "k1", now);
    assert_eq!(post(&mut conn, "k1", Timestamp(now.0 + MINUTE)), first);
    assert_eq!(posts::count(&conn, posts::Audience::Owner).unwrap(), 1);
    assert_ne!(post(&mut conn, "k2", now), first);
    // After an hour the key is forgotten.
    assert_ne!(post(&mut conn, "k1", Timestamp(now.0 + 61 * MINUTE)), first);
    // A refused request frees its key.
    let empty = create::create(&mut conn, &urls, None, &text(" "), None, Some("k3"), now);
    assert!(empty.is_err());
    assert!(post(&mut conn, "k3", now) > 0);
}

#[test]
fn extras_resolve_the_parent_count_replies_and_show_the_owners_actions() {
    let (_dir, mut conn) = testing::temporary();
    let urls = crate::domain::testkit::urls();
    let now = Timestamp(9_000 * MINUTE);
    let parent = create::publish(&mut conn, &urls, None, &text("parent"), now).unwrap();
    let reply = NewStatus {
        in_reply_to_id: Some(parent.id),
        language: Some("en".into()),
        ..text("reply")
    };
    let child = create::publish(&mut conn, &urls, None, &reply, now).unwrap();
    act(&mut conn, &urls, parent.id, Action::Favourite, now).unwrap();
    act(&mut conn, &urls, parent.id, Action::Bookmark, now).unwrap();
    let boosted = act(&mut conn, &urls, parent.id, Action::Reblog, now).unwrap();
    assert_ne!(boosted.0.id, parent.id, "a reblog answers with the boost");
    let views = get_many(&conn, &urls, &[parent.id, child.id, 12345]).unwrap();
    assert_eq!(views.len(), 2);
    let (p, c) = (&views[0].1, &views[1].1);
    assert_eq!((p.replies, p.favourites, p.reblogs), (1, 1, 1));
    assert!(p.favourited && p.bookmarked && p.reblogged);
    assert_eq!(c.in_reply_to_id, Some(parent.id));
    assert_eq!(c.in_reply_to_account_id.as_deref(), Some("0"));
    assert_eq!(c.language.as_deref(), Some("en"));
    assert!(!c.muted);
    act(&mut conn, &urls, child.id, Action::Mute, now).unwrap();
    let after = get_many(&conn, &urls, &[parent.id, child.id]).unwrap();
    assert!(
        after[0].1.muted && after[1].1.muted,
        "the whole conversation is muted"
    );
    let (above, below) = context(&conn, &urls, child.id, Timestamp(1)).unwrap();
    assert_eq!((above.len(), below.len()), (1, 0));
    let (_, below) = context(&conn, &urls, parent.id, Timestamp(1)).unwrap();
    assert_eq!(below.len(), 1);
    // The boost's own id finds the boost; deleting returns the post with its source.
    assert_eq!(get(&conn, &urls, boosted.0.id).unwrap().0.id, boosted.0.id);
    let gone = delete(&mut conn, &urls, child.id, now).unwrap();
    assert!(matches!(gone.0.shown, Shown::Own(ref p) if p.source == "reply"));
    assert_eq!(get(&conn, &urls, child.id).unwrap_err().status, 404);
}
