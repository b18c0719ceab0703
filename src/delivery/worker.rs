//! The worker: reads what is due, sends it from a few threads at once, then records every
//! outcome in one transaction. The SQLite write lock is never held during network I/O.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rusqlite::Connection;

use super::{
    classify, is_host_failure, DeliveryOutcome, RunReport, BREAKER_MAX_PAUSE, BREAKER_PAUSE,
    BREAKER_THRESHOLD, MAX_AGE, MAX_RETRY_AFTER,
};
use crate::federation::client::{Client, FetchError, PostResponse};
use crate::federation::keys::SigningKey;
use crate::federation::signatures::Signer;
use crate::model::Timestamp;
use crate::store;
use crate::store::deliveries::Pending;

/// Deliveries read per run: a fan-out to 1,000 shared inboxes takes four runs.
const BATCH: usize = 256;
/// Deliveries per host per run, sent one after another in queue order (so a Create goes before
/// its Delete in the same run), so that one host's backlog cannot fill a batch.
const PER_HOST: usize = 32;
/// Sender threads; RSA signing (~1,400/s per core) and waiting on remote servers overlap.
const SENDERS: usize = 16;

pub struct Worker {
    conn: Connection,
    client: Client,
    key: SigningKey,
    key_id: String,
}

/// One try: the delivery, the raw answer and what it means.
struct Attempt {
    delivery: Pending,
    result: Result<PostResponse, FetchError>,
    outcome: DeliveryOutcome,
}

impl Worker {
    /// Opens its own connection to `database` (which must exist): the worker runs on its own
    /// thread, and connections are not shared between threads.
    pub fn new(
        database: &Path,
        client: Client,
        key: SigningKey,
        key_id: String,
    ) -> Result<Worker, String> {
        let conn = store::open(database, false)?;
        Ok(Worker {
            conn,
            client,
            key,
            key_id,
        })
    }

    /// Sends every delivery due at `now` (up to a batch), concurrently, then records all outcomes
    /// in one transaction.
    pub fn run_once(&mut self, now: Timestamp) -> Result<RunReport, String> {
        let queue_error = |e: rusqlite::Error| format!("cannot read the delivery queue: {e}");
        let due = store::deliveries::due(&self.conn, now, BATCH, PER_HOST).map_err(queue_error)?;
        if due.is_empty() {
            return Ok(RunReport::default());
        }
        let mut bodies = HashMap::new();
        for delivery in &due {
            if let Entry::Vacant(slot) = bodies.entry(delivery.activity_id) {
                // The foreign key makes a missing body impossible; such a row would be skipped.
                if let Some(body) = store::deliveries::body(&self.conn, delivery.activity_id)
                    .map_err(queue_error)?
                {
                    slot.insert(body);
                }
            }
        }
        let attempts = self.send(&by_host(due), &bodies);
        store::write(&mut self.conn, |tx| record(tx, &attempts, now))
            .map_err(|e: rusqlite::Error| format!("cannot record deliveries: {e}"))
    }

    /// When the next delivery is due (for sleeping), or None when the queue is empty.
    pub fn next_due(&self) -> Result<Option<Timestamp>, String> {
        store::deliveries::next_due(&self.conn)
            .map_err(|e| format!("cannot read the delivery queue: {e}"))
    }

    /// Sends the host groups from up to [`SENDERS`] threads; each thread takes whole groups.
    fn send(&self, groups: &[Vec<Pending>], bodies: &HashMap<i64, String>) -> Vec<Attempt> {
        let signer = Signer {
            key: &self.key,
            key_id: &self.key_id,
        };
        let client = &self.client; // the connection must not be shared with the threads
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            while let Some(group) = groups.get(next.fetch_add(1, Ordering::Relaxed)) {
                done.push(send_group(client, &signer, group, bodies));
            }
            done
        };
        let mut done: Vec<Vec<Attempt>> = Vec::new();
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..SENDERS.min(groups.len()))
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
                .collect();
            if handles.is_empty() {
                // No thread could be started: send from this one rather than not at all.
                done.extend(work());
            }
            for handle in handles {
                match handle.join() {
                    Ok(mine) => done.extend(mine),
                    // Unrecorded, so sent again next run: at least once still holds.
                    Err(_) => eprintln!(
                        "delivery: a sender thread failed; its deliveries will be retried"
                    ),
                }
            }
        });
        done.into_iter().flatten().collect()
    }
}

