//! Faults: SIGKILL at random moments while activities arrive and deliveries go out, the CLI and
//! the server writing at once, and a backup taken under load started as a new instance.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::remote::{eventually, serve, Remote};
use crate::harness::{get, Instance, AS_JSON, BROWSER, PERCH};
use crate::probe::{self, integrity, settled};

/// A small xorshift: random kill moments, reproducible from the printed seed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    let seed = std::env::var("PERCH_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("fault seed {seed} (set PERCH_FAULT_SEED to replay)");
    let mut random = Random(seed);
    let mut instance = Instance::new();
    serve(&mut instance);
    let remote = Remote::start();
    let inbox = instance.url("/users/ana/inbox");
    let me = instance.url("/users/ana");
    let started = Instant::now();

    let mut acknowledged: Vec<(String, String)> = Vec::new(); // (follower, Follow id)
    let mut ever_queued: BTreeSet<(String, String)> = BTreeSet::new();
    let mut posts = 0;
    const ROUNDS: usize = 10;
    for round in 0..ROUNDS {
        if round > 0 {
            serve(&mut instance);
        }
        // Follows arrive from a thread while the CLI posts (fanning out to the followers).
        let sender = {
            let (inbox, me, remote_origin) = (inbox.clone(), me.clone(), remote.origin.clone());
            let remote = Remote::signer_for(&remote_origin);
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for i in 0..6 {
                    let name = format!("f{round}x{i}");
                    let follow =
                        remote.activity(&name, "Follow", &format!("follows/{name}"), json!(me));
                    let id = follow["id"].as_str().unwrap().to_string();
                    if remote.try_post(&inbox, &name, follow.to_string().as_bytes()) == Some(202) {
                        acked.push((remote.actor(&name), id));
                    }
                }
                acked
            })
        };
        if instance
            .cli(&["post"], &format!("round {round}"))
            .status
            .success()
        {
            posts += 1;
        }
        std::thread::sleep(Duration::from_millis(random.below(400)));
        instance.kill();
        acknowledged.extend(sender.join().unwrap());
        assert_eq!(integrity(&instance), "ok", "round {round}");
        ever_queued.extend(probe::queued_deliveries(&instance));
    }
    serve(&mut instance);
    eventually("everything queued is processed and delivered", || {
        settled(&instance)
    });
    assert_eq!(integrity(&instance), "ok");
    println!(
        "{ROUNDS} kills, {} follows acknowledged, {posts} posts, {} deliveries seen queued at a kill, {:?}",
        acknowledged.len(),
        ever_queued.len(),
        started.elapsed()
    );
    assert!(
        acknowledged.len() >= ROUNDS,
        "too few requests were acknowledged to mean anything"
    );

    let delivered = remote.delivered();
    for (follower, follow_id) in &acknowledged {
        assert_eq!(
            (
                probe::processed(&instance, follow_id),
                probe::is_follower(&instance, follower),
                probe::notifications_from(&instance, "follow", follower),
            ),
            (true, true, 1),
            "{follow_id}: processed exactly once"
        );
        assert!(
            delivered
                .iter()
                .any(|a| a["type"] == "Accept" && a["object"]["id"] == follow_id.as_str()),
            "{follow_id}: its Accept was delivered"
        );
    }
    let seen: HashSet<(String, String)> = remote
        .seen()
        .iter()
        .filter(|s| s.method == "POST")
        .map(|s| {
            (
                s.json()["id"].as_str().unwrap_or_default().to_string(),
                format!("{}{}", remote.origin, s.path),
            )
        })
        .collect();
    for pair in &ever_queued {
        assert!(
            seen.contains(pair),
            "{pair:?} was queued at a kill but never delivered"
        );
    }
    assert_eq!(probe::posts(&instance), posts);
}

