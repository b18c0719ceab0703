//! Running as a service: SIGTERM during a burst, the systemd unit, `/health`, scheduled backups,
//! `perch restore`, a database from a newer Perch, and `perch doctor`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::hardening::remote::Remote;
use crate::harness::{eventually, get, Instance, PERCH};
use crate::probe;

/// A `perch serve` of our own, so that the test can signal it.
pub struct Server {
    child: Child,
    pub lines: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `perch serve` on `instance`'s config and waits until it answers on its port.
    pub fn start(instance: &Instance) -> Server {
        let mut child = Command::new(PERCH)
            .args(["serve", "--config"])
            .arg(instance.config_path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start perch");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut server = Server { child, lines };
        let mut serving = false;
        while !serving || std::net::TcpStream::connect(("127.0.0.1", instance.port)).is_err() {
            assert!(Instant::now() < deadline, "perch did not start");
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("perch exited at start: {status}");
            }
            if let Ok(line) = server.lines.recv_timeout(Duration::from_millis(50)) {
                serving = line.starts_with("Perch is serving");
            }
        }
        let health = get(&instance.url("/health"), "application/json");
        assert_eq!(health.status, 200, "our perch answers: {}", health.body);
        server
    }

    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM");
    }

    /// The exit status, or None when it is still running after `limit`.
    pub fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wal_size(database: &Path) -> u64 {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    std::fs::metadata(Path::new(&name)).map_or(0, |m| m.len())
}

#[test]
fn sigterm_during_a_burst_exits_cleanly_and_loses_nothing_acknowledged() {
    let instance = Instance::new();
    let mut server = Server::start(&instance);
    let remote = Remote::start();
    let inbox = instance.url("/users/ana/inbox");
    let me = instance.url("/users/ana");
    // Follows arrive from two threads (each queues an Accept) while the CLI posts (each post fans
    // out to the followers so far): inbound rows and deliveries both in flight at the signal.
    let (acked_tx, acked_rx) = mpsc::channel::<String>();
    let senders: Vec<_> = (0..2)
        .map(|thread| {
            let (inbox, me, acked_tx) = (inbox.clone(), me.clone(), acked_tx.clone());
            let remote = Remote::signer_for(&remote.origin);
            std::thread::spawn(move || {
                for i in 0..200 {
                    let name = format!("t{thread}x{i}");
                    let follow =
                        remote.activity(&name, "Follow", &format!("follows/{name}"), json!(me));
                    let id = follow["id"].as_str().unwrap().to_string();
                    match remote.try_post(&inbox, &name, follow.to_string().as_bytes()) {
                        Some(202) => {
                            let _ = acked_tx.send(id);
                        }
                        // Refused or cut off: the server is stopping.
                        _ => break,
                    }
                }
            })
        })
        .collect();
    drop(acked_tx);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 12 {
        acknowledged.push(
            acked_rx
                .recv_timeout(Duration::from_secs(20))
                .expect("the burst is acknowledged"),
        );
        if acknowledged.len() % 4 == 0 {
            let out = instance.cli(&["post"], &format!("post {}", acknowledged.len()));
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // Under load the worker may not have started on the burst yet: a stop with nothing handled
    // would prove less.
    eventually("the worker handles part of the burst", || {
        probe::inbound_processed(&instance) > 0
    });
    let signalled = Instant::now();
    server.terminate();
    let status = server
        .wait(Duration::from_secs(10))
        .expect("perch exits within 10 s of SIGTERM");
    let took = signalled.elapsed();
    assert!(status.success(), "exit status {status}");
    for sender in senders {
        sender.join().unwrap();
    }
    acknowledged.extend(acked_rx.try_iter());
    println!("{} acknowledged, stopped in {took:?}", acknowledged.len());
    assert!(acknowledged.len() < 400, "the signal came mid-burst");

    assert_eq!(wal_size(instance.database()), 0, "the WAL was checkpointed");
    for id in &acknowledged {
        assert_eq!(
            probe::received(&instance, id),
            1,
            "{id} was acknowledged, so it is stored"
        );
    }
    // A Follow handled before the stop has its Accept sent or still queued, never half done.
    let delivered = remote.delivered();
    let processed = probe::processed_ids(&instance);
    assert!(
        !processed.is_empty(),
        "the worker handled some of the burst"
    );
    let queued = probe::queued_bodies(&instance);
    for id in &processed {
        let sent = delivered
            .iter()
            .any(|a| a["type"] == "Accept" && a["object"]["id"] == id.as_str());
        let waiting = queued.iter().any(|body| body.contains(id.as_str()));
        assert!(sent || waiting, "{id}: its Accept is sent or queued");
    }
    let integrity = probe::integrity(&instance);
    assert_eq!(integrity, "ok");
}

#[test]
fn the_systemd_unit_is_hardened_and_verifies() {
    let unit = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/perch.service"),
    )
    .expect("examples/perch.service");
    for line in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/perch",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=15",
    ] {
        assert!(unit.lines().any(|l| l == line), "the unit has {line}");
    }
    assert!(unit.lines().any(|l| l.starts_with("MemoryMax=")));
    let Ok(which) = Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("SKIPPED: systemd-analyze not found; the unit was checked by its lines only");
        return;
    };
    assert!(which.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("perch.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/perch", PERCH)).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "systemd-analyze verify: {stderr}");
    // It warns about unknown keys and bad values but still exits 0.
    assert!(
        !stderr.contains("perch.service"),
        "systemd-analyze has something to say: {stderr}"
    );
}

