//! A remote server on loopback: serves actor documents (all with one shared key), records every
//! request, answers every POST with 202, and signs activities as its actors.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use perch::federation::keys::{self, SigningKey};
use perch::federation::signatures::{self, Signer};
use serde_json::{json, Value};

use crate::harness::{post_raw, Answer, Instance};

/// One key for every remote actor: generating one takes a while.
fn key() -> &'static (SigningKey, String) {
    static KEY: OnceLock<(SigningKey, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let (der, pem) = keys::generate().expect("key generation");
        (SigningKey::from_pkcs8(&der).expect("a generated key"), pem)
    })
}

/// A request the remote server received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

pub struct Remote {
    pub origin: String,
    documents: Arc<Mutex<HashMap<String, String>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Remote {
    pub fn start() -> Remote {
        let listener = listen("127.0.0.1");
        let origin = format!("http://{}", listener.local_addr().expect("an address"));
        let remote = Remote {
            origin: origin.clone(),
            documents: Arc::default(),
            seen: Arc::default(),
        };
        let (documents, seen) = (remote.documents.clone(), remote.seen.clone());
        // Lives until the test process ends; one thread per connection.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (documents, seen, origin) = (documents.clone(), seen.clone(), origin.clone());
                std::thread::spawn(move || answer(stream, &origin, &documents, &seen));
            }
        });
        remote
    }

    /// A handle on a running remote, for signing from another thread.
    pub fn signer_for(origin: &str) -> Remote {
        Remote {
            origin: origin.to_string(),
            documents: Arc::default(),
            seen: Arc::default(),
        }
    }

    pub fn actor(&self, name: &str) -> String {
        format!("{}/users/{name}", self.origin)
    }

    /// Serves `document` at its `id` instead of the default actor document.
    pub fn set(&self, document: Value) {
        let id = document["id"].as_str().expect("a document with an id");
        let path = id.strip_prefix(&self.origin).expect("a document of ours");
        self.documents
            .lock()
            .unwrap()
            .insert(path.to_string(), document.to_string());
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Activities POSTed to us, as JSON.
    pub fn delivered(&self) -> Vec<Value> {
        self.seen()
            .iter()
            .filter(|s| s.method == "POST")
            .map(Seen::json)
            .collect()
    }

    pub fn gets(&self) -> usize {
        self.seen().iter().filter(|s| s.method == "GET").count()
    }

    /// Headers signing a POST of `body` to `url` as `name`, made at `now`.
    pub fn sign(
        &self,
        name: &str,
        url: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Vec<(String, String)> {
        let key_id = format!("{}#main-key", self.actor(name));
        let signer = Signer {
            key: &key().0,
            key_id: &key_id,
        };
        let url = url::Url::parse(url).expect("a URL");
        signatures::sign_post(&signer, &url, body, "application/activity+json", now)
            .into_iter()
            // The client sends the same Host itself.
            .filter(|(n, _)| *n != "Host")
            .map(|(n, v)| (n.to_string(), v))
            .collect()
    }

    /// Base64 of the shared key's signature of `text`.
    pub fn sign_text(&self, text: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(key().0.sign(text.as_bytes()))
    }

    /// POSTs `body` to `path` on `instance`, signed as `name`.
    pub fn post(&self, instance: &Instance, path: &str, name: &str, body: &[u8]) -> Answer {
        let url = instance.url(path);
        let headers = self.sign(name, &url, body, SystemTime::now());
        send(&url, &headers, body)
    }

    /// Like `post`, but `None` when the server is not there (killed): for fault tests.
    pub fn try_post(&self, instance_url: &str, name: &str, body: &[u8]) -> Option<u16> {
        let headers = self.sign(name, instance_url, body, SystemTime::now());
        let mut request = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent()
            .post(instance_url);
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        request.send(body).ok().map(|r| r.status().as_u16())
    }

    /// An activity by `name` with a fresh id under its host.
    pub fn activity(&self, name: &str, kind: &str, id: &str, object: Value) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/{id}", self.origin),
            "type": kind,
            "actor": self.actor(name),
            "object": object,
        })
    }
}

/// A listener on a port below the ephemeral range: `perch serve` processes get their ports from
/// that range (the harness's `free_port`), and a listener of ours must never take one that a
/// restarting server is about to bind again.
pub fn listen(host: &str) -> TcpListener {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let start = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for _ in 0..1000 {
        let n = start.wrapping_add(NEXT.fetch_add(7919, std::sync::atomic::Ordering::Relaxed));
        let port = 20_000 + (n % 12_000) as u16;
        if let Ok(listener) = TcpListener::bind((host, port)) {
            return listener;
        }
    }
    panic!("no free port below the ephemeral range on {host}");
}

pub fn send(url: &str, headers: &[(String, String)], body: &[u8]) -> Answer {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    post_raw(url, &headers, body)
}

/// A Mastodon-like actor document with the shared key.
pub fn actor_document(origin: &str, name: &str) -> Value {
    let id = format!("{origin}/users/{name}");
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": name,
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("{origin}/inbox")},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key().1},
    })
}

fn answer(
    mut stream: TcpStream,
    origin: &str,
    documents: &Mutex<HashMap<String, String>>,
    seen: &Mutex<Vec<Seen>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_string(),
        parts.next().unwrap_or_default().to_string(),
    );
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let stored = documents.lock().unwrap().get(&path).cloned();
    let document = stored.or_else(|| {
        let name = path.strip_prefix("/users/")?;
        (!name.contains('/')).then(|| actor_document(origin, name).to_string())
    });
    seen.lock().unwrap().push(Seen {
        method: method.clone(),
        path,
        body,
    });
    let response = match (method.as_str(), document) {
        ("POST", _) => "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
        ("GET", Some(document)) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{document}",
            document.len()
        ),
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
    };
    let _ = stream.write_all(response.as_bytes());
}

/// Polls `check` until it holds, for at most 30 s: these servers work under heavier load.
pub fn eventually(what: &str, check: impl FnMut() -> bool) {
    crate::harness::eventually_within(Duration::from_secs(30), what, check);
}

/// Starts (or restarts) the server and checks that it is ours answering on its port.
pub fn serve(instance: &mut Instance) {
    instance.serve();
    let actor = crate::harness::get(&instance.url("/users/ana"), crate::harness::AS_JSON);
    assert_eq!(
        actor.status, 200,
        "another listener answers on port {}",
        instance.port
    );
}
