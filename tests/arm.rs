//! ARM builds of perch (scripts/build-arm) run under qemu-user against this build's x86 perch:
//! `PERCH_ARM_BINARIES=target:path,...` names them (scripts/test-arm sets it); skipped when unset.
//! 32-bit ARM is where a 64-bit id or millisecond time could truncate, so both are checked
//! end to end: minted on ARM, sent signed, stored by the x86 side.

use std::time::{Duration, Instant};

use crate::harness::{follow_and_wait, get, Instance, AS_JSON};
use crate::probe;

const PASSWORD: &str = "correct horse battery";

/// How to run an ARM binary on this machine: qemu-user with the target's Debian sysroot (the
/// static musl build needs none).
fn runner(target: &str, binary: &str) -> Result<Vec<String>, String> {
    let (qemu, sysroot) = match target {
        "aarch64-unknown-linux-gnu" => ("qemu-aarch64", Some("/usr/aarch64-linux-gnu")),
        "aarch64-unknown-linux-musl" => ("qemu-aarch64", None),
        "armv7-unknown-linux-gnueabihf" => ("qemu-arm", Some("/usr/arm-linux-gnueabihf")),
        other => return Err(format!("no qemu runner known for {other}")),
    };
    let mut program = vec![qemu.to_string()];
    if let Some(sysroot) = sysroot {
        program.extend(["-L".to_string(), sysroot.to_string()]);
    }
    program.push(binary.to_string());
    Ok(program)
}

#[test]
fn arm_binaries_serve_and_federate_with_x86_under_qemu() {
    let Ok(list) = std::env::var("PERCH_ARM_BINARIES") else {
        eprintln!("SKIPPED: PERCH_ARM_BINARIES is not set (scripts/test-arm sets it)");
        return;
    };
    let entries: Vec<(&str, &str)> = list
        .split(',')
        .filter(|e| !e.is_empty())
        .map(|e| {
            e.split_once(':')
                .expect("PERCH_ARM_BINARIES holds target:path pairs")
        })
        .collect();
    if entries.is_empty() {
        eprintln!("SKIPPED: PERCH_ARM_BINARIES names no binary");
    }
    for (target, binary) in entries {
        let program = runner(target, binary).unwrap();
        eprintln!("== {target}: {}", program.join(" "));
        one_target(program);
    }
}

fn one_target(program: Vec<String>) {
    let mut arm = Instance::new();
    arm.program = program;
    let init = arm.cli(&["init"], "");
    assert!(
        init.status.success(),
        "perch init under qemu: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    arm.serve();

    let host = format!("127.0.0.1:{}", arm.port);
    let jrd = get(
        &arm.url(&format!("/.well-known/webfinger?resource=acct:ana@{host}")),
        "*/*",
    );
    assert_eq!(jrd.status, 200, "{}", jrd.body);
    assert!(jrd.content_type().starts_with("application/jrd+json"));
    assert_eq!(jrd.json()["subject"], format!("acct:ana@{host}"));

    let actor = get(&arm.url("/users/ana"), AS_JSON);
    assert_eq!(actor.status, 200);
    assert!(actor
        .content_type()
        .starts_with("application/activity+json"));
    let actor = actor.json();
    assert_eq!(actor["id"], arm.url("/users/ana"));
    let pem = actor["publicKey"]["publicKeyPem"].as_str().unwrap();
    assert!(perch::federation::keys::VerifyingKey::from_pem(pem).is_ok());

    // The ARM side follows the x86 side, which accepts with a signed Accept the ARM side checks;
    // then the other way round, so that the ARM side's posts go to the x86 side.
    let x86 = Instance::start();
    x86.set_password(PASSWORD);
    follow_and_wait(&arm, &x86);
    follow_and_wait(&x86, &arm);
    for side in [&arm, &x86] {
        assert_eq!(probe::followers(side), 1);
    }

    // A post minted on ARM: its id (milliseconds << 16) is far above 2^32.
    let page = arm.post("hello from an ARM perch", &[]);
    let id: i64 = page
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .expect("a numeric id");
    assert!(id > 1 << 32, "post id {id} is above 2^32");
    let stored = probe::only_post(&arm);
    assert_eq!(stored.0, id, "the URL's id is the stored one");
    assert!(
        stored.1 > 1 << 32,
        "created_at {} is in milliseconds",
        stored.1
    );
    let note = get(&arm.url(&format!("/users/ana/statuses/{id}")), AS_JSON);
    assert_eq!(note.status, 200, "{}", note.body);
    assert_eq!(
        note.json()["id"],
        arm.url(&format!("/users/ana/statuses/{id}"))
    );

    // The x86 side receives the signed Create, verifies it against the ARM actor's key, keeps
    // the post under the same id and time, and shows it on its home page.
    let uri = arm.url(&format!("/users/ana/statuses/{id}"));
    wait_until_kept(&x86, &uri, &arm);
    let published = probe::remote_published_at(&x86, &uri).expect("the post is kept");
    assert!(
        (published - stored.1).abs() < 1000,
        "published_at {published} on x86 matches created_at {} on ARM",
        stored.1
    );
    let home = x86.logged_in(PASSWORD).get("/").body;
    assert!(home.contains("hello from an ARM perch"), "{home}");

    // And back: the ARM side verifies the x86 side's signed Create and keeps its 64-bit id.
    let x86_page = x86.post("hello from an x86 perch", &[]);
    let x86_uri = x86.url(&format!(
        "/users/ana/statuses/{}",
        x86_page.rsplit('/').next().unwrap()
    ));
    wait_until_kept(&arm, &x86_uri, &x86);
}

/// Waits (qemu is slow: up to a minute) until `keeper` holds the remote post `uri` from
/// `sender`; a timeout shows both queues.
fn wait_until_kept(keeper: &Instance, uri: &str, sender: &Instance) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while probe::remote_published_at(keeper, uri).is_none() {
        assert!(
            Instant::now() < deadline,
            "{uri} was not kept; sender's deliveries: {:?}; keeper's inbound: {:?}",
            probe::delivery_states(sender),
            probe::inbound_states(keeper),
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
