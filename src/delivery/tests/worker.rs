//! The worker against real loopback inboxes ([`Sink`]), stepped by hand with `run_once`: what
//! each answer does to the queue.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rusqlite::Connection;

use super::super::{enqueue, RunReport, Worker, BACKOFF};
use super::sink::Sink;
use crate::federation::client::{Client, ClientConfig};
use crate::federation::keys::{self, SigningKey, VerifyingKey};
use crate::federation::signatures::{self, IncomingRequest};
use crate::model::{FollowState, Timestamp};
use crate::store;
use crate::store::follows::Direction;

pub(super) const KEY_ID: &str = "http://me.test/users/me#main-key";
pub(super) const OWN: &str = "http://me.test";
const MINUTE: i64 = 60_000;

/// One key pair (PKCS#8 DER, SPKI PEM) for all tests: generating one takes a while.
pub(super) fn key_pair() -> &'static (Vec<u8>, String) {
    static KEYS: std::sync::OnceLock<(Vec<u8>, String)> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| keys::generate().expect("key generation"))
}

pub(super) fn worker(dir: &tempfile::TempDir) -> Worker {
    worker_with(dir, ClientConfig::new(true, "test"))
}

/// A worker on its own connection to the test database, as `perch serve` makes one.
pub(super) fn worker_with(dir: &tempfile::TempDir, config: ClientConfig) -> Worker {
    Worker::new(
        store::open(&dir.path().join("test.db"), false).unwrap(),
        Arc::new(Client::new(config)),
        Arc::new(SigningKey::from_pkcs8(&key_pair().0).unwrap()),
        KEY_ID.to_string(),
    )
}

/// The wait after the `attempts`-th failed try, in ms.
pub(super) fn backoff(attempts: u32) -> i64 {
    BACKOFF.after(attempts).unwrap().as_millis() as i64
}

pub(super) fn activity(n: u32) -> serde_json::Value {
    serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{OWN}/users/me/statuses/{n}/activity"),
        "type": "Create",
        "actor": format!("{OWN}/users/me"),
    })
}

pub(super) fn queue(conn: &Connection, n: u32, inboxes: &[String], now: Timestamp) -> usize {
    enqueue(conn, &activity(n), inboxes, OWN, now).unwrap()
}

pub(super) fn plus(now: Timestamp, ms: i64) -> Timestamp {
    Timestamp(now.0 + ms)
}

/// (attempts, next_attempt_at) of the only delivery left.
pub(super) fn only_row(conn: &Connection) -> (u32, Timestamp) {
    let id: i64 = conn
        .query_row("SELECT id FROM deliveries", [], |r| r.get(0))
        .unwrap();
    store::deliveries::get(conn, id).unwrap().unwrap()
}

