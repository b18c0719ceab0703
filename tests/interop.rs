//! Perch against implementations nobody here wrote: bovine (Python) follows and verifies, and
//! two npm libraries check our outgoing signatures. Skipped when scripts/test has not set them up.

use crate::harness::{eventually, get, local_tool, post_raw, Instance};
use crate::probe;

fn python() -> Option<String> {
    local_tool("PERCH_PYTHON", "venv/bin/python", "bovine tests")
}

fn node_modules() -> Option<String> {
    local_tool(
        "PERCH_NODE_MODULES",
        "node/node_modules",
        "npm verifier tests",
    )
}

/// A peer process that prints "ready" when it listens; killed when dropped.
pub(crate) struct Peer(std::process::Child);

impl Peer {
    pub(crate) fn start(mut command: std::process::Command) -> Peer {
        use std::io::BufRead;
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start peer");
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        assert_eq!(first.trim(), "ready", "the peer did not start");
        std::thread::spawn(move || for _ in lines {});
        Peer(child)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn bovine_follows_perch_and_verifies_its_accept() {
    let Some(python) = python() else { return };
    let perch = Instance::start();
    let port = crate::harness::free_port();
    let mut command = std::process::Command::new(python);
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/bovine_peer.py"
        ))
        .arg(port.to_string());
    let _peer = Peer::start(command);
    let actor = format!("http://127.0.0.1:{port}/actor");
    let send = |activity: serde_json::Value| -> serde_json::Value {
        let order =
            serde_json::json!({"inbox": perch.url("/users/ana/inbox"), "activity": activity});
        post_raw(
            &format!("http://127.0.0.1:{port}/control/send"),
            &[("Content-Type", "application/json")],
            order.to_string().as_bytes(),
        )
        .json()
    };
    let follow = send(serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/follows/1"), "type": "Follow", "actor": actor, "object": perch.url("/users/ana")
    }));
    assert_eq!(follow["status"], 202, "{follow}");
    eventually("Perch accepts bovine as a follower", || {
        probe::followers(&perch) == 1
    });
    eventually("bovine receives a verified Accept", || {
        let inbox = get(
            &format!("http://127.0.0.1:{port}/control/inbox"),
            "application/json",
        )
        .json();
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["activity"]["type"] == "Accept" && r["verified"] == perch.url("/users/ana"))
    });
    let create = send(serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/creates/1"), "type": "Create", "actor": actor,
        "to": [perch.url("/users/ana")],
        "object": {
            "id": format!("{actor}/notes/1"), "type": "Note", "attributedTo": actor,
            "to": [perch.url("/users/ana")], "content": "<p>hello Perch, from bovine</p>",
            "published": "2026-11-27T08:00:00Z",
            "tag": [{"type": "Mention", "href": perch.url("/users/ana")}]
        }
    }));
    assert_eq!(create["status"], 202, "{create}");
    eventually("Perch keeps the mention and notifies", || {
        probe::notifications(&perch, "mention") == 1
    });
    // Perch's posts reach bovine signed in a way bovine verifies.
    perch.post("to my followers", &[]);
    eventually("bovine verifies Perch's Create", || {
        let inbox = get(
            &format!("http://127.0.0.1:{port}/control/inbox"),
            "application/json",
        )
        .json();
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["activity"]["type"] == "Create" && r["verified"] == perch.url("/users/ana"))
    });
}

#[test]
fn outgoing_signatures_verify_with_two_npm_libraries() {
    let Some(modules) = node_modules() else {
        return;
    };
    let perch = Instance::start();
    let port = crate::harness::free_port();
    let mut command = std::process::Command::new("node");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/verify_sink.mjs"
        ))
        .arg(port.to_string())
        .env("PERCH_NODE_MODULES", modules);
    let _sink = Peer::start(command);
    let out = perch.cli(&["follow", &format!("http://127.0.0.1:{port}/actor")], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("the sink checked Perch's Follow", || {
        let results = get(
            &format!("http://127.0.0.1:{port}/control/results"),
            "application/json",
        )
        .json();
        !results.as_array().unwrap().is_empty()
    });
    let results = get(
        &format!("http://127.0.0.1:{port}/control/results"),
        "application/json",
    )
    .json();
    let first = &results[0];
    assert_eq!(first["activity"]["type"], "Follow");
    assert_eq!(first["misskey"], true, "{first}");
    assert_eq!(first["joyent"], true, "{first}");
    assert_eq!(first["digest"], true, "{first}");
}