#[test]
fn health_is_200_while_serving_and_503_with_a_stopped_worker() {
    let instance = Instance::start();
    let health = get(&instance.url("/health"), "application/json");
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), json!({ "status": "ok" }));
    assert!(health.content_type().starts_with("application/json"));

    // The same rocket in process, with a worker whose thread has ended.
    let config = perch::config::Config::load(&instance.config_path()).unwrap();
    let rocket = perch::app::rocket(config).unwrap();
    // SIGTERM leaves open requests 2 s, then 1 s more: well inside systemd's 15 s.
    let settings: rocket::Config = rocket.figment().extract().unwrap();
    assert_eq!((settings.shutdown.grace, settings.shutdown.mercy), (2, 1));
    let quick = std::thread::spawn(|| {});
    while !quick.is_finished() {
        std::thread::yield_now();
    }
    let workers = rocket.state::<perch::ops::workers::Workers>().unwrap();
    workers.add("delivery", quick);
    let client = rocket::local::blocking::Client::untracked(rocket).unwrap();
    let response = client.get("/health").dispatch();
    assert_eq!(response.status().code, 503);
    let body: serde_json::Value = serde_json::from_str(&response.into_string().unwrap()).unwrap();
    assert_eq!(body["failing"], "workers");
    assert_eq!(body["stopped"], json!(["delivery"]));
}

