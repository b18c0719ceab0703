//! The inbox run: remote actors served by the bench on loopback (so Perch fetches their keys for
//! real), distinct signed Creates from them, many concurrent senders.

use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use perch::federation::keys::{self, SigningKey};
use perch::federation::signatures::{self, Signer};
use perch::model::Timestamp;
use serde_json::json;

use crate::http::{self, Connection};
use crate::report::{memory_row, Report};
use crate::server::Instance;
use crate::Sizes;

const AS_PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A remote account: its key and where its document lives.
pub struct RemoteActor {
    pub uri: String,
    pub key_id: String,
    pub key: SigningKey,
    pub public_pem: String,
}

/// `count` actors on `origin`, with fresh RSA-2048 keys (made on two threads: ~50 ms each).
pub fn actors(origin: &str, count: usize) -> Vec<RemoteActor> {
    let next = AtomicUsize::new(0);
    let made: Vec<(usize, Vec<u8>, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            return mine;
                        }
                        let (der, pem) = keys::generate().expect("RSA key generation");
                        mine.push((i, der, pem));
                    }
                })
            })
            .collect();
        let mut all: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("a key thread"))
            .collect();
        all.sort_by_key(|k| k.0);
        all
    });
    made.into_iter()
        .map(|(i, der, pem)| {
            let uri = format!("{origin}/users/a{i}");
            RemoteActor {
                key_id: format!("{uri}#main-key"),
                uri,
                key: SigningKey::from_pkcs8(&der).expect("a generated key loads"),
                public_pem: pem,
            }
        })
        .collect()
}

/// The actor document Perch fetches to learn the key.
fn actor_document(origin: &str, actor: &RemoteActor) -> String {
    let name = actor.uri.rsplit('/').next().unwrap_or("a");
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": actor.uri,
        "type": "Person",
        "preferredUsername": name,
        "name": name.to_uppercase(),
        "inbox": format!("{}/inbox", actor.uri),
        "outbox": format!("{}/outbox", actor.uri),
        "followers": format!("{}/followers", actor.uri),
        "url": actor.uri,
        "endpoints": {"sharedInbox": format!("{origin}/inbox")},
        "publicKey": {"id": actor.key_id, "owner": actor.uri, "publicKeyPem": actor.public_pem},
    })
    .to_string()
}

/// Serves the actors' documents on `listener` until the process ends; returns how many were
/// fetched (Perch should fetch each key once, then use its cache).
pub fn serve_actors(
    listener: TcpListener,
    origin: String,
    actors: &[RemoteActor],
) -> Arc<AtomicUsize> {
    let documents: Arc<Vec<(String, String)>> = Arc::new(
        actors
            .iter()
            .map(|a| {
                let path = a.uri.trim_start_matches(&origin).to_string();
                (path, actor_document(&origin, a))
            })
            .collect(),
    );
    let fetched = Arc::new(AtomicUsize::new(0));
    let counter = fetched.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let (documents, counter) = (documents.clone(), counter.clone());
            std::thread::spawn(move || serve_documents(stream, &documents, &counter));
        }
    });
    fetched
}

fn serve_documents(stream: TcpStream, documents: &[(String, String)], fetched: &AtomicUsize) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Ok(Some(request)) = http::read_request(&mut reader) {
        let found = documents.iter().find(|(path, _)| *path == request.target);
        let result = match found {
            Some((_, body)) => {
                fetched.fetch_add(1, Ordering::Relaxed);
                http::write_response(
                    &mut writer,
                    200,
                    "application/activity+json",
                    body.as_bytes(),
                    false,
                )
            }
            None => http::write_response(&mut writer, 404, "text/plain", b"", false),
        };
        if result.is_err() {
            return;
        }
    }
}

/// A signed POST to Perch's shared inbox, ready to send.
pub struct Prepared {
    pub request: Vec<u8>,
}

/// `total` distinct Creates, round-robin over the actors, signed on two threads.
pub fn prepare(actors: &[RemoteActor], port: u16, total: usize) -> Vec<Prepared> {
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/inbox")).expect("inbox URL");
    let published = Timestamp::now().rfc3339();
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Prepared>>> = Mutex::new((0..total).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return;
                }
                let actor = &actors[i % actors.len()];
                let note = format!("{}/statuses/{i}", actor.uri);
                let body = json!({
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "id": format!("{note}/activity"),
                    "type": "Create",
                    "actor": actor.uri,
                    "published": published,
                    "to": [AS_PUBLIC],
                    "cc": [format!("{}/followers", actor.uri)],
                    "object": {
                        "id": note,
                        "type": "Note",
                        "attributedTo": actor.uri,
                        "url": note,
                        "published": published,
                        "to": [AS_PUBLIC],
                        "cc": [format!("{}/followers", actor.uri)],
                        "content": format!("<p>Benchmark post number {i}, with a \
                            <a href=\"https://example.org/\">link</a> and some words.</p>"),
                    },
                })
                .to_string();
                let signer = Signer {
                    key: &actor.key,
                    key_id: &actor.key_id,
                };
                let headers = signatures::sign_post(
                    &signer,
                    &url,
                    body.as_bytes(),
                    "application/activity+json",
                    SystemTime::now(),
                );
                let headers: Vec<(&str, &str)> =
                    headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let request =
                    http::request_bytes("POST", url.path(), "", &headers, body.as_bytes());
                slots.lock().expect("slots")[i] = Some(Prepared { request });
            });
        }
    });
    slots
        .into_inner()
        .expect("slots")
        .into_iter()
        .map(|p| p.expect("every activity was signed"))
        .collect()
}