#[test]
fn delivers_a_signed_activity_and_forgets_it() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(202);
    let now = Timestamp::now();
    assert_eq!(queue(&conn, 1, &[sink.inbox("/inbox")], now), 1);
    let mut worker = worker(&dir);
    assert_eq!(worker.next_due().unwrap(), Some(now));
    let report = worker.run_once(now).unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(report.attempted(), 1);
    assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
    assert_eq!(store::deliveries::activity_count(&conn).unwrap(), 0);
    assert_eq!(worker.next_due().unwrap(), None);
    assert_eq!(worker.run_once(now).unwrap(), RunReport::default());

    let seen = sink.seen.lock().unwrap();
    let request = &seen[0];
    assert_eq!(request.path, "/inbox");
    // As queued: with the owner's proof, and the context that defines it.
    let mut sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert!(sent["proof"]["proofValue"].is_string());
    sent.as_object_mut().unwrap().remove("proof");
    let mut expected = activity(1);
    expected["@context"] =
        crate::federation::proofs::with_data_integrity(Some(&expected["@context"]));
    assert_eq!(sent, expected);
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    assert!(header("digest").unwrap().starts_with("SHA-256="));
    assert!(header("signature")
        .unwrap()
        .contains(r#"headers="(request-target) host date digest content-type""#));
    let incoming = IncomingRequest {
        method: "POST",
        path_and_query: &request.path,
        headers: &request.headers,
        body: Some(&request.body),
    };
    let pending = signatures::check(&incoming, SystemTime::now()).unwrap();
    assert_eq!(pending.key_id, KEY_ID);
    let public = VerifyingKey::from_pem(&key_pair().1).unwrap();
    pending.verify(&public).unwrap();
}

#[test]
fn a_500_is_retried_with_growing_backoff_until_it_succeeds() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(500);
    let now = Timestamp::now();
    queue(&conn, 1, &[sink.inbox("/inbox")], now);
    let mut worker = worker(&dir);

    assert_eq!(worker.run_once(now).unwrap().retried, 1);
    let first = plus(now, backoff(1));
    assert_eq!(only_row(&conn), (1, first));
    assert_eq!(worker.next_due().unwrap(), Some(first));
    assert_eq!(worker.run_once(plus(first, -1)).unwrap().attempted(), 0);

    assert_eq!(worker.run_once(first).unwrap().retried, 1);
    let second = plus(first, backoff(2));
    assert_eq!(only_row(&conn), (2, second));
    assert!(second.0 - first.0 > first.0 - now.0);
    let (status, error): (Option<u16>, Option<String>) = conn
        .query_row("SELECT last_status, last_error FROM deliveries", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((status, error.as_deref()), (Some(500), Some("HTTP 500")));

    sink.status(202);
    assert_eq!(worker.run_once(second).unwrap().delivered, 1);
    assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
    assert_eq!(sink.requests(), 3);
    // The success cleared the host's failures.
    assert_eq!(store::deliveries::host(&conn, &sink.host()).unwrap(), None);
}

#[test]
fn a_429_with_retry_after_waits_that_long_for_the_whole_host() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(0);
    sink.answer(|_| (429, "Retry-After: 120\r\n".into()));
    let now = Timestamp::now();
    queue(&conn, 1, &[sink.inbox("/users/a/inbox")], now);
    let mut worker = worker(&dir);
    assert_eq!(worker.run_once(now).unwrap().retried, 1);
    let after = plus(now, 120_000);
    assert_eq!(only_row(&conn), (1, after));
    // Another inbox on that host, queued meanwhile, waits too.
    queue(&conn, 2, &[sink.inbox("/users/b/inbox")], plus(now, 1_000));
    assert_eq!(worker.run_once(plus(after, -1)).unwrap().attempted(), 0);
    assert_eq!(worker.next_due().unwrap(), Some(after));
    assert_eq!(sink.requests(), 1);

    sink.status(202);
    assert_eq!(worker.run_once(after).unwrap().delivered, 2);
    assert_eq!(sink.requests(), 3);
}

#[test]
fn a_410_drops_every_delivery_to_that_inbox_and_reports_it() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(0);
    sink.answer(|seen| match seen.path.as_str() {
        "/gone" => (410, String::new()),
        _ => (202, String::new()),
    });
    let now = Timestamp::now();
    let (gone, fine) = (sink.inbox("/gone"), sink.inbox("/fine"));
    queue(&conn, 1, &[gone.clone(), fine.clone()], now);
    queue(&conn, 2, std::slice::from_ref(&gone), now);
    queue(
        &conn,
        3,
        std::slice::from_ref(&gone),
        plus(now, 60 * MINUTE),
    ); // not yet due
    let report = worker(&dir).run_once(now).unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(report.dropped, 3);
    assert_eq!(report.gone_inboxes, [gone]);
    assert_eq!(sink.requests(), 2, "one 410 is enough");
    assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
    assert_eq!(store::deliveries::activity_count(&conn).unwrap(), 0);
}

/// A follower of ours whose inbox (and shared inbox, if any) is given.
fn follower(conn: &Connection, name: &str, inbox: &str, shared: Option<&str>) -> i64 {
    let uri = format!("http://far.test/users/{name}");
    let actor = crate::model::NewActor {
        uri: uri.clone(),
        kind: "Person".into(),
        username: name.into(),
        domain: "far.test".into(),
        display_name: String::new(),
        summary_html: String::new(),
        fields: Vec::new(),
        url: uri.clone(),
        avatar_url: None,
        header_url: None,
        inbox: inbox.into(),
        shared_inbox: shared.map(str::to_string),
        followers_uri: None,
        manually_approves_followers: false,
        moved_to: None,
        key: None,
        ed25519_keys: Vec::new(),
        raw: "{}".into(),
    };
    let id = store::actors::upsert(conn, &actor, Timestamp(1)).unwrap();
    let follow = format!("{uri}/follow");
    store::follows::upsert(
        conn,
        id,
        Direction::In,
        FollowState::Accepted,
        &follow,
        Timestamp(1),
    )
    .unwrap();
    id
}

