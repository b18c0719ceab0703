//! The inbox routes end to end: signed requests through rocket, the sender's key fetched for
//! real from a loopback HTTP server, then the worker run by hand.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rocket::http::{Header, Status};
use rocket::local::asynchronous::{Client as LocalClient, LocalResponse};
use serde_json::{json, Value};

use crate::config::Config;
use crate::domain::inbox::InboxWorker;
use crate::domain::testkit::{actor_doc, test_key, test_key_material};
use crate::federation::client::{Client, ClientConfig};
use crate::federation::keys::SigningKey;
use crate::federation::signatures::{self, Signer};
use crate::model::{FollowState, Timestamp};
use crate::store::follows::Direction;
use crate::store::{self, profile, settings};
use crate::urls::Urls;

const ME: &str = "http://perch.test/users/me";

/// A remote server on loopback serving actor documents (signed with the test key); records the
/// requests it gets as (path, had a Signature header).
struct RemoteServer {
    origin: String,
    requests: Arc<Mutex<Vec<(String, bool)>>>,
}

impl RemoteServer {
    fn start(names: &[&str]) -> RemoteServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("an address"));
        let documents: Vec<(String, String)> = names
            .iter()
            .map(|name| {
                (
                    format!("/users/{name}"),
                    actor_doc(&origin, name).to_string(),
                )
            })
            .collect();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        // Lives until the test process ends.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("a clonable socket"));
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
                let mut signed = false;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    signed |= line.to_ascii_lowercase().starts_with("signature:");
                }
                seen.lock()
                    .expect("unpoisoned")
                    .push((path.clone(), signed));
                let response = match documents.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                    None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
                };
                let _ = stream.write_all(response.as_bytes());
            }
        });
        RemoteServer { origin, requests }
    }

    fn actor(&self, name: &str) -> String {
        format!("{}/users/{name}", self.origin)
    }
}

/// Our instance (`http://perch.test/users/me`) with the test key, in a temporary folder.
struct Instance {
    _dir: tempfile::TempDir,
    config: Config,
    client: LocalClient,
}

async fn instance() -> Instance {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let text = "domain = \"perch.test\"\nusername = \"me\"\n[federation]\nallow_private_addresses = true\n";
    let config = Config::parse(text, dir.path()).expect("a valid configuration");
    let conn = store::open(&config.database, true).expect("a new database");
    let (der, pem) = test_key_material();
    profile::create_if_missing(&conn, "Me", Timestamp::now()).unwrap();
    settings::set(&conn, settings::PRIVATE_KEY, der).unwrap();
    settings::set(&conn, settings::PUBLIC_KEY_PEM, pem.as_bytes()).unwrap();
    drop(conn);
    let rocket = crate::app::rocket(config.clone()).expect("a rocket");
    let client = LocalClient::tracked(rocket).await.expect("a local client");
    Instance {
        _dir: dir,
        config,
        client,
    }
}

impl Instance {
    /// POSTs `body` to `path`, signed by `key_id` with the test key.
    async fn post(&self, path: &str, key_id: &str, body: &[u8]) -> LocalResponse<'_> {
        self.post_with(path, key_id, body, body).await
    }

    /// Signs `signed_body` but sends `sent_body`.
    async fn post_with(
        &self,
        path: &str,
        key_id: &str,
        signed_body: &[u8],
        sent_body: &[u8],
    ) -> LocalResponse<'_> {
        let url = url::Url::parse(&format!("http://perch.test{path}")).unwrap();
        let signer = Signer {
            key: &test_key().0,
            key_id,
        };
        let headers = signatures::sign_post(
            &signer,
            &url,
            signed_body,
            "application/activity+json",
            SystemTime::now(),
        );
        let mut request = self.client.post(path.to_string()).body(sent_body);
        for (name, value) in headers {
            request = request.header(Header::new(name, value));
        }
        request.dispatch().await
    }

    fn conn(&self) -> rusqlite::Connection {
        store::open(&self.config.database, false).expect("the database")
    }

    fn inbound_count(&self) -> i64 {
        self.conn()
            .query_row("SELECT count(*) FROM inbound", [], |r| r.get(0))
            .unwrap()
    }

    fn worker(&self) -> InboxWorker {
        let client = Client::new(ClientConfig::new(true, "Perch/test"));
        let key = SigningKey::from_pkcs8(&test_key_material().0).unwrap();
        let urls = Urls::new(&self.config);
        InboxWorker::new(
            self.conn(),
            Arc::new(client),
            Arc::new(key),
            urls.key_id(),
            urls,
        )
    }
}