pub struct SendResult {
    pub accepted: usize,
    pub refused: usize,
    pub first_refusal: Option<String>,
    pub elapsed: Duration,
    /// Latencies of accepted requests, sorted.
    pub latencies: Vec<Duration>,
}

impl SendResult {
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[i - 1]
    }
}

/// Sends every prepared request from `senders` keep-alive connections at once.
pub fn send(port: u16, prepared: &[Prepared], senders: usize) -> SendResult {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let per_thread: Vec<(Vec<Duration>, usize, Option<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..senders)
            .map(|_| {
                scope.spawn(|| {
                    let mut latencies = Vec::new();
                    let (mut refused, mut first) = (0, None);
                    let mut connection = Connection::open(port).expect("connect to perch");
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = prepared.get(i) else {
                            return (latencies, refused, first);
                        };
                        let sent = Instant::now();
                        match connection.send(&item.request) {
                            Ok(answer) if answer.status == 202 => latencies.push(sent.elapsed()),
                            Ok(answer) => {
                                refused += 1;
                                first.get_or_insert(format!("{} {}", answer.status, answer.text()));
                            }
                            Err(e) => {
                                refused += 1;
                                first.get_or_insert(e.to_string());
                                connection = Connection::open(port).expect("reconnect to perch");
                            }
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a sender thread"))
            .collect()
    });
    let elapsed = start.elapsed();
    let mut latencies: Vec<Duration> = Vec::new();
    let (mut refused, mut first_refusal) = (0, None);
    for (mine, r, first) in per_thread {
        latencies.extend(mine);
        refused += r;
        if first_refusal.is_none() {
            first_refusal = first;
        }
    }
    latencies.sort();
    SendResult {
        accepted: latencies.len(),
        refused,
        first_refusal,
        elapsed,
        latencies,
    }
}

/// Rows the inbox worker has not processed yet, read from the database file as it is written.
fn pending(database: &Path) -> u64 {
    let conn =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database read-only");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    conn.query_row(
        "SELECT count(*) FROM inbound WHERE processed_at IS NULL",
        [],
        |row| row.get::<_, i64>(0),
    )
    .map(|n| n as u64)
    .unwrap_or(u64::MAX)
}

pub fn run(
    instance: &Instance,
    sizes: &Sizes,
    actors: &[RemoteActor],
    fetched: &std::sync::atomic::AtomicUsize,
    report: &mut Report,
) {
    eprintln!(
        "bench: inbox: signing {} activities from {} actors",
        sizes.inbox_activities, sizes.inbox_actors
    );
    let prepared = prepare(actors, instance.port, sizes.inbox_activities);
    let database = instance.database();
    let peak_reset = instance.reset_peak();
    eprintln!("bench: inbox: sending with {} senders", sizes.inbox_senders);
    let sent_at = Instant::now();
    let result = send(instance.port, &prepared, sizes.inbox_senders);
    let sending_ended = Instant::now();
    // Every accepted row is queued by now; the worker has caught up when none is left.
    let backlog_at_end = pending(&database);
    let deadline = sending_ended + Duration::from_secs(600);
    while pending(&database) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let drained_at = Instant::now();
    let (_, peak) = instance.memory();

    let accepted_per_second = result.accepted as f64 / result.elapsed.as_secs_f64();
    report.target(
        "inbox",
        format!(
            "accepted activities/s ({} senders, {} actors)",
            sizes.inbox_senders, sizes.inbox_actors
        ),
        format!("{accepted_per_second:.0}")
            + &match &result.first_refusal {
                Some(why) => format!(" ({} refused, first: {why})", result.refused),
                None => String::new(),
            },
        "≥ 3,000",
        accepted_per_second >= 3_000.0 && result.refused == 0,
    );
    let p50 = result.percentile(0.50).as_secs_f64() * 1e3;
    let p99 = result.percentile(0.99).as_secs_f64() * 1e3;
    report.add("inbox", "latency p50", format!("{p50:.1} ms"));
    report.target(
        "inbox",
        "latency p99",
        format!("{p99:.1} ms"),
        "≤ 50 ms",
        p99 <= 50.0,
    );
    // The worker runs alongside the senders; its rate alone shows once sending has ended.
    let total_time = drained_at.saturating_duration_since(sent_at).as_secs_f64();
    let overall = result.accepted as f64 / total_time.max(1e-9);
    let drain = drained_at
        .saturating_duration_since(sending_ended)
        .as_secs_f64();
    report.add(
        "inbox",
        "backlog when sending ended → drained after",
        format!("{backlog_at_end} rows → {drain:.2} s"),
    );
    let worker_rate = if backlog_at_end as usize * 5 >= result.accepted && drain > 0.0 {
        backlog_at_end as f64 / drain
    } else {
        overall
    };
    report.target(
        "inbox",
        "backlog processed (rows/s)",
        format!(
            "{worker_rate:.0} (all {} in {total_time:.2} s)",
            result.accepted
        ),
        "≥ 2,000",
        worker_rate >= 2_000.0,
    );
    let stored = {
        let conn = rusqlite::Connection::open(&database).expect("open the database");
        conn.query_row("SELECT count(*) FROM remote_posts", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_or(0)
    };
    report.fail_if(
        result.refused > 0 || stored != result.accepted as i64,
        format!(
            "inbox: {} refused, {stored} of {} accepted posts stored",
            result.refused, result.accepted
        ),
    );
    report.add(
        "inbox",
        "posts stored by the worker / key fetches",
        format!(
            "{stored} / {}",
            fetched.load(std::sync::atomic::Ordering::Relaxed)
        ),
    );
    memory_row(report, "inbox", peak, peak_reset);
}