#[test]
fn a_410_removes_the_followers_behind_that_inbox_and_no_others() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(0);
    sink.answer(|seen| match seen.path.as_str() {
        "/gone" | "/shared-gone" => (410, String::new()),
        _ => (202, String::new()),
    });
    let (gone, shared_gone) = (sink.inbox("/gone"), sink.inbox("/shared-gone"));
    let own = follower(&conn, "own", &gone, None);
    let behind_shared = follower(
        &conn,
        "shared",
        &sink.inbox("/u/shared"),
        Some(&shared_gone),
    );
    let fine = follower(&conn, "fine", &sink.inbox("/fine"), None);
    let now = Timestamp::now();
    queue(
        &conn,
        1,
        &store::follows::follower_inboxes(&conn).unwrap(),
        now,
    );

    let report = worker(&dir).run_once(now).unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(report.followers_removed, 2);
    let mut reported = report.gone_inboxes.clone();
    reported.sort();
    assert_eq!(reported, [gone, shared_gone]);
    let follows = |id| store::follows::get(&conn, id, Direction::In).unwrap();
    assert!(follows(own).is_none());
    assert!(follows(behind_shared).is_none());
    assert!(
        follows(fine).is_some(),
        "an inbox that answered 202 keeps its follower"
    );
    assert_eq!(
        store::follows::follower_inboxes(&conn).unwrap(),
        [sink.inbox("/fine")]
    );
}

#[test]
fn a_404_is_dropped() {
    let (dir, conn) = store::testing::temporary();
    let sink = Sink::new(404);
    let now = Timestamp::now();
    queue(&conn, 1, &[sink.inbox("/inbox")], now);
    let report = worker(&dir).run_once(now).unwrap();
    assert_eq!((report.dropped, report.retried), (1, 0));
    assert!(report.gone_inboxes.is_empty());
    assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
    assert_eq!(store::deliveries::activity_count(&conn).unwrap(), 0);
}

#[test]
fn a_refused_connection_is_retried() {
    let (dir, conn) = store::testing::temporary();
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let now = Timestamp::now();
    queue(&conn, 1, &[format!("http://{closed}/inbox")], now);
    let report = worker(&dir).run_once(now).unwrap();
    assert_eq!(report.retried, 1);
    assert_eq!(only_row(&conn), (1, plus(now, backoff(1))));
    let error: String = conn
        .query_row("SELECT last_error FROM deliveries", [], |r| r.get(0))
        .unwrap();
    assert!(error.starts_with("network error"), "{error}");
    let record = store::deliveries::host(&conn, &closed.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(record.failures, 1);
}

#[test]
fn a_401_is_retried_without_blaming_the_host_and_a_silent_server_is_cut_off() {
    let (dir, conn) = store::testing::temporary();
    let refusing = Sink::new(401);
    // Connections complete in the backlog, the request is sent, no answer ever comes.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_host = silent.local_addr().unwrap().to_string();
    let mut config = ClientConfig::new(true, "test");
    config.read_timeout = Duration::from_millis(300);
    config.total_timeout = Duration::from_millis(800);
    let mut worker = worker_with(&dir, config);
    let now = Timestamp::now();
    let silent_inbox = format!("http://{silent_host}/inbox");
    queue(
        &conn,
        1,
        &[refusing.inbox("/inbox"), silent_inbox.clone()],
        now,
    );
    let started = Instant::now();
    let report = worker.run_once(now).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (report.retried, report.delivered, report.dropped),
        (2, 0, 0)
    );
    let retry_at = plus(now, backoff(1));
    let row = |inbox: &str| -> (Option<u16>, String, i64) {
        conn.query_row(
            "SELECT last_status, last_error, next_attempt_at FROM deliveries WHERE inbox = ?1",
            [inbox],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let (status, _, at) = row(&refusing.inbox("/inbox"));
    assert_eq!((status, at), (Some(401), retry_at.0));
    let (status, error, at) = row(&silent_inbox);
    assert_eq!((status, at), (None, retry_at.0));
    assert!(error.contains("too long"), "{error}");
    // A 401 is about this delivery's signature, not the host's health.
    assert_eq!(
        store::deliveries::host(&conn, &refusing.host()).unwrap(),
        None
    );
    let silent_record = store::deliveries::host(&conn, &silent_host)
        .unwrap()
        .unwrap();
    assert_eq!(silent_record.failures, 1);

    refusing.status(202);
    let report = worker.run_once(retry_at).unwrap();
    assert_eq!((report.delivered, report.retried), (1, 1));
    drop(silent);
}