/// The batch split by host, each group in queue order.
fn by_host(due: Vec<Pending>) -> Vec<Vec<Pending>> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Vec<Pending>> = Vec::new();
    for delivery in due {
        match index.get(&delivery.host) {
            Some(&i) => groups[i].push(delivery),
            None => {
                index.insert(delivery.host.clone(), groups.len());
                groups.push(vec![delivery]);
            }
        }
    }
    for group in &mut groups {
        group.sort_by_key(|d| d.id);
    }
    groups
}

/// Sends one host's deliveries in order. Stops at the first sign of the host being in trouble:
/// the rest wait for the next run rather than each paying the same timeout.
fn send_group(
    client: &Client,
    signer: &Signer,
    group: &[Pending],
    bodies: &HashMap<i64, String>,
) -> Vec<Attempt> {
    let mut attempts = Vec::new();
    let mut gone: Vec<&str> = Vec::new();
    for delivery in group {
        if gone.contains(&delivery.inbox.as_str()) {
            continue; // removed with the 410 when recorded
        }
        let Some(body) = bodies.get(&delivery.activity_id) else {
            continue;
        };
        let result = client.post_activity(&delivery.inbox, body.as_bytes(), signer);
        let outcome = classify(&result, delivery.attempts + 1);
        let host_failed = is_host_failure(&result);
        if outcome == DeliveryOutcome::Gone {
            gone.push(&delivery.inbox);
        }
        attempts.push(Attempt {
            delivery: delivery.clone(),
            result,
            outcome,
        });
        if host_failed {
            break;
        }
    }
    attempts
}

