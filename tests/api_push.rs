//! Web Push through the client API against a live `perch serve`: a push service on loopback
//! (Python) decrypts what Perch sends with http_ece, an independent RFC 8291 implementation,
//! and checks the VAPID JWT's ES256 signature with `cryptography`; a 410 from it ends the
//! subscription.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{eventually, follow_and_wait, local_tool, Api, Instance};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

struct PushService {
    child: Child,
    keys: Value,
    pushes: Receiver<Value>,
}

impl PushService {
    fn start(python: &str) -> PushService {
        let mut child = Command::new(python)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/peers/push_service.py"
            ))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the push service");
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let keys: Value = serde_json::from_str(&first).expect("the push service's keys");
        let (sender, pushes) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if sender.send(serde_json::from_str(&line).unwrap()).is_err() {
                    break;
                }
            }
        });
        PushService {
            child,
            keys,
            pushes,
        }
    }

    fn endpoint(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.keys["port"])
    }

    fn next(&self) -> Value {
        self.pushes
            .recv_timeout(Duration::from_secs(20))
            .expect("a push arrived")
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn instance() -> Instance {
    let instance = Instance::start();
    instance.set_password(PASSWORD);
    instance
}

fn subscribe(api: &Api, service: &PushService, path: &str) -> Value {
    let created = api.post_json(
        "/api/v1/push/subscription",
        &json!({
            "subscription": {
                "endpoint": service.endpoint(path),
                "keys": {"p256dh": service.keys["p256dh"], "auth": service.keys["auth"]},
            },
            "data": {"alerts": {"follow": true, "favourite": true, "mention": true}, "policy": "all"},
        }),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    created.json()
}

#[test]
fn pushes_decrypt_with_http_ece_carry_a_valid_vapid_jwt_and_a_410_ends_the_subscription() {
    let Some(python) = local_tool("PERCH_PYTHON", "venv/bin/python", "Web Push tests") else {
        return;
    };
    let a = instance();
    let b = instance();
    let service = PushService::start(&python);
    let api = Api::login(&a, PASSWORD, "read write push");
    let created = subscribe(&api, &service, "/push");
    let vapid_key = created["server_key"].as_str().unwrap().to_string();
    assert_eq!(created["vapid_key"], vapid_key.as_str());
    // The instance documents publish the same key, where apps look for it.
    let v2 = api.get("/api/v2/instance").json();
    assert_eq!(
        v2["configuration"]["vapid"]["public_key"],
        vapid_key.as_str()
    );
    assert_eq!(
        api.get("/api/v1/instance").json()["vapid_key"],
        vapid_key.as_str()
    );
    assert_eq!(created["alerts"]["follow"], true);
    assert_eq!(created["alerts"]["reblog"], false);
    assert_eq!(
        api.get("/api/v1/push/subscription").json()["id"],
        created["id"]
    );

    // B follows A: a `follow` push, decrypted by http_ece, signed with the published key.
    follow_and_wait(&b, &a);
    let push = service.next();
    assert_eq!(push["path"], "/push");
    assert_eq!(push["encoding"], "aes128gcm");
    assert_eq!(push["vapid_ok"], true, "the VAPID JWT verifies: {push}");
    assert_eq!(push["k"], vapid_key.as_str());
    assert_eq!(push["claims"]["aud"], service.endpoint("").as_str());
    assert!(push["claims"]["exp"].as_i64().unwrap() > 0);
    let payload = &push["payload"];
    assert_eq!(payload["notification_type"], "follow", "{push}");
    assert!(payload["notification_id"].as_i64().is_some());
    assert!(payload["title"].as_str().unwrap().contains("following you"));
    // The payload hands the app its own token back, and it works against the API.
    assert_eq!(payload["access_token"], api.token.as_str(), "{push}");
    let by_payload = Api {
        origin: api.origin.clone(),
        token: payload["access_token"].as_str().unwrap().to_string(),
        client_id: api.client_id.clone(),
        client_secret: api.client_secret.clone(),
    };
    assert_eq!(by_payload.get("/api/v1/push/subscription").status, 200);
    // At rest the keys and token are sealed: no raw value in the row.
    let conn = rusqlite::Connection::open(a.database()).unwrap();
    let (p256dh, auth, token): (Vec<u8>, Vec<u8>, Vec<u8>) = conn
        .query_row(
            "SELECT p256dh, auth, access_token FROM push_subscriptions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let raw = |text: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.as_str().unwrap().trim_end_matches('='))
            .unwrap()
    };
    let (raw_p256dh, raw_auth) = (raw(&service.keys["p256dh"]), raw(&service.keys["auth"]));
    let holds = |stored: &[u8], value: &[u8]| stored.windows(value.len()).any(|w| w == value);
    assert!(!holds(&p256dh, &raw_p256dh) && !holds(&auth, &raw_auth));
    assert!(!holds(&token, api.token.as_bytes()));
    assert!(p256dh.len() > raw_p256dh.len() && auth.len() > raw_auth.len());

    // Alerts switched off are not pushed: favourites off, then a like and a reply.
    let updated = api.send_json(
        "PUT",
        "/api/v1/push/subscription",
        &json!({"data": {"alerts": {"favourite": false}}}),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.json()["alerts"]["favourite"], false);
    assert_eq!(updated.json()["alerts"]["follow"], true);
    follow_and_wait(&a, &b);
    let post = a.post("push me", &[]);
    let uri = a.url(&format!(
        "/users/ana/statuses/{}",
        post.rsplit('/').next().unwrap()
    ));
    eventually("B keeps A's post", || probe::remote_posts(&b) == 1);
    let mut browser = b.logged_in(PASSWORD);
    let csrf = browser.csrf("/");
    let liked = browser.post_form(
        "/actions/like",
        &[("csrf", &csrf), ("uri", &uri), ("back", "/")],
    );
    assert_eq!(liked.status, 303);
    b.post("a reply to push", &["--reply-to", &uri]);
    let push = service.next();
    assert_eq!(
        push["payload"]["notification_type"], "mention",
        "the like was not pushed"
    );
    assert!(push["payload"]["body"]
        .as_str()
        .unwrap()
        .contains("a reply to push"));

    // A service that answers 410: the subscription is gone after the next push.
    subscribe(&api, &service, "/gone");
    b.post("another reply", &["--reply-to", &uri]);
    assert_eq!(service.next()["path"], "/gone");
    eventually("the 410 removed the subscription", || {
        api.get("/api/v1/push/subscription").status == 404
    });
    assert_eq!(api.delete("/api/v1/push/subscription").status, 200);
}

#[test]
fn push_subscriptions_need_the_push_scope_and_valid_keys() {
    let a = instance();
    let reader = Api::login(&a, PASSWORD, "read write");
    assert_eq!(reader.get("/api/v1/push/subscription").status, 403);
    let api = Api::login(&a, PASSWORD, "push");
    assert_eq!(api.get("/api/v1/push/subscription").status, 404);
    let bad = api.post_json(
        "/api/v1/push/subscription",
        &json!({"subscription": {"endpoint": "https://push.example/x", "keys": {"p256dh": "AAAA", "auth": "BBBB"}}}),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
}
