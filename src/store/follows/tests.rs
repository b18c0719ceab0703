use super::*;
use crate::store::actors::tests::sample;
use crate::store::testing;

#[test]
fn a_newer_follow_replaces_the_older_and_only_its_own_undo_ends_it() {
    let (_dir, conn) = testing::temporary();
    let alice = actors::upsert(&conn, &sample("alice", "a.example"), Timestamp(1)).unwrap();
    upsert(
        &conn,
        alice,
        Direction::In,
        FollowState::Pending,
        "https://a/f1",
        Timestamp(1),
    )
    .unwrap();
    upsert(
        &conn,
        alice,
        Direction::In,
        FollowState::Accepted,
        "https://a/f2",
        Timestamp(2),
    )
    .unwrap();
    let follow = get(&conn, alice, Direction::In).unwrap().unwrap();
    assert_eq!(
        (follow.state, follow.activity_uri.as_str()),
        (FollowState::Accepted, "https://a/f2")
    );
    assert!(get(&conn, alice, Direction::Out).unwrap().is_none());
    assert!(!delete_matching(&conn, alice, Direction::In, "https://a/f1").unwrap());
    assert_eq!(
        count(&conn, Direction::In, FollowState::Accepted).unwrap(),
        1
    );
    assert!(delete_matching(&conn, alice, Direction::In, "https://a/f2").unwrap());
    assert_eq!(
        count(&conn, Direction::In, FollowState::Accepted).unwrap(),
        0
    );
}

#[test]
fn follower_inboxes_collapse_and_leave_out_blocked() {
    let (_dir, conn) = testing::temporary();
    let mut ids = Vec::new();
    for (name, host, shared) in [
        ("a1", "a.example", true),
        ("a2", "a.example", true),
        ("b", "b.example", false),
        ("c", "c.example", true),
        ("d", "evil.example", true),
        ("e", "e.example", true),
        ("p", "p.example", true),
    ] {
        let mut actor = sample(name, host);
        if !shared {
            actor.shared_inbox = None;
        }
        let id = actors::upsert(&conn, &actor, Timestamp(1)).unwrap();
        let state = if name == "p" {
            FollowState::Pending
        } else {
            FollowState::Accepted
        };
        upsert(
            &conn,
            id,
            Direction::In,
            state,
            &format!("https://{host}/f/{name}"),
            Timestamp(1),
        )
        .unwrap();
        ids.push(id);
    }
    conn.execute(
        "INSERT INTO domain_blocks (domain, created_at) VALUES ('evil.example', 0)",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO actor_blocks (actor_id, kind, created_at) VALUES (?1, 'block', 0)",
        [ids[3]],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO actor_blocks (actor_id, kind, created_at) VALUES (?1, 'blocked_by', 0)",
        [ids[5]],
    )
    .unwrap();
    assert_eq!(
        follower_inboxes(&conn).unwrap(),
        ["https://a.example/inbox", "https://b.example/users/b/inbox"]
    );
    let pending = list(&conn, Direction::In, FollowState::Pending, None, 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].1.username, "p");
}