fn follow(actor: &str, id: &str) -> Vec<u8> {
    json!({"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Follow",
           "actor": actor, "object": ME})
    .to_string()
    .into_bytes()
}

async fn error_of(response: LocalResponse<'_>) -> String {
    let body: Value = response.into_json().await.unwrap_or(Value::Null);
    body["error"].as_str().unwrap_or_default().to_string()
}

#[rocket::async_test]
async fn a_signed_follow_is_queued_then_accepted_by_the_worker() {
    let remote = RemoteServer::start(&["alice"]);
    let perch = instance().await;
    let alice = remote.actor("alice");
    let body = follow(&alice, &format!("{}/follows/1", remote.origin));
    let response = perch
        .post("/users/me/inbox", &format!("{alice}#main-key"), &body)
        .await;
    assert_eq!(response.status(), Status::Accepted);
    assert_eq!(response.into_bytes().await.unwrap_or_default(), b"");
    assert_eq!(perch.inbound_count(), 1);
    // The key was fetched with a signed GET.
    assert_eq!(
        *remote.requests.lock().unwrap(),
        [("/users/alice".to_string(), true)]
    );

    // A replay: the same answer, nothing new.
    let again = perch
        .post("/users/me/inbox", &format!("{alice}#main-key"), &body)
        .await;
    assert_eq!(again.status(), Status::Accepted);
    assert_eq!(perch.inbound_count(), 1);

    let mut worker = perch.worker();
    assert_eq!(worker.run_once(Timestamp::now()), Ok(1));
    assert_eq!(worker.run_once(Timestamp::now()), Ok(0));
    let conn = perch.conn();
    let actor = store::actors::get_by_uri(&conn, &alice).unwrap().unwrap();
    let state = store::follows::get(&conn, actor.id, Direction::In)
        .unwrap()
        .map(|f| f.state);
    assert_eq!(state, Some(FollowState::Accepted));
    let (inbox, accept): (String, String) = conn
        .query_row(
            "SELECT inbox, body FROM deliveries JOIN outbound_activities ON outbound_activities.id = activity_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(inbox, format!("{alice}/inbox"));
    let accept: Value = serde_json::from_str(&accept).unwrap();
    assert_eq!(accept["type"], "Accept");
    assert_eq!(
        accept["object"]["id"],
        format!("{}/follows/1", remote.origin)
    );
}

#[rocket::async_test]
async fn the_shared_inbox_takes_activities_too_and_other_users_are_not_found() {
    let remote = RemoteServer::start(&["alice"]);
    let perch = instance().await;
    let alice = remote.actor("alice");
    let body = follow(&alice, &format!("{}/follows/2", remote.origin));
    let response = perch
        .post("/inbox", &format!("{alice}#main-key"), &body)
        .await;
    assert_eq!(response.status(), Status::Accepted);
    let response = perch
        .post("/users/someone/inbox", &format!("{alice}#main-key"), &body)
        .await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(perch.inbound_count(), 1);
}

#[rocket::async_test]
async fn forged_requests_are_refused_and_nothing_is_stored() {
    let remote = RemoteServer::start(&["alice", "bob"]);
    let perch = instance().await;
    let (alice, bob) = (remote.actor("alice"), remote.actor("bob"));
    let key = format!("{alice}#main-key");

    // Tampered body: the Digest no longer matches.
    let body = follow(&alice, &format!("{}/follows/1", remote.origin));
    let mut tampered = body.clone();
    let at = tampered.len() - 3;
    tampered[at] = b'X';
    let response = perch
        .post_with("/users/me/inbox", &key, &body, &tampered)
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert!(error_of(response).await.contains("Digest"));

    // Signed by Alice, claiming to be Bob.
    let as_bob = follow(&bob, &format!("{}/follows/2", remote.origin));
    let response = perch.post("/users/me/inbox", &key, &as_bob).await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert!(error_of(response).await.contains("owner"));

    // Not signed at all.
    let response = perch
        .client
        .post("/users/me/inbox")
        .body(body.clone())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);

    // Signed for another path.
    let response = perch.post_with("/inbox", &key, &body, &body).await;
    assert_eq!(
        response.status(),
        Status::Accepted,
        "the shared inbox is a valid target"
    );
    let url = url::Url::parse("http://perch.test/inbox").unwrap();
    let signer = Signer {
        key: &test_key().0,
        key_id: &key,
    };
    let headers = signatures::sign_post(
        &signer,
        &url,
        &body,
        "application/activity+json",
        SystemTime::now(),
    );
    let mut request = perch.client.post("/users/me/inbox").body(body.clone());
    for (name, value) in headers {
        request = request.header(Header::new(name, value));
    }
    assert_eq!(request.dispatch().await.status(), Status::Unauthorized);

    assert_eq!(
        perch.inbound_count(),
        1,
        "only the genuine shared-inbox request"
    );
}

