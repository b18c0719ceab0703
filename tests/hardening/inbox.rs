//! The inbox over real HTTP: malformed and forged signatures, replays, bodies that are too big or
//! not JSON, and activities of odd shapes. Every refusal leaves `inbound` as it was.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::remote::{eventually, send, Remote};
use crate::harness::{get, Instance, BROWSER};
use crate::probe::{self, inbound, settled};

const INBOX: &str = "/users/ana/inbox";

fn set(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value));
}

/// Headers for `body` signed over `list` with a hand-built signing string, for coverage cases
/// `sign_post` would never produce.
fn signed_over(
    remote: &Remote,
    instance: &Instance,
    list: &str,
    mut headers: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let value = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let lines: Vec<String> = list
        .split(' ')
        .map(|name| match name {
            "(request-target)" => format!("(request-target): post {INBOX}"),
            "host" => format!("host: 127.0.0.1:{}", instance.port),
            other => format!("{other}: {}", value(other)),
        })
        .collect();
    // Alice's real key: these must be refused for their coverage, not their signature.
    let signature = remote.sign_text(&lines.join("\n"));
    let key_id = format!("{}#main-key", remote.actor("alice"));
    set(
        &mut headers,
        "Signature",
        format!(
            r#"keyId="{key_id}",algorithm="rsa-sha256",headers="{list}",signature="{signature}""#
        ),
    );
    headers
}

