//! The command line: init, post, delete, passwd, backup, and its one-line errors.

use crate::harness::{get, Instance, AS_JSON};
use crate::probe;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One line, prefixed, no panic message or backtrace.
fn assert_one_line_error(out: &std::process::Output, expected: &str) {
    assert!(!out.status.success(), "should fail: {}", stdout(out));
    let err = stderr(out);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("perch: "), "{err:?}");
    assert!(
        err.contains(expected),
        "{err:?} should mention {expected:?}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err:?}"
    );
}

#[test]
fn init_is_idempotent_and_keeps_the_key() {
    let instance = Instance::new();
    let first = instance.cli(&["init"], "");
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("created"));
    let key_before = std::fs::read(instance.database()).unwrap().len();
    let key = probe::public_key_pem(&instance);
    let second = instance.cli(&["init"], "");
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("nothing to do"),
        "{}",
        stdout(&second)
    );
    assert_eq!(probe::public_key_pem(&instance), key);
    assert!(key_before > 0);
}

#[test]
fn config_errors_name_the_key() {
    let instance = Instance::new();
    let path = instance.config_path();
    let original = std::fs::read_to_string(&path).unwrap();

    std::fs::write(&path, original.replace("username", "usernme")).unwrap();
    assert_one_line_error(&instance.cli(&["init"], ""), "unknown key \"usernme\"");

    std::fs::write(
        &path,
        original.replace("username = \"ana\"", "username = \"ana b\""),
    )
    .unwrap();
    assert_one_line_error(&instance.cli(&["init"], ""), "username");

    std::fs::write(
        &path,
        original.replace("domain = \"", "domain = \"https://"),
    )
    .unwrap();
    assert_one_line_error(&instance.cli(&["serve"], ""), "domain");

    let missing = instance.dir.path().join("nowhere.toml");
    let out = std::process::Command::new(crate::harness::PERCH)
        .args(["init", "--config"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_one_line_error(&out, "nowhere.toml");

    // --config before the subcommand works too.
    std::fs::write(&path, &original).unwrap();
    let out = std::process::Command::new(crate::harness::PERCH)
        .arg("--config")
        .arg(&path)
        .arg("init")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_database_that_is_not_one_is_a_clear_error() {
    let instance = Instance::new();
    std::fs::write(instance.database(), vec![b'x'; 4096]).unwrap();
    assert_one_line_error(&instance.cli(&["init"], ""), "perch.db");
    assert_one_line_error(&instance.cli(&["post"], "hello"), "perch.db");
}

#[test]
fn commands_on_a_missing_database_say_to_init() {
    let instance = Instance::new();
    assert_one_line_error(&instance.cli(&["post"], "hello"), "perch init");
    assert!(
        !instance.database().exists(),
        "post must not create a database"
    );
}

#[test]
fn a_busy_port_is_one_line() {
    let instance = Instance::new();
    let _holder = std::net::TcpListener::bind(("127.0.0.1", instance.port)).unwrap();
    assert_one_line_error(&instance.cli(&["serve"], ""), "cannot listen");
}

#[test]
fn post_and_delete_from_the_command_line() {
    let mut instance = Instance::new();
    assert!(instance.cli(&["init"], "").status.success());
    let url = instance.post(
        "Hello from the *command line* #perch",
        &["--cw", "test post"],
    );
    assert!(
        url.starts_with(&format!("{}/@ana/", instance.origin)),
        "{url}"
    );
    let id = url.rsplit('/').next().unwrap().to_string();
    instance.serve();

    let note = get(&instance.url(&format!("/users/ana/statuses/{id}")), AS_JSON).json();
    assert_eq!(note["summary"], "test post");
    assert!(note["content"]
        .as_str()
        .unwrap()
        .contains("<em>command line</em>"));

    let reply = instance.post("a reply", &["--reply-to", &url, "--visibility", "unlisted"]);
    let reply_id = reply.rsplit('/').next().unwrap();
    let reply_note = get(
        &instance.url(&format!("/users/ana/statuses/{reply_id}")),
        AS_JSON,
    )
    .json();
    assert_eq!(
        reply_note["inReplyTo"],
        instance.url(&format!("/users/ana/statuses/{id}"))
    );

    // Every form of reference works; an unknown one is a clear error.
    let out = instance.cli(
        &[
            "delete",
            &instance.url(&format!("/users/ana/statuses/{reply_id}")),
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = instance.cli(&["delete", &id], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(get(&url, AS_JSON).status, 404);
    assert_one_line_error(&instance.cli(&["delete", &id], ""), "no post");
    assert_one_line_error(
        &instance.cli(&["delete", "https://elsewhere.example/@ana/1"], ""),
        "not one of our posts",
    );

    assert_one_line_error(&instance.cli(&["post"], "   "), "empty");
    let out = instance.cli(&["post", "--visibility", "secret"], "hi");
    assert!(!out.status.success());
}

/// The server keeps public documents and its profile page in memory: what the command line
/// changes in the database must show on the very next request.
#[test]
fn kept_documents_follow_what_the_command_line_changes() {
    let mut instance = Instance::new();
    assert!(instance.cli(&["init"], "").status.success());
    let url = instance.post("kept in memory", &[]);
    let id = url.rsplit('/').next().unwrap().to_string();
    instance.serve();
    let note = instance.url(&format!("/users/ana/statuses/{id}"));
    let create = format!("{note}/activity");
    let profile = instance.url("/@ana");
    for _ in 0..2 {
        let content = get(&note, AS_JSON).json()["content"].to_string();
        assert!(content.contains("kept in memory"), "{content}");
        assert_eq!(get(&url, AS_JSON).status, 200);
        assert_eq!(get(&create, AS_JSON).status, 200);
        assert!(get(&profile, "text/html").body.contains("kept in memory"));
    }
    let page = get(&profile, "text/html");
    assert!(
        page.body.contains("<strong>1</strong> posts"),
        "{}",
        page.body
    );

    // Posts not for everyone are never answered, before or after anything was kept.
    let private = instance.post("for followers", &["--visibility", "followers"]);
    let private_id = private.rsplit('/').next().unwrap();
    let private_note = instance.url(&format!("/users/ana/statuses/{private_id}"));
    for _ in 0..2 {
        assert_eq!(get(&private_note, AS_JSON).status, 404);
        assert_eq!(
            get(&format!("{private_note}/activity"), AS_JSON).status,
            404
        );
        assert!(!get(&profile, "text/html").body.contains("for followers"));
    }

    let out = instance.cli(&["delete", &id], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(get(&note, AS_JSON).status, 404);
    assert_eq!(get(&url, AS_JSON).status, 404);
    assert_eq!(get(&create, AS_JSON).status, 404);
    let page = get(&profile, "text/html");
    assert!(!page.body.contains("kept in memory"));
    assert!(
        page.body.contains("<strong>0</strong> posts"),
        "{}",
        page.body
    );

    let newer = instance.post("a newer post", &[]);
    assert!(get(&profile, "text/html").body.contains("a newer post"));
    let newer_id = newer.rsplit('/').next().unwrap();
    let answer = get(
        &instance.url(&format!("/users/ana/statuses/{newer_id}")),
        AS_JSON,
    );
    assert_eq!(
        answer.content_type(),
        "application/activity+json; charset=utf-8"
    );
    assert_eq!(answer.header("vary"), Some("Accept"));
}

#[test]
fn passwd_reads_one_line_and_refuses_short_ones() {
    let instance = Instance::new();
    assert!(instance.cli(&["init"], "").status.success());
    assert_one_line_error(&instance.cli(&["passwd"], "short\n"), "at least 8");
    let out = instance.cli(&["passwd"], "a good password\nignored second line\n");
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn backup_while_serving_holds_everything() {
    let instance = Instance::start();
    let mut urls = Vec::new();
    for i in 0..20 {
        urls.push(instance.post(&format!("post number {i}"), &[]));
    }
    let target = instance.dir.path().join("copy.db");
    // Writes keep going while the backup runs.
    let writer = {
        let config = instance.config_path();
        std::thread::spawn(move || {
            for i in 0..10 {
                let out = std::process::Command::new(crate::harness::PERCH)
                    .args(["post", "--config"])
                    .arg(&config)
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .and_then(|mut child| {
                        use std::io::Write;
                        child
                            .stdin
                            .take()
                            .unwrap()
                            .write_all(format!("concurrent {i}").as_bytes())?;
                        child.wait_with_output()
                    })
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    let out = instance.cli(&["backup", target.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", stderr(&out));
    writer.join().unwrap();
    assert_one_line_error(
        &instance.cli(&["backup", target.to_str().unwrap()], ""),
        "already exists",
    );

    assert_eq!(probe::integrity(&target), "ok");
    let posts = probe::posts(&target);
    assert!(
        posts >= 20,
        "all posts made before the backup are in it: {posts}"
    );
    assert!(probe::has_private_key(&target));
    // The push key goes with it, readable by its owner only.
    let key = perch::secrets::key_path(&target);
    assert_eq!(
        std::fs::read(&key).unwrap(),
        std::fs::read(perch::secrets::key_path(instance.database())).unwrap()
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn follow_of_an_unknown_or_refused_account_is_an_error() {
    let instance = Instance::new();
    assert!(instance.cli(&["init"], "").status.success());
    let port = crate::harness::free_port();
    assert_one_line_error(
        &instance.cli(&["follow", &format!("@nobody@127.0.0.1:{port}")], ""),
        "nobody",
    );
    assert_one_line_error(
        &instance.cli(&["follow", "not a handle"], ""),
        "not a handle",
    );

    // With the guard on (the default), loopback is refused before any connection is made.
    let path = instance.config_path();
    let config = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        config.replace(
            "allow_private_addresses = true",
            "allow_private_addresses = false",
        ),
    )
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let target = format!(
        "http://127.0.0.1:{}/actor",
        listener.local_addr().unwrap().port()
    );
    assert_one_line_error(&instance.cli(&["follow", &target], ""), "");
    assert!(
        listener.accept().is_err(),
        "no connection reached the listener"
    );
}
