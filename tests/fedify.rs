//! Perch against Fedify (@fedify/fedify 2.3.6 on Node 22), which signs RFC 9421 first and falls
//! back to draft-cavage after a 401: follows both ways, a post and a reply, and Perch learning
//! which signature the peer takes. Skipped when scripts/test has not installed Fedify.

use std::path::Path;

use crate::harness::{eventually, get, local_tool, Instance};
use crate::interop::Peer;
use crate::probe;

/// The test tools' node_modules when it holds Fedify and the Node 22 it needs.
fn fedify() -> Option<(String, String)> {
    let modules = local_tool("PERCH_NODE_MODULES", "node/node_modules", "Fedify tests")?;
    let node = Path::new(&modules).join(".bin/node");
    let fedify = Path::new(&modules).join("@fedify/fedify");
    if !node.exists() || !fedify.exists() {
        eprintln!("SKIPPED: Fedify tests need @fedify/fedify and node@22 in {modules}");
        return None;
    }
    Some((node.display().to_string(), modules))
}

fn control(port: u16, path: &str) -> serde_json::Value {
    let answer = get(
        &format!("http://127.0.0.1:{port}/control/{path}"),
        "application/json",
    );
    assert_eq!(
        answer.status, 200,
        "fedify /control/{path}: {}",
        answer.body
    );
    answer.json()
}

fn received(port: u16, kind: &str) -> Vec<serde_json::Value> {
    control(port, "received")
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] == kind)
        .cloned()
        .collect()
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn fedify_and_perch_follow_each_other_and_exchange_posts_over_both_signatures() {
    let Some((node, modules)) = fedify() else {
        return;
    };
    let perch = Instance::start();
    let port = crate::harness::free_port();
    let mut command = std::process::Command::new(node);
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/fedify_peer.mjs"
        ))
        .arg(port.to_string())
        .env("PERCH_NODE_MODULES", &modules);
    let _peer = Peer::start(command);
    let fed = format!("http://127.0.0.1:{port}/users/fed");
    let fed_host = format!("127.0.0.1:{port}");
    let actor = perch.url("/users/ana");

    // Fedify follows Perch: its Follow comes signed RFC 9421 first, and Perch takes it.
    control(port, &format!("follow?actor={}", encode(&actor)));
    eventually("Perch has Fedify as a follower", || {
        probe::is_follower(&perch, &fed)
    });
    eventually("Fedify received Perch's Accept", || {
        !received(port, "Accept").is_empty()
    });
    assert_eq!(
        probe::signature_scheme(&perch, &fed_host).as_deref(),
        Some("rfc9421"),
        "Perch learned from Fedify's signature that it takes RFC 9421"
    );

    // Perch posts; the Create reaches Fedify (signed RFC 9421, verified by Fedify).
    let page = perch.post("hello from Perch to Fedify", &[]);
    let id = page.rsplit('/').next().unwrap();
    let post = perch.url(&format!("/users/ana/statuses/{id}"));
    eventually("Fedify received Perch's Create", || {
        received(port, "Create").iter().any(|c| {
            c["object"]["content"]
                .as_str()
                .unwrap_or("")
                .contains("hello from Perch")
        })
    });

    // Perch follows Fedify back by its actor URL; Fedify's Accept comes back.
    let out = perch.cli(&["follow", &fed], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("Fedify received Perch's Follow", || {
        !received(port, "Follow").is_empty()
    });
    eventually("Perch's follow of Fedify is accepted", || {
        probe::following(&perch) == 1
    });

    // Fedify replies to Perch's post; Perch keeps the reply.
    control(
        port,
        &format!(
            "reply?actor={}&to={}&text={}",
            encode(&actor),
            encode(&post),
            encode("a reply from Fedify")
        ),
    );
    eventually("Perch keeps Fedify's reply", || {
        probe::remote_posts_containing(&perch, "a reply from Fedify") == 1
    });
}

#[test]
fn fedify_verifies_perchs_proofs_and_perch_verifies_fedifys() {
    let Some((node, modules)) = fedify() else {
        return;
    };
    let perch = Instance::start();
    let port = crate::harness::free_port();
    let mut command = std::process::Command::new(node);
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/fedify_peer.mjs"
        ))
        .arg(port.to_string())
        .env("PERCH_NODE_MODULES", &modules);
    let _peer = Peer::start(command);
    let fed = format!("http://127.0.0.1:{port}/users/fed");
    let actor = perch.url("/users/ana");

    // Fedify follows Perch; Perch's Accept and then its Create carry Perch's proof, and Fedify's
    // own verifyObject (key fetched by its verificationMethod from Perch's actor) accepts them.
    control(port, &format!("follow?actor={}", encode(&actor)));
    eventually("Perch has Fedify as a follower", || {
        probe::is_follower(&perch, &fed)
    });
    let page = perch.post("proven for Fedify", &[]);
    let post = perch.url(&format!(
        "/users/ana/statuses/{}",
        page.rsplit('/').next().unwrap()
    ));
    let proven = |kind: &str| {
        control(port, "proofs")
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["type"] == kind)
            .cloned()
            .collect::<Vec<_>>()
    };
    eventually("Fedify received Perch's Create", || {
        !proven("Create").is_empty()
    });
    for kind in ["Accept", "Create"] {
        for check in proven(kind) {
            assert_eq!(
                check["proof"]["verificationMethod"],
                format!("{actor}#ed25519-key"),
                "{check}"
            );
            assert_eq!(
                check["verified"], true,
                "Fedify verifies Perch's {kind}: {check}"
            );
        }
    }

    // Fedify replies; its Create carries Fedify's proof (its actor has an Ed25519 key).
    control(
        port,
        &format!(
            "reply?actor={}&to={}&text={}",
            encode(&actor),
            encode(&post),
            encode("proven by Fedify")
        ),
    );
    eventually("Perch keeps Fedify's post", || {
        probe::remote_posts_containing(&perch, "proven by Fedify") == 1
    });
    let body = control(port, "sent")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| serde_json::from_str::<serde_json::Value>(s["body"].as_str()?).ok())
        .find(|b| b["type"] == "Create")
        .expect("Fedify sent its Create");
    assert!(
        body.get("proof").is_some(),
        "Fedify proves its Create: {body}"
    );

    // The same bytes passed on by a server Perch does not follow: taken on Fedify's proof alone.
    // Changed, they are refused.
    let forwarder = crate::hardening::remote::Remote::start();
    let answer = forwarder.post(&perch, "/inbox", "fwd", body.to_string().as_bytes());
    assert_eq!(answer.status, 202, "{}", answer.body);
    let mut tampered = body.clone();
    tampered["object"]["content"] = serde_json::json!("<p>FORGED</p>");
    let answer = forwarder.post(&perch, "/inbox", "fwd", tampered.to_string().as_bytes());
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert!(answer.body.contains("proof"), "{}", answer.body);
}
