//! One Perch instance for the bench: a temporary folder with its instance.toml and database, a
//! real `perch serve` process, and what /proc says about it.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::http::Connection;

pub const USERNAME: &str = "bench";
pub const PASSWORD: &str = "bench password 1234";

/// A free port below Linux's ephemeral range (32768 up), so that the bench's own listeners on
/// port 0 (a thousand sinks) cannot take it between now and the server's start.
pub fn free_port() -> u16 {
    let seed = std::process::id() as u64
        ^ std::time::UNIX_EPOCH
            .elapsed()
            .map_or(0, |d| d.as_nanos() as u64);
    (0..12_000u64)
        .map(|i| 20_000 + ((seed + i * 7_919) % 12_000) as u16)
        .find(|&port| TcpListener::bind(("127.0.0.1", port)).is_ok())
        .expect("a free loopback port between 20000 and 32000")
}

pub struct Instance {
    pub perch: PathBuf,
    pub dir: tempfile::TempDir,
    pub port: u16,
    server: Option<Child>,
}

impl Instance {
    /// A configured instance with its database and key made by `perch init`.
    pub fn init(perch: &Path) -> Instance {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let port = free_port();
        let config = format!(
            "domain = \"127.0.0.1:{port}\"\nusername = \"{USERNAME}\"\ndisplay_name = \"Bench\"\n\
             database = \"perch.db\"\n[server]\naddress = \"127.0.0.1\"\nport = {port}\n\
             [federation]\nallow_private_addresses = true\n"
        );
        std::fs::write(dir.path().join("instance.toml"), config).expect("write instance.toml");
        let instance = Instance {
            perch: perch.to_path_buf(),
            dir,
            port,
            server: None,
        };
        instance.cli_ok(&["init"], "");
        instance
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("instance.toml")
    }

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("perch.db")
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn config(&self) -> perch::config::Config {
        perch::config::Config::load(&self.config_path()).expect("the bench's instance.toml loads")
    }

    pub fn cli(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(&self.perch)
            .args(args)
            .arg("--config")
            .arg(self.config_path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run perch");
        // A command that fails before reading its input closes the pipe; its output says why.
        let _ = child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(stdin.as_bytes());
        child.wait_with_output().expect("perch finished")
    }

    pub fn cli_ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.cli(args, stdin);
        assert!(
            out.status.success(),
            "perch {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `perch serve`; returns the time from spawning it to its first answered request.
    pub fn start(&mut self) -> Duration {
        assert!(self.server.is_none(), "the server is already running");
        let started = Instant::now();
        let mut child = Command::new(&self.perch)
            .args(["serve", "--config"])
            .arg(self.config_path())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start perch serve");
        let deadline = started + Duration::from_secs(30);
        let path = format!(
            "/.well-known/webfinger?resource=acct:{USERNAME}@127.0.0.1:{}",
            self.port
        );
        loop {
            if let Ok(mut connection) = Connection::open(self.port) {
                if let Ok(answer) = connection.get(&path, &[]) {
                    assert_eq!(answer.status, 200, "WebFinger: {}", answer.text());
                    break;
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("perch serve exited early: {status}");
            }
            assert!(Instant::now() < deadline, "perch serve did not answer");
            std::thread::sleep(Duration::from_millis(1));
        }
        let first_answer = started.elapsed();
        self.server = Some(child);
        first_answer
    }

    /// Stops the server with SIGTERM's cousin: the bench only needs it gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn pid(&self) -> u32 {
        self.server.as_ref().expect("the server is running").id()
    }

    /// User plus system CPU time the server has used so far.
    pub fn cpu(&self) -> Duration {
        cpu_time(self.pid())
    }

    /// (VmRSS, VmHWM) in KiB.
    pub fn memory(&self) -> (u64, u64) {
        memory(self.pid())
    }

    /// Resets the peak RSS so that VmHWM measures one phase; false when the kernel refuses.
    pub fn reset_peak(&self) -> bool {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5").is_ok()
    }

    /// Logs in as the owner and returns the Cookie header value.
    pub fn login(&self) -> String {
        let mut connection = Connection::open(self.port).expect("connect");
        let origin = self.origin();
        let form = format!("password={}&next=%2F", PASSWORD.replace(' ', "+"));
        let answer = connection
            .post(
                "/login",
                &[
                    ("Origin", &origin),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("User-Agent", "perch-bench"),
                ],
                form.as_bytes(),
            )
            .expect("POST /login");
        assert_eq!(answer.status, 303, "login: {}", answer.text());
        answer
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A client API bearer token (an app and the password grant), as an app logs in.
    pub fn api_token(&self) -> String {
        let mut connection = Connection::open(self.port).expect("connect");
        let json = [("Content-Type", "application/json")];
        let app = connection
            .post(
                "/api/v1/apps",
                &json,
                br#"{"client_name":"bench","redirect_uris":"urn:ietf:wg:oauth:2.0:oob","scopes":"read"}"#,
            )
            .expect("POST /api/v1/apps");
        let app: serde_json::Value = serde_json::from_str(&app.text()).expect("an app");
        let body = serde_json::json!({
            "grant_type": "password", "client_id": app["client_id"],
            "client_secret": app["client_secret"], "username": USERNAME,
            "password": PASSWORD, "scope": "read",
        });
        let token = connection
            .post("/oauth/token", &json, body.to_string().as_bytes())
            .expect("POST /oauth/token");
        let token: serde_json::Value = serde_json::from_str(&token.text()).expect("a token");
        format!(
            "Bearer {}",
            token["access_token"].as_str().expect("an access token")
        )
    }

    /// The database file's size with its WAL folded in.
    pub fn database_bytes(&self) -> u64 {
        let conn = rusqlite::Connection::open(self.database()).expect("open the database");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
        drop(conn);
        std::fs::metadata(self.database())
            .map(|m| m.len())
            .unwrap_or(0)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop();
    }
}

/// utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s (USER_HZ on Linux).
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the name come state (field 3) …; utime and stime are fields 14 and 15.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

pub fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