#[test]
fn serve_takes_its_daily_backup_and_restore_waits_for_it_to_stop() {
    let instance = Instance::new();
    let config = instance.config_path();
    let mut text = std::fs::read_to_string(&config).unwrap();
    // Midnight UTC has always passed: the backup is due at start.
    text.push_str("[backup]\nfolder = \"backups\"\ndaily_at = \"00:00\"\nkeep = 3\n");
    std::fs::write(&config, text).unwrap();
    let out = instance.cli(&["init"], "");
    assert!(out.status.success());
    let post = instance.post("before the backup", &[]);
    let mut server = Server::start(&instance);
    let folder = instance.dir.path().join("backups");
    let today = time::OffsetDateTime::now_utc().date();
    let file = folder.join(format!(
        "perch-{:04}-{:02}-{:02}.db",
        today.year(),
        u8::from(today.month()),
        today.day()
    ));
    eventually("today's backup is written", || file.exists());

    let out = instance.cli(&["restore", file.to_str().unwrap()], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a Perch server is running"), "{stderr}");

    instance.post("after the backup", &[]);
    assert_eq!(probe::posts(&instance), 2);
    server.terminate();
    assert!(server.wait(Duration::from_secs(10)).unwrap().success());
    let out = instance.cli(&["restore", file.to_str().unwrap()], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(probe::posts(&instance), 1);
    assert!(instance.dir.path().join("perch.db.before-restore").exists());
    let _server = Server::start(&instance);
    let page = get(&post, crate::harness::BROWSER);
    assert_eq!(page.status, 200, "the restored post is served");
}

#[test]
fn a_database_from_a_newer_perch_is_refused_and_left_as_it_was() {
    let instance = Instance::new();
    assert!(instance.cli(&["init"], "").status.success());
    {
        let conn = rusqlite::Connection::open(instance.database()).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = std::fs::read(instance.database()).unwrap();
    for command in ["serve", "init"] {
        let out = instance.cli(&[command], "");
        assert!(!out.status.success(), "{command} refuses");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{command}: one line: {stderr}");
        assert!(
            stderr.contains("schema version 999, newer than this Perch knows"),
            "{command}: {stderr}"
        );
        assert_eq!(
            std::fs::read(instance.database()).unwrap(),
            before,
            "{command} left the file as it was"
        );
    }
}

fn doctor(instance: &Instance) -> (bool, Vec<String>) {
    let out = instance.cli(&["doctor"], "");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    (out.status.success(), lines)
}

fn line<'a>(lines: &'a [String], name: &str) -> &'a str {
    lines
        .iter()
        .find(|l| {
            l.get(6..)
                .is_some_and(|rest| rest.starts_with(&format!("{name}:")))
        })
        .unwrap_or_else(|| panic!("no {name} line in {lines:#?}"))
}

#[test]
fn doctor_passes_on_a_running_instance_and_names_what_is_broken() {
    let mut instance = Instance::start();
    let (ok, lines) = doctor(&instance);
    assert!(ok, "{lines:#?}");
    for name in [
        "config",
        "database",
        "disk",
        "folder",
        "dns",
        "webfinger",
        "actor",
        "queue",
        "push key",
    ] {
        assert!(line(&lines, name).starts_with("ok    "), "{lines:#?}");
    }
    // A key others can read is named, with what to do.
    let key = perch::secrets::key_path(instance.database());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, lines) = doctor(&instance);
    assert!(!ok, "{lines:#?}");
    assert!(line(&lines, "push key").contains("chmod 600"), "{lines:#?}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    // Nothing delivered yet, so no remote Date to compare with; no certificate over http.
    for name in ["clock", "tls"] {
        assert!(line(&lines, name).starts_with("skip  "), "{lines:#?}");
    }
    assert!(line(&lines, "queue").contains("0 deliveries pending"));

    // The delivery worker saw remote answers five minutes behind us, then within a second.
    let conn = rusqlite::Connection::open(instance.database()).unwrap();
    let seen = perch::model::Timestamp::now();
    perch::store::settings::set_remote_date_skew(&conn, 300, seen).unwrap();
    let (ok, lines) = doctor(&instance);
    assert!(!ok, "{lines:#?}");
    let clock = line(&lines, "clock");
    assert!(
        clock.starts_with("FAIL  ") && clock.contains("300 s off") && clock.contains("set-ntp"),
        "{clock}"
    );
    perch::store::settings::set_remote_date_skew(&conn, -1, seen).unwrap();
    let (ok, lines) = doctor(&instance);
    assert!(ok, "{lines:#?}");
    assert!(line(&lines, "clock").starts_with("ok    "), "{lines:#?}");
    drop(conn);

    // Stopped: the public origin does not answer.
    instance.kill();
    let (ok, lines) = doctor(&instance);
    assert!(!ok);
    assert!(
        line(&lines, "webfinger").starts_with("FAIL  "),
        "{lines:#?}"
    );
    assert!(line(&lines, "database").starts_with("ok    "), "{lines:#?}");

    // A corrupt database file.
    let mut bytes = std::fs::read(instance.database()).unwrap();
    for b in bytes.iter_mut().skip(100).take(4000) {
        *b = 0x5a;
    }
    std::fs::write(instance.database(), bytes).unwrap();
    let _ = std::fs::remove_file(instance.dir.path().join("perch.db-wal"));
    let out = instance.cli(&["doctor"], "");
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let database = line(&lines, "database");
    assert!(
        database.starts_with("FAIL  ") && database.contains("perch restore"),
        "{database}"
    );

    // A configuration that does not parse is a FAIL line too, not a bare error.
    std::fs::write(instance.config_path(), "domian = 1\n").unwrap();
    let (ok, lines) = doctor(&instance);
    assert!(!ok);
    assert!(
        line(&lines, "config").contains("unknown key \"domian\""),
        "{lines:#?}"
    );
}

#[test]
fn the_server_page_shows_version_uptime_queues_and_refusals_to_the_owner_only() {
    let instance = Instance::start();
    let anonymous = instance.browser().get("/settings/server");
    assert_ne!(anonymous.status, 200, "the owner's page only");
    // A signed request whose body is not an activity: refused, and counted by its reason.
    let remote = Remote::start();
    let not_an_activity = br#"{"type":"Follow"}"#;
    let refused = remote.post(&instance, "/users/ana/inbox", "alice", not_an_activity);
    assert!(refused.status >= 400, "{}", refused.body);
    let reason = refused.json()["error"].as_str().unwrap().to_string();

    instance.set_password("a long enough password");
    let mut browser = instance.logged_in("a long enough password");
    let settings = browser.get("/settings");
    assert_eq!(settings.status, 200);
    assert!(
        settings.body.contains(r#"href="/settings/server""#),
        "{}",
        settings.body
    );
    let page = browser.get("/settings/server");
    assert_eq!(page.status, 200);
    for text in [
        format!("Perch {}", env!("CARGO_PKG_VERSION")),
        "Up for".into(),
        "0 waiting".into(),
        "Every server we deliver to answers.".into(),
        format!("1 × {reason}"),
    ] {
        assert!(page.body.contains(&text), "{text:?} in {}", page.body);
    }
}