#[test]
fn malformed_and_misdirected_signatures_are_refused_quickly_and_store_nothing() {
    let instance = Instance::start();
    let remote = Remote::start();
    let url = instance.url(INBOX);
    let follow = remote.activity(
        "alice",
        "Follow",
        "follows/1",
        json!(instance.url("/users/ana")),
    );
    let body = follow.to_string().into_bytes();
    let good = remote.sign("alice", &url, &body, SystemTime::now());
    let signature = good
        .iter()
        .find(|(n, _)| n == "Signature")
        .unwrap()
        .1
        .clone();

    let mut cases: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    let mut twice = good.clone();
    set(
        &mut twice,
        "Signature",
        format!(r#"{signature},keyId="{}#main-key""#, remote.actor("bob")),
    );
    cases.push(("a parameter given twice", twice));
    let mut long = good.clone();
    set(
        &mut long,
        "Signature",
        format!(r#"keyId="{}",{signature}"#, "k".repeat(40_000)),
    );
    cases.push(("a 40 KB header", long));
    let mut unbalanced = good.clone();
    set(
        &mut unbalanced,
        "Signature",
        signature.replacen("\",", ",", 1),
    );
    cases.push(("unbalanced quotes", unbalanced));
    let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
    cases.push((
        "a Date two hours old",
        remote.sign("alice", &url, &body, two_hours_ago),
    ));
    let an_hour_ahead = SystemTime::now() + Duration::from_secs(2 * 3600);
    cases.push((
        "a Date in the future",
        remote.sign("alice", &url, &body, an_hour_ahead),
    ));
    cases.push((
        "Digest not covered",
        signed_over(
            &remote,
            &instance,
            "(request-target) host date",
            good.clone(),
        ),
    ));
    let mut sha512 = good.clone();
    let digest = ring::digest::digest(&ring::digest::SHA512, &body);
    set(
        &mut sha512,
        "Digest",
        format!("SHA-512={}", STANDARD.encode(digest.as_ref())),
    );
    cases.push((
        "a SHA-512 Digest only",
        signed_over(
            &remote,
            &instance,
            "(request-target) host date digest",
            sha512,
        ),
    ));
    let mut bad_digest = good.clone();
    set(&mut bad_digest, "Digest", "SHA-256=not base64!".into());
    cases.push(("a Digest that is not base64", bad_digest));
    let mut no_signature = good.clone();
    no_signature.retain(|(n, _)| n != "Signature");
    cases.push(("no Signature", no_signature));

    for (what, headers) in &cases {
        let started = Instant::now();
        let answer = send(&url, headers, &body);
        assert!(
            matches!(answer.status, 400 | 401 | 431),
            "{what}: {} {}",
            answer.status,
            answer.body
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{what} took {:?}",
            started.elapsed()
        );
    }
    assert_eq!(inbound(&instance), 0);
    assert_eq!(
        remote.gets(),
        0,
        "no key is fetched for a request that fails its shape"
    );

    // Valid for the shared inbox, sent to the owner's: the key is fetched, the check fails.
    let elsewhere = remote.sign("alice", &instance.url("/inbox"), &body, SystemTime::now());
    assert_eq!(send(&url, &elsewhere, &body).status, 401);
    // Signed by Alice, claiming to be Bob.
    let as_bob = remote.activity(
        "bob",
        "Follow",
        "follows/2",
        json!(instance.url("/users/ana")),
    );
    let as_bob = as_bob.to_string().into_bytes();
    let headers = remote.sign("alice", &url, &as_bob, SystemTime::now());
    assert_eq!(send(&url, &headers, &as_bob).status, 401);
    assert_eq!(inbound(&instance), 0);
    assert_eq!(probe::follows(&instance), 0);

    // The genuine request still goes through.
    assert_eq!(send(&url, &good, &body).status, 202);
    assert_eq!(inbound(&instance), 1);
}

/// The Accepts delivered to `remote` for the Follow `follow_id`.
fn accepts_of(remote: &Remote, follow_id: &str) -> usize {
    remote
        .delivered()
        .iter()
        .filter(|a| a["type"] == "Accept" && a["object"]["id"] == follow_id)
        .count()
}

#[test]
fn replays_change_nothing_and_an_old_undo_does_not_end_a_newer_follow() {
    let instance = Instance::start();
    let remote = Remote::start();
    let url = instance.url(INBOX);
    let me = instance.url("/users/ana");
    let following = || probe::followers(&instance);

    let first = remote.activity("alice", "Follow", "follows/1", json!(me));
    let first_id = first["id"].as_str().unwrap().to_string();
    let first = first.to_string().into_bytes();
    let headers = remote.sign("alice", &url, &first, SystemTime::now());
    assert_eq!(send(&url, &headers, &first).status, 202);
    eventually("the Follow is accepted and answered", || {
        settled(&instance) && accepts_of(&remote, &first_id) == 1
    });
    // The very same request again, byte for byte.
    assert_eq!(send(&url, &headers, &first).status, 202);
    assert_eq!(inbound(&instance), 1);
    assert!(settled(&instance));
    assert_eq!(probe::all_notifications(&instance), 1);
    assert_eq!(accepts_of(&remote, &first_id), 1, "no second Accept");

    let undo = remote.activity(
        "alice",
        "Undo",
        "undos/1",
        json!({
            "id": first_id, "type": "Follow", "actor": remote.actor("alice"), "object": me,
        }),
    );
    let undo = undo.to_string().into_bytes();
    let undo_headers = remote.sign("alice", &url, &undo, SystemTime::now());
    assert_eq!(send(&url, &undo_headers, &undo).status, 202);
    eventually("the Undo ends the follow", || {
        settled(&instance) && following() == 0
    });

    let second = remote
        .activity("alice", "Follow", "follows/2", json!(me))
        .to_string();
    assert_eq!(
        remote
            .post(&instance, INBOX, "alice", second.as_bytes())
            .status,
        202
    );
    eventually("the new Follow is accepted", || {
        settled(&instance) && following() == 1
    });

    // The old Undo replayed, and a new Undo of the old Follow: the newer follow stays.
    assert_eq!(send(&url, &undo_headers, &undo).status, 202);
    let late = remote.activity(
        "alice",
        "Undo",
        "undos/2",
        json!({
            "id": first_id, "type": "Follow", "actor": remote.actor("alice"), "object": me,
        }),
    );
    assert_eq!(
        remote
            .post(&instance, INBOX, "alice", late.to_string().as_bytes())
            .status,
        202
    );
    eventually("the late Undo is processed", || settled(&instance));
    assert_eq!(following(), 1, "the newer follow survives an old Undo");
}

/// Sends `total` bytes of body in chunks, without Content-Length; returns the status line's code.
fn post_chunked(instance: &Instance, total: usize) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", instance.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST {INBOX} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/activity+json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        instance.port
    );
    let _ = stream.write_all(head.as_bytes());
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        // The server may answer and close before it is all sent: that is the point.
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || stream.write_all(&chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn oversized_and_broken_bodies_are_refused_and_the_server_keeps_answering() {
    let instance = Instance::start();
    let remote = Remote::start();
    assert_eq!(post_chunked(&instance, 3 * 1024 * 1024), 413);

    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let deep_object = format!("{}1{}", r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("nested arrays", deep.into_bytes()),
        ("nested objects", deep_object.into_bytes()),
        (
            "invalid UTF-8",
            b"{\"id\": \"\xff\xfe\", \"type\": \"Follow\"}".to_vec(),
        ),
        (
            "a lone surrogate",
            br#"{"id": "https://x/\ud800", "type": "Follow"}"#.to_vec(),
        ),
        ("not an object", b"[1, 2, 3]".to_vec()),
        (
            "no id",
            json!({"type": "Follow", "actor": remote.actor("alice")})
                .to_string()
                .into_bytes(),
        ),
        ("an empty body", Vec::new()),
    ];
    for (what, body) in &bodies {
        for _ in 0..2 {
            let answer = remote.post(&instance, INBOX, "alice", body);
            assert_eq!(answer.status, 400, "{what}: {}", answer.body);
        }
        assert_eq!(
            get(&instance.url("/@ana"), BROWSER).status,
            200,
            "alive after {what}"
        );
    }
    assert_eq!(inbound(&instance), 0);
    assert_eq!(
        remote.gets(),
        0,
        "no key is fetched for a body that is not an activity"
    );
}

#[test]
fn odd_shapes_are_answered_the_same_every_time_and_handled_without_panic() {
    let instance = Instance::start();
    let remote = Remote::start();
    let me = instance.url("/users/ana");
    let shapes: Vec<(&str, Value, u16)> = vec![
        // The first type counts (as on Mastodon): this one is a Follow.
        (
            "type as an array",
            json!({"type": ["Follow", "Thing"], "object": me}),
            202,
        ),
        (
            "object as an array",
            json!({"type": "Follow", "object": [me, me]}),
            202,
        ),
        ("an unknown type", json!({"type": "Zap", "object": me}), 202),
        ("type as a number", json!({"type": 7, "object": me}), 400),
        (
            "actor as an array",
            json!({"type": "Like", "actor": [remote.actor("alice"), remote.actor("bob")]}),
            400,
        ),
        (
            "an id on another host",
            json!({"type": "Like", "id": "https://elsewhere.example/1"}),
            401,
        ),
        ("no object", json!({"type": "Undo"}), 202),
    ];
    for (n, (what, fields, status)) in shapes.iter().enumerate() {
        for round in 0..2 {
            let mut activity = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{}/odd/{n}/{round}", remote.origin),
                "actor": remote.actor("alice"),
            });
            for (key, value) in fields.as_object().unwrap() {
                activity[key] = value.clone();
            }
            let answer = remote.post(&instance, INBOX, "alice", activity.to_string().as_bytes());
            assert_eq!(
                answer.status, *status,
                "{what} (round {round}): {}",
                answer.body
            );
        }
    }
    eventually("every queued activity is processed", || settled(&instance));
    assert_eq!(
        probe::inbound_ignored(&instance),
        6,
        "the accepted odd shapes other than the Follow are recorded as ignored"
    );
    assert_eq!(probe::follows(&instance), 1);
    assert_eq!(get(&instance.url("/@ana"), BROWSER).status, 200);
}