#[rocket::async_test]
async fn oversized_and_malformed_bodies_are_refused() {
    let remote = RemoteServer::start(&["alice"]);
    let perch = instance().await;
    let key = format!("{}#main-key", remote.actor("alice"));

    let big = vec![b' '; 1024 * 1024 + 1];
    let response = perch.post("/users/me/inbox", &key, &big).await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    let announced = perch
        .client
        .post("/users/me/inbox")
        .header(Header::new("Content-Length", "5000000"))
        .body(b"{}")
        .dispatch()
        .await;
    assert_eq!(announced.status(), Status::PayloadTooLarge);

    // Exactly the limit is read (and then is not JSON).
    let limit = vec![b' '; 1024 * 1024];
    let response = perch.post("/users/me/inbox", &key, &limit).await;
    assert_eq!(response.status(), Status::BadRequest);

    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let response = perch.post("/users/me/inbox", &key, deep.as_bytes()).await;
    assert_eq!(response.status(), Status::BadRequest);
    let response = perch
        .post("/users/me/inbox", &key, b"{\"id\": \"\xff\"}")
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    let no_id = json!({"type": "Follow", "actor": remote.actor("alice"), "object": ME}).to_string();
    let response = perch.post("/users/me/inbox", &key, no_id.as_bytes()).await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(error_of(response).await.contains("id"));
    assert_eq!(perch.inbound_count(), 0);
    assert!(
        remote.requests.lock().unwrap().is_empty(),
        "no key fetched for a bad body"
    );
}

#[rocket::async_test]
async fn concurrent_deliveries_are_all_acknowledged_and_each_stored_once() {
    let remote = RemoteServer::start(&["alice"]);
    let perch = instance().await;
    let alice = remote.actor("alice");
    let key = format!("{alice}#main-key");
    // Twenty activities, each sent twice, all at once: some share a batch with their copy.
    let bodies: Vec<Vec<u8>> = (0..40)
        .map(|i| follow(&alice, &format!("{}/follows/{}", remote.origin, i % 20)))
        .collect();
    let sent = bodies
        .iter()
        .map(|body| perch.post("/users/me/inbox", &key, body));
    let responses = rocket::futures::future::join_all(sent).await;
    assert!(responses.iter().all(|r| r.status() == Status::Accepted));
    assert_eq!(perch.inbound_count(), 20);
}