/// Applies a run's outcomes: rows delivered or dropped are deleted, failed ones rescheduled;
/// hosts' breakers are updated; bodies nothing needs any more are removed.
fn record(tx: &Connection, attempts: &[Attempt], now: Timestamp) -> rusqlite::Result<RunReport> {
    let mut report = RunReport::default();
    let mut failed_hosts: Vec<&str> = Vec::new();
    let expired_before = Timestamp(now.0.saturating_sub(millis(MAX_AGE)));
    for Attempt {
        delivery,
        result,
        outcome,
    } in attempts
    {
        let host = delivery.host.as_str();
        if is_host_failure(result) {
            let record = store::deliveries::record_host_failure(tx, host, now)?;
            let mut pause = None;
            if record.failures >= BREAKER_THRESHOLD {
                pause = Some(breaker_pause(record.failures));
            }
            // A host asking us to wait (429, 503) means all of its inboxes.
            if let Ok(PostResponse {
                retry_after: Some(wait),
                ..
            }) = result
            {
                pause = pause.max(Some((*wait).min(MAX_RETRY_AFTER)));
            }
            if let Some(pause) = pause {
                store::deliveries::pause_host(tx, host, later(now, pause))?;
            }
            if !failed_hosts.contains(&host) {
                failed_hosts.push(host);
            }
        } else if result.is_ok() {
            store::deliveries::clear_host(tx, host)?;
        }

        match outcome {
            DeliveryOutcome::Delivered => {
                store::deliveries::delete(tx, delivery.id)?;
                report.delivered += 1;
            }
            DeliveryOutcome::Gone => {
                store::deliveries::delete(tx, delivery.id)?;
                let others = store::deliveries::delete_for_inbox(tx, &delivery.inbox)?;
                eprintln!(
                    "delivery: {host} answered 410 Gone for an inbox; deliveries to it dropped: {}",
                    1 + others
                );
                report.dropped += 1 + others;
                if !report.gone_inboxes.contains(&delivery.inbox) {
                    report.gone_inboxes.push(delivery.inbox.clone());
                }
            }
            DeliveryOutcome::Dropped { .. } => {
                store::deliveries::delete(tx, delivery.id)?;
                let tries = delivery.attempts + 1;
                eprintln!(
                    "delivery: dropped a delivery to {host} (try {tries}): {}",
                    describe(result)
                );
                report.dropped += 1;
            }
            DeliveryOutcome::Retry { .. } if delivery.created_at < expired_before => {
                store::deliveries::delete(tx, delivery.id)?;
                eprintln!(
                    "delivery: dropped a delivery to {host} queued more than {} days ago: {}",
                    MAX_AGE.as_secs() / 86_400,
                    describe(result)
                );
                report.dropped += 1;
            }
            DeliveryOutcome::Retry { after } => {
                crate::log::info(
                    "delivery",
                    "failed; will retry",
                    &[
                        ("host", &host),
                        ("try", &(delivery.attempts + 1)),
                        ("error", &describe(result)),
                    ],
                );
                let status = result.as_ref().ok().map(|response| response.status);
                store::deliveries::reschedule(
                    tx,
                    delivery.id,
                    delivery.attempts + 1,
                    later(now, *after),
                    status,
                    Some(&describe(result)),
                )?;
                report.retried += 1;
            }
        }
    }

    // After the rows above, so that a rescheduled row is also kept behind its host's pause.
    for host in failed_hosts {
        let retry_at = store::deliveries::host(tx, host)?.and_then(|record| record.retry_at);
        if let Some(until) = retry_at.filter(|&until| until > now) {
            report.postponed += store::deliveries::postpone_host(tx, host, until)?;
        }
        let expired = store::deliveries::delete_older_for_host(tx, host, expired_before)?;
        if expired > 0 {
            eprintln!(
                "delivery: {host} is failing; deliveries queued more than {} days ago dropped: {expired}",
                MAX_AGE.as_secs() / 86_400
            );
            report.dropped += expired;
        }
    }
    store::deliveries::delete_finished_activities(tx)?;
    Ok(report)
}

/// The breaker's pause after `failures` in a row: doubling from [`BREAKER_PAUSE`], capped.
fn breaker_pause(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(BREAKER_THRESHOLD).min(16);
    (BREAKER_PAUSE * (1u32 << doublings)).min(BREAKER_MAX_PAUSE)
}