#[test]
fn the_cli_and_the_server_write_at_once_without_locked_errors() {
    let instance = Instance::start();
    let remote = Remote::start();
    let me = instance.url("/users/ana");
    let inbox = instance.url("/users/ana/inbox");
    let sender = {
        let remote = Remote::signer_for(&remote.origin);
        std::thread::spawn(move || {
            (0..40)
                .map(|i| {
                    let name = format!("c{i}");
                    let follow =
                        remote.activity(&name, "Follow", &format!("follows/{i}"), json!(me));
                    remote.try_post(&inbox, &name, follow.to_string().as_bytes())
                })
                .collect::<Vec<_>>()
        })
    };
    let config = instance.config_path();
    let posters: Vec<_> = (0..2)
        .map(|t| {
            let config = config.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|i| {
                        let mut child = std::process::Command::new(PERCH)
                            .args(["post", "--config"])
                            .arg(&config)
                            .stdin(std::process::Stdio::piped())
                            .stdout(std::process::Stdio::piped())
                            .stderr(std::process::Stdio::piped())
                            .spawn()
                            .unwrap();
                        use std::io::Write;
                        child
                            .stdin
                            .take()
                            .unwrap()
                            .write_all(format!("writer {t} post {i}").as_bytes())
                            .unwrap();
                        child.wait_with_output().unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for poster in posters {
        for out in poster.join().unwrap() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && !stderr.contains("locked"),
                "{stderr}"
            );
        }
    }
    let answers = sender.join().unwrap();
    assert!(answers.iter().all(|a| *a == Some(202)), "{answers:?}");
    eventually("the server catches up", || settled(&instance));
    assert_eq!(probe::posts(&instance), 20);
    assert_eq!(probe::follows_in(&instance), 40);
}

#[test]
fn a_backup_under_load_starts_a_new_instance_with_everything_before_it() {
    let original = Instance::start();
    let remote = Remote::start();
    let me = original.url("/users/ana");
    let inbox = original.url("/users/ana/inbox");
    let mut pages = Vec::new();
    for i in 0..10 {
        pages.push(original.post(&format!("before the backup {i}"), &[]));
    }
    for i in 0..10 {
        let name = format!("b{i}");
        let follow = remote.activity(&name, "Follow", &format!("follows/{i}"), json!(me));
        assert_eq!(
            remote.try_post(&inbox, &name, follow.to_string().as_bytes()),
            Some(202)
        );
    }
    eventually("the followers are in", || settled(&original));
    // Load while the backup runs: more followers and more posts.
    let load = {
        let remote = Remote::signer_for(&remote.origin);
        let (me, inbox) = (me.clone(), inbox.clone());
        std::thread::spawn(move || {
            for i in 10..40 {
                let name = format!("b{i}");
                let follow = remote.activity(&name, "Follow", &format!("follows/{i}"), json!(me));
                remote.try_post(&inbox, &name, follow.to_string().as_bytes());
            }
        })
    };
    let copy = original.dir.path().join("backup.db");
    let out = original.cli(&["backup", copy.to_str().unwrap()], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    load.join().unwrap();

    // A new instance on another port, serving the same domain from the copy.
    let mut restored = Instance::new();
    std::fs::copy(&copy, restored.database()).unwrap();
    let config = std::fs::read_to_string(original.config_path())
        .unwrap()
        .replace(
            &format!("port = {}", original.port),
            &format!("port = {}", restored.port),
        );
    std::fs::write(restored.config_path(), config).unwrap();
    restored.serve();
    let on_restored = |url: &str| url.replace(&original.origin, &restored.origin);
    for page in &pages {
        assert_eq!(get(&on_restored(page), BROWSER).status, 200, "{page}");
    }
    let actor = |instance: &Instance| get(&instance.url("/users/ana"), AS_JSON).json();
    assert_eq!(
        actor(&restored)["publicKey"],
        actor(&original)["publicKey"],
        "the same key"
    );
    assert_eq!(actor(&restored)["id"], me, "the same identity");
    let followers = probe::follows_in(&restored);
    assert!((10..=40).contains(&followers), "{followers} followers");
    assert_eq!(integrity(&restored), "ok");
}
