//! Starting `perch` processes in temporary folders, and a small HTTP client for them.
//! `instance` runs the processes, `http` and `browser` talk to them; what is in their
//! databases is read through `crate::probe`.

mod api;
mod browser;
mod http;
mod instance;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use api::{register_app, Api};
pub use browser::{csrf_from, Browser};
pub use http::{form_encode, get, http_request, post_raw, Answer, AS_JSON, BROWSER, LD_JSON};
pub use instance::{free_port, Instance, PERCH};

use crate::probe;

/// The shared fixtures folder, or None (with a note) when this checkout has none beside it.
pub fn fixtures() -> Option<PathBuf> {
    let path = std::env::var_os("PERCH_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: fixtures not found at {} (set PERCH_FIXTURES)",
            path.display()
        );
        None
    }
}

/// Polls `check` until it holds, for at most 20 s: another process's workers run on their own
/// clock. For what must happen; what must not is shown by a drained queue (see `probe`).
pub fn eventually(what: &str, check: impl FnMut() -> bool) {
    eventually_within(Duration::from_secs(20), what, check);
}

pub fn eventually_within(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until `sender` has attempted every delivery and `receiver` has processed everything it
/// took in: from then on, what has not arrived will not. Proves an absence without a sleep.
pub fn all_sent_and_handled(sender: &Instance, receiver: &Instance) {
    eventually("the sender's delivery queue is empty", || {
        probe::pending_deliveries(sender) == 0
    });
    eventually("the receiver has processed what it received", || {
        probe::inbound_pending(receiver) == 0
    });
}

/// `@ana@127.0.0.1:PORT`, the instance owner's handle.
pub fn handle(instance: &Instance) -> String {
    format!("@ana@127.0.0.1:{}", instance.port)
}

/// `from` follows `to` through `perch follow`; returns once `to` has accepted and `from` knows.
pub fn follow_and_wait(from: &Instance, to: &Instance) {
    let out = from.cli(&["follow", &handle(to)], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("the follow is accepted", || probe::following(from) >= 1);
}

/// Runs a script of tests/peers with `python` and the arguments; fails the test, showing the
/// script's output, when the script does. Returns what it printed.
pub fn run_python(python: &str, script: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(python)
        .arg(format!(
            "{}/tests/peers/{script}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A test tool set up by scripts/test: `$env`, else `.tools/<local>`; None (with a SKIPPED line
/// saying why) when neither exists.
pub fn local_tool(env: &str, local: &str, needed_for: &str) -> Option<String> {
    let found = std::env::var(env).ok().or_else(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(".tools")
            .join(local);
        path.exists().then(|| path.display().to_string())
    });
    if found.is_none() {
        eprintln!("SKIPPED: {needed_for} need tools that scripts/test installs (.tools/{local})");
    }
    found
}
