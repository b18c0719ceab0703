//! What the domain tests share: one RSA key (generating one takes a while), our instance's URLs,
//! remote actor documents, and a remote web made of a map.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::config::Config;
use crate::federation::client::{FetchError, WebfingerAnswer};
use crate::federation::keys::{self, SigningKey};
use crate::urls::Urls;

use super::actors::Fetch;

/// One key for every test, as PKCS#8 DER and public PEM (for databases that need it stored).
pub fn test_key_material() -> &'static (Vec<u8>, String) {
    static KEY: OnceLock<(Vec<u8>, String)> = OnceLock::new();
    KEY.get_or_init(|| keys::generate().expect("key generation"))
}

/// The test key, ready to sign, with its public PEM.
pub fn test_key() -> &'static (SigningKey, String) {
    static KEY: OnceLock<(SigningKey, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let (der, pem) = test_key_material();
        let key = SigningKey::from_pkcs8(der).expect("a generated key loads");
        (key, pem.clone())
    })
}

/// Our instance: `http://perch.test/users/me`.
pub fn urls() -> Urls {
    let config = Config::parse(
        "domain = \"perch.test\"\nusername = \"me\"",
        std::path::Path::new("."),
    )
    .expect("a valid test configuration");
    Urls::new(&config)
}

/// A Mastodon-like actor document at `{origin}/users/{name}` with the test key.
pub fn actor_doc(origin: &str, name: &str) -> Value {
    let id = format!("{origin}/users/{name}");
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": name.to_uppercase(),
        "summary": "<p>hello</p>",
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("{origin}/inbox")},
        "url": format!("{origin}/@{name}"),
        "publicKey": {
            "id": format!("{id}#main-key"),
            "owner": id,
            "publicKeyPem": test_key().1,
        }
    })
}

/// A remote web held in memory: documents by URL, WebFinger answers by `user@domain`.
#[derive(Default)]
pub struct FakeRemote {
    pub documents: HashMap<String, Value>,
    pub webfinger: HashMap<String, String>,
    /// NodeInfo software names by `host[:port]`.
    pub software: HashMap<String, String>,
    /// URLs that answer as if the network were down.
    pub down: Vec<String>,
    pub fetched: RefCell<Vec<String>>,
}

impl FakeRemote {
    pub fn with(documents: impl IntoIterator<Item = Value>) -> FakeRemote {
        let mut remote = FakeRemote::default();
        for document in documents {
            remote.add(document);
        }
        remote
    }

    pub fn add(&mut self, document: Value) {
        let id = document["id"]
            .as_str()
            .expect("a test document has an id")
            .to_string();
        self.documents.insert(id, document);
    }
}

impl Fetch for FakeRemote {
    fn get_activity(&self, url: &str) -> Result<Value, FetchError> {
        let url = url.split('#').next().unwrap_or(url);
        self.fetched.borrow_mut().push(url.to_string());
        if self.down.iter().any(|d| d == url) {
            return Err(FetchError::Network("connection refused".into()));
        }
        self.documents
            .get(url)
            .cloned()
            .ok_or(FetchError::Status(404))
    }

    fn webfinger(&self, user: &str, domain: &str) -> Result<WebfingerAnswer, FetchError> {
        self.fetched
            .borrow_mut()
            .push(format!("acct:{user}@{domain}"));
        match self.webfinger.get(&format!("{user}@{domain}")) {
            Some(actor_id) => Ok(WebfingerAnswer {
                actor_id: actor_id.clone(),
                subscribe_template: None,
            }),
            None => Err(FetchError::Status(404)),
        }
    }

    fn software(&self, host: &str) -> Result<String, FetchError> {
        self.fetched.borrow_mut().push(format!("nodeinfo:{host}"));
        self.software
            .get(host)
            .cloned()
            .ok_or(FetchError::Status(404))
    }
}

/// The shared fixtures folder, or None (with a note) when it is absent.
pub fn fixtures() -> Option<std::path::PathBuf> {
    let root = std::env::var_os("PERCH_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures").into());
    if root.is_dir() {
        Some(root)
    } else {
        println!(
            "skipped: no fixtures at {} (set PERCH_FIXTURES)",
            root.display()
        );
        None
    }
}

/// Every `.json` file under the fixtures folder, sorted.
pub fn fixture_files() -> Vec<std::path::PathBuf> {
    let Some(root) = fixtures() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a readable fixtures folder") {
            let path = entry.expect("a readable entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Property-test settings: `default_cases` cases (kept small so `cargo test` stays quick) unless
/// `PROPTEST_CASES` asks for a longer run; failures are reported, not written to files (a failing
/// input is kept as a named regression test instead).
pub fn fuzz_config(default_cases: u32) -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    config.failure_persistence = None;
    config
}

/// A fuzz target: runs `round` (a batch of `default_cases` random cases, given its number and
/// settings) once, then again until `PERCH_FUZZ_SECONDS` have passed when that is set (CI's
/// longer run; see the README).
pub fn fuzz_for(
    target: &str,
    default_cases: u32,
    mut round: impl FnMut(u32, proptest::test_runner::Config),
) {
    let config = fuzz_config(default_cases);
    let budget = std::env::var("PERCH_FUZZ_SECONDS")
        .ok()
        .and_then(|seconds| seconds.parse().ok())
        .map(std::time::Duration::from_secs)
        .unwrap_or_default();
    let start = std::time::Instant::now();
    let mut rounds = 0;
    loop {
        round(rounds, config.clone());
        rounds += 1;
        if start.elapsed() >= budget {
            break;
        }
    }
    eprintln!(
        "fuzz {target}: {} cases in {:.1} s",
        u64::from(rounds) * u64::from(config.cases),
        start.elapsed().as_secs_f64()
    );
}

/// What was queued for delivery: (inbox, activity), oldest first.
pub fn queued(conn: &rusqlite::Connection) -> Vec<(String, Value)> {
    let mut statement = conn
        .prepare(
            "SELECT inbox, body FROM deliveries JOIN outbound_activities
             ON outbound_activities.id = deliveries.activity_id ORDER BY deliveries.id",
        )
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get::<_, String>(1)?)))
        .unwrap()
        .map(|r| {
            let (inbox, body) = r.unwrap();
            (inbox, serde_json::from_str(&body).unwrap())
        })
        .collect()
}