/// One line for the log and `last_error`: the status or the error, never the body.
fn describe(result: &Result<PostResponse, FetchError>) -> String {
    match result {
        Ok(response) => format!("HTTP {}", response.status),
        Err(error) => error.to_string(),
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn later(now: Timestamp, wait: Duration) -> Timestamp {
    Timestamp(now.0.saturating_add(millis(wait)))
}

#[cfg(test)]
mod tests {
    use super::super::{enqueue, spawn, BACKOFF};
    use super::*;
    use crate::federation::client::ClientConfig;
    use crate::federation::keys::{self, VerifyingKey};
    use crate::federation::signatures::{self, IncomingRequest};
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::AtomicBool;
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex};
    use std::time::{Instant, SystemTime};

    const KEY_ID: &str = "http://me.test/users/me#main-key";
    const OWN: &str = "http://me.test";
    const MINUTE: i64 = 60_000;

    /// One key pair (PKCS#8 DER, SPKI PEM) for all tests: generating one takes a while.
    fn key_pair() -> &'static (Vec<u8>, String) {
        static KEYS: std::sync::OnceLock<(Vec<u8>, String)> = std::sync::OnceLock::new();
        KEYS.get_or_init(|| keys::generate().expect("key generation"))
    }

    fn worker(dir: &tempfile::TempDir) -> Worker {
        Worker::new(
            &dir.path().join("test.db"),
            Client::new(ClientConfig::new(true, "test")),
            SigningKey::from_pkcs8(&key_pair().0).unwrap(),
            KEY_ID.to_string(),
        )
        .unwrap()
    }

    /// A request as a sink read it.
    struct Seen {
        path: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    type Answer = Box<dyn Fn(&Seen) -> (u16, String) + Send>;

    /// A loopback inbox server: one thread per connection, one request per connection, answered
    /// by a function the test can change; every request is kept.
    struct Sink {
        base: String,
        answer: Arc<Mutex<Answer>>,
        seen: Arc<Mutex<Vec<Seen>>>,
        arrived: Arc<Mutex<Option<mpsc::Sender<()>>>>,
    }

    impl Sink {
        fn new(status: u16) -> Sink {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let sink = Sink {
                base: format!("http://{}", listener.local_addr().unwrap()),
                answer: Arc::new(Mutex::new(Box::new(move |_| (status, String::new())))),
                seen: Arc::default(),
                arrived: Arc::default(),
            };
            let (answer, seen, arrived) =
                (sink.answer.clone(), sink.seen.clone(), sink.arrived.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let (answer, seen, arrived) = (answer.clone(), seen.clone(), arrived.clone());
                    std::thread::spawn(move || {
                        let mut stream = stream;
                        let Some(request) = read_request(&mut stream) else {
                            return;
                        };
                        let (status, extra) = (answer.lock().unwrap())(&request);
                        // Kept before answering, so a test that got the answer sees the request.
                        seen.lock().unwrap().push(request);
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {status} Test\r\nContent-Length: 0\r\n{extra}Connection: close\r\n\r\n"
                        );
                        if let Some(tx) = arrived.lock().unwrap().as_ref() {
                            let _ = tx.send(());
                        }
                    });
                }
            });
            sink
        }

        fn inbox(&self, path: &str) -> String {
            format!("{}{path}", self.base)
        }

        fn host(&self) -> String {
            self.base.trim_start_matches("http://").to_string()
        }

        fn answer(&self, answer: impl Fn(&Seen) -> (u16, String) + Send + 'static) {
            *self.answer.lock().unwrap() = Box::new(answer);
        }

        fn status(&self, status: u16) {
            self.answer(move |_| (status, String::new()));
        }

        fn requests(&self) -> usize {
            self.seen.lock().unwrap().len()
        }

        fn notify(&self) -> mpsc::Receiver<()> {
            let (tx, rx) = mpsc::channel();
            *self.arrived.lock().unwrap() = Some(tx);
            rx
        }
    }

    fn read_request(stream: &mut TcpStream) -> Option<Seen> {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let path = line.split_whitespace().nth(1)?.to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).ok()?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':')?;
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        Some(Seen {
            path,
            headers,
            body,
        })
    }

    fn activity(n: u32) -> serde_json::Value {
        serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{OWN}/users/me/statuses/{n}/activity"),
            "type": "Create",
            "actor": format!("{OWN}/users/me"),
        })
    }

    fn queue(conn: &Connection, n: u32, inboxes: &[String], now: Timestamp) -> usize {
        enqueue(conn, &activity(n), inboxes, OWN, now).unwrap()
    }

    fn plus(now: Timestamp, ms: i64) -> Timestamp {
        Timestamp(now.0 + ms)
    }

    /// (attempts, next_attempt_at) of the only delivery left.
    fn only_row(conn: &Connection) -> (u32, Timestamp) {
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
        assert_eq!(request.body, activity(1).to_string().into_bytes());
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
        let first = plus(now, BACKOFF[0].as_millis() as i64);
        assert_eq!(only_row(&conn), (1, first));
        assert_eq!(worker.next_due().unwrap(), Some(first));
        assert_eq!(worker.run_once(plus(first, -1)).unwrap().attempted(), 0);

        assert_eq!(worker.run_once(first).unwrap().retried, 1);
        let second = plus(first, BACKOFF[1].as_millis() as i64);
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
        assert_eq!(
            only_row(&conn),
            (1, plus(now, BACKOFF[0].as_millis() as i64))
        );
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
        let mut worker = Worker::new(
            &dir.path().join("test.db"),
            Client::new(config),
            SigningKey::from_pkcs8(&key_pair().0).unwrap(),
            KEY_ID.to_string(),
        )
        .unwrap();
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
        let retry_at = plus(now, BACKOFF[0].as_millis() as i64);
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

    #[test]
    fn the_breaker_stops_a_failing_host_without_holding_up_others() {
        let (dir, conn) = store::testing::temporary();
        let (failing, healthy) = (Sink::new(500), Sink::new(202));
        let now = Timestamp::now();
        for n in 0..6 {
            queue(&conn, n, &[failing.inbox("/inbox")], now);
        }
        queue(&conn, 6, &[healthy.inbox("/inbox")], now);
        let mut worker = worker(&dir);
        // One try of the failing host per run: the rest of its queue waits for the next.
        let first = worker.run_once(now).unwrap();
        assert_eq!((first.retried, first.delivered), (1, 1));
        for run in 2..=BREAKER_THRESHOLD {
            assert_eq!(worker.run_once(now).unwrap().retried, 1, "run {run}");
        }
        assert_eq!(failing.requests(), BREAKER_THRESHOLD as usize);
        let record = store::deliveries::host(&conn, &failing.host())
            .unwrap()
            .unwrap();
        let reopen = plus(now, BREAKER_PAUSE.as_millis() as i64);
        assert_eq!(record.failures, BREAKER_THRESHOLD);
        assert_eq!(record.retry_at, Some(reopen));

        // The sixth delivery was never tried, and is not counted as a try.
        let untried: (u32, i64) = conn
            .query_row(
                "SELECT attempts, next_attempt_at FROM deliveries WHERE attempts = 0",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(untried, (0, reopen.0));

        // A new activity for both hosts: the healthy one gets it now, the failing one waits.
        queue(
            &conn,
            7,
            &[failing.inbox("/inbox"), healthy.inbox("/inbox")],
            now,
        );
        let report = worker.run_once(now).unwrap();
        assert_eq!((report.delivered, report.retried), (1, 0));
        assert_eq!(failing.requests(), BREAKER_THRESHOLD as usize);
        assert_eq!(healthy.requests(), 2);
        assert_eq!(worker.next_due().unwrap(), Some(reopen));

        // The host comes back: everything goes out when the breaker reopens, and it is forgotten.
        failing.status(202);
        assert_eq!(worker.run_once(plus(reopen, -1)).unwrap().attempted(), 0);
        assert_eq!(worker.run_once(reopen).unwrap().delivered, 7);
        assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
        assert_eq!(
            store::deliveries::host(&conn, &failing.host()).unwrap(),
            None
        );
    }

    #[test]
    fn the_breaker_pause_grows_and_old_deliveries_expire() {
        assert_eq!(breaker_pause(BREAKER_THRESHOLD), BREAKER_PAUSE);
        assert_eq!(breaker_pause(BREAKER_THRESHOLD + 1), BREAKER_PAUSE * 2);
        assert_eq!(breaker_pause(BREAKER_THRESHOLD + 60), BREAKER_MAX_PAUSE);

        let (dir, conn) = store::testing::temporary();
        let sink = Sink::new(503);
        let start = Timestamp::now();
        queue(&conn, 1, &[sink.inbox("/inbox")], start);
        queue(&conn, 2, &[sink.inbox("/inbox")], start);
        let now = plus(start, MAX_AGE.as_millis() as i64 + 1);
        queue(&conn, 3, &[sink.inbox("/inbox")], now);
        let report = worker(&dir).run_once(now).unwrap();
        // The oldest was tried and expired with its sibling; the young one waits its turn.
        assert_eq!((report.dropped, report.retried), (2, 0));
        assert_eq!(only_row(&conn), (0, now));
    }

    #[test]
    fn a_new_worker_delivers_what_the_last_one_left() {
        let (dir, conn) = store::testing::temporary();
        let sink = Sink::new(500);
        let now = Timestamp::now();
        queue(&conn, 1, &[sink.inbox("/a")], now);
        queue(&conn, 2, &[sink.inbox("/b")], now);
        let mut first = worker(&dir);
        assert_eq!(first.run_once(now).unwrap().retried, 1);
        drop(first); // a restart; the queue is only in the file
        queue(&conn, 3, &[sink.inbox("/c")], now);

        sink.status(202);
        let mut second = worker(&dir);
        let later = plus(now, BACKOFF[0].as_millis() as i64);
        assert_eq!(second.run_once(later).unwrap().delivered, 3);
        assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
        let mut paths: Vec<String> = sink
            .seen
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.path.clone())
            .collect();
        paths.sort();
        assert_eq!(paths, ["/a", "/a", "/b", "/c"]);
    }

    #[test]
    fn a_kill_between_sending_and_recording_costs_one_duplicate_not_a_loss() {
        let (dir, conn) = store::testing::temporary();
        let sink = Sink::new(202);
        let now = Timestamp::now();
        queue(&conn, 1, &[sink.inbox("/inbox")], now);
        let crashed = worker(&dir);
        // What run_once does up to the record transaction, then the process "dies".
        let due = store::deliveries::due(&conn, now, BATCH, PER_HOST).unwrap();
        let bodies = HashMap::from([(due[0].activity_id, activity(1).to_string())]);
        assert_eq!(crashed.send(&by_host(due), &bodies).len(), 1);
        drop(crashed);
        assert_eq!(store::deliveries::count(&conn).unwrap(), 1);

        assert_eq!(worker(&dir).run_once(now).unwrap().delivered, 1);
        assert_eq!(sink.requests(), 2);
        assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
    }

    #[test]
    fn a_fan_out_to_200_inboxes_goes_out_in_a_few_runs() {
        let (dir, conn) = store::testing::temporary();
        let sinks: Vec<Sink> = (0..50).map(|_| Sink::new(202)).collect();
        let inboxes: Vec<String> = sinks
            .iter()
            .flat_map(|sink| (0..4).map(|i| sink.inbox(&format!("/users/u{i}/inbox"))))
            .collect();
        let now = Timestamp::now();
        assert_eq!(queue(&conn, 1, &inboxes, now), 200);
        let mut worker = worker(&dir);
        let started = Instant::now();
        let mut runs = 0;
        let mut delivered = 0;
        while store::deliveries::count(&conn).unwrap() > 0 && runs < 5 {
            delivered += worker.run_once(now).unwrap().delivered;
            runs += 1;
        }
        println!(
            "fan-out: 200 deliveries to 50 hosts in {runs} run(s), {:?}",
            started.elapsed()
        );
        assert_eq!(delivered, 200);
        assert_eq!(runs, 1);
        assert_eq!(sinks.iter().map(Sink::requests).sum::<usize>(), 200);
    }

    #[test]
    fn the_thread_sends_what_is_queued_and_stops_cleanly() {
        let (dir, conn) = store::testing::temporary();
        let sink = Sink::new(202);
        let arrived = sink.notify();
        let stop = Arc::new(AtomicBool::new(false));
        let handle = spawn(worker(&dir), stop.clone());
        // Queued by "another process" after the thread started: found by its polling.
        queue(&conn, 1, &[sink.inbox("/inbox")], Timestamp::now());
        arrived
            .recv_timeout(Duration::from_secs(10))
            .expect("the delivery arrives");
        stop.store(true, Ordering::SeqCst);
        handle.thread().unpark();
        handle.join().unwrap();
        // The batch in hand was recorded before the thread ended.
        assert_eq!(store::deliveries::count(&conn).unwrap(), 0);
    }
}
